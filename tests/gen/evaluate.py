#!/usr/bin/python3
"""evaluate.py: an independent numpy evaluator for Quantlib-style ONNX graphs.

It runs a graph in ONNX float32 semantics, with no ONNX Runtime and nothing from htvm, so that
the corpus goldens in tests/gen come from outside the code under test. Every value is float32
and every op computes in float32. Conv and Gemm reduce with numpy's float32 matmul, whose
summation order differs from ONNX Runtime's; that is exact as long as every partial sum of
integer products stays below 2^24 in magnitude, which the Quantlib export guarantees and the
generator in quantlib_cases.py enforces. tests/gen/test_evaluate_real_models.py checks this
evaluator bit for bit against the outputs of the real exported models.

Supported ops: Conv (pads, strides, groups, dilations), Gemm (transA, transB, alpha, beta),
Add, Sub, Mul, Div, Floor, Max, Min, Clip, Relu, GlobalAveragePool, Flatten, Reshape, Identity.

Use as a module (`evaluate_samples(model, x)`) or from the shell:
    /usr/bin/python3 tests/gen/evaluate.py MODEL.onnx INPUTS.npy -o OUTPUTS.npy
where INPUTS.npy holds either exactly the model's input shape or N samples stacked on the
first axis (the model's batch dimension being 1).
"""

import argparse
import sys

import numpy as np
import onnx
from onnx import numpy_helper

F32 = np.float32


class EvalError(Exception):
    """The graph uses something this evaluator does not model, or is malformed."""


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _f32(x):
    x = np.asarray(x)
    if x.dtype != F32:
        raise EvalError("expected a float32 tensor, got %s" % x.dtype)
    return x


# ----------------------------------------------------------------------------------------------
# Convolution and dense layers


def conv2d(x, w, b=None, pads=(0, 0, 0, 0), strides=(1, 1), dilations=(1, 1), group=1):
    """ONNX Conv for NCHW float32 inputs; pads are [top, left, bottom, right]."""
    x, w = _f32(x), _f32(w)
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    if c != cg * group or m % group:
        raise EvalError("conv: %d input channels, weight %s, group %d do not fit" % (c, w.shape, group))
    pt, pl, pb, pr = pads
    sh, sw = strides
    dh, dw = dilations
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    hp, wp = h + pt + pb, wd + pl + pr
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    if oh <= 0 or ow <= 0:
        raise EvalError("conv: empty output %dx%d" % (oh, ow))
    # cols[n, c, i, j, oy, ox] = xp[n, c, oy*sh + i*dh, ox*sw + j*dw]
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=F32)
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dh, j * dw
            cols[:, :, i, j] = xp[:, :, y0:y0 + sh * (oh - 1) + 1:sh, x0:x0 + sw * (ow - 1) + 1:sw]
    mg = m // group
    cols = cols.reshape(n, group, cg * kh * kw, oh * ow)
    wm = w.reshape(group, mg, cg * kh * kw)
    y = np.matmul(wm[None], cols)  # (n, group, mg, oh*ow), float32
    y = y.reshape(n, m, oh, ow)
    if b is not None:
        y = y + _f32(b).reshape(1, m, 1, 1)
    return y.astype(F32, copy=False)


def _op_conv(node, ins):
    a = _attrs(node)
    x, w = ins[0], ins[1]
    b = ins[2] if len(ins) > 2 and ins[2] is not None else None
    if x.ndim != 4:
        raise EvalError("node '%s' (Conv): only 2-D convolution is modelled, input rank %d" % (node.name, x.ndim))
    auto_pad = a.get("auto_pad", b"NOTSET")
    if isinstance(auto_pad, bytes):
        auto_pad = auto_pad.decode()
    if auto_pad not in ("NOTSET", "VALID"):
        raise EvalError("node '%s' (Conv): auto_pad %s is not modelled" % (node.name, auto_pad))
    kshape = a.get("kernel_shape", list(w.shape[2:]))
    if list(kshape) != list(w.shape[2:]):
        raise EvalError("node '%s' (Conv): kernel_shape %s differs from weight %s" % (node.name, kshape, w.shape))
    pads = a.get("pads", [0, 0, 0, 0]) if auto_pad == "NOTSET" else [0, 0, 0, 0]
    # ONNX order is [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right].
    return [conv2d(x, w, b, pads=pads, strides=a.get("strides", [1, 1]),
                   dilations=a.get("dilations", [1, 1]), group=a.get("group", 1))]


def gemm(a, b, c=None, alpha=1.0, beta=1.0, trans_a=0, trans_b=0):
    a, b = _f32(a), _f32(b)
    if trans_a:
        a = a.T
    if trans_b:
        b = b.T
    y = np.matmul(a, b)
    if alpha != 1.0:
        y = F32(alpha) * y
    if c is not None:
        c = _f32(c)
        y = y + (c if beta == 1.0 else F32(beta) * c)
    return y.astype(F32, copy=False)


def _op_gemm(node, ins):
    a = _attrs(node)
    c = ins[2] if len(ins) > 2 else None
    return [gemm(ins[0], ins[1], c, alpha=a.get("alpha", 1.0), beta=a.get("beta", 1.0),
                 trans_a=a.get("transA", 0), trans_b=a.get("transB", 0))]


# ----------------------------------------------------------------------------------------------
# Elementwise and shape ops


def _binary(fn):
    def op(node, ins):
        if len(ins) != 2:
            raise EvalError("node '%s' (%s): expects 2 inputs" % (node.name, node.op_type))
        a, b = _f32(ins[0]), _f32(ins[1])
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise EvalError("node '%s' (%s): shapes %s and %s do not broadcast"
                            % (node.name, node.op_type, a.shape, b.shape))
        return [fn(a, b).astype(F32, copy=False)]
    return op


def _variadic(fn):
    def op(node, ins):
        out = _f32(ins[0])
        for x in ins[1:]:
            out = fn(out, _f32(x))
        return [out.astype(F32, copy=False)]
    return op


def _op_clip(node, ins):
    a = _attrs(node)
    x = _f32(ins[0])
    lo = ins[1] if len(ins) > 1 and ins[1] is not None else a.get("min")
    hi = ins[2] if len(ins) > 2 and ins[2] is not None else a.get("max")
    if lo is not None:
        x = np.maximum(x, F32(np.asarray(lo).reshape(())))
    if hi is not None:
        x = np.minimum(x, F32(np.asarray(hi).reshape(())))
    return [x.astype(F32, copy=False)]


def _op_global_average_pool(node, ins):
    x = _f32(ins[0])
    axes = tuple(range(2, x.ndim))
    count = int(np.prod([x.shape[i] for i in axes]))
    # Integer sums below 2^24 are exact in any order; then one correctly rounded division.
    s = np.sum(x, axis=axes, dtype=F32, keepdims=True)
    return [(s / F32(count)).astype(F32, copy=False)]


def _op_flatten(node, ins):
    x = ins[0]
    axis = _attrs(node).get("axis", 1)
    if axis < 0:
        axis += x.ndim
    lead = int(np.prod(x.shape[:axis]))
    return [x.reshape(lead, -1)]


def _op_reshape(node, ins):
    x, shape = ins[0], [int(v) for v in np.asarray(ins[1]).ravel()]
    shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
    return [x.reshape(shape)]


OPS = {
    "Conv": _op_conv,
    "Gemm": _op_gemm,
    "Add": _binary(np.add),
    "Sub": _binary(np.subtract),
    "Mul": _binary(np.multiply),
    "Div": _binary(np.divide),
    "Floor": lambda node, ins: [np.floor(_f32(ins[0]))],
    "Relu": lambda node, ins: [np.maximum(_f32(ins[0]), F32(0))],
    "Max": _variadic(np.maximum),
    "Min": _variadic(np.minimum),
    "Clip": _op_clip,
    "GlobalAveragePool": _op_global_average_pool,
    "Flatten": _op_flatten,
    "Reshape": _op_reshape,
    "Identity": lambda node, ins: [ins[0]],
}


# ----------------------------------------------------------------------------------------------
# Graph execution


def topo_order(graph, known):
    """Nodes in an order where each node's inputs are produced first; raises on a cycle or a
    dangling input."""
    producers = {}
    for idx, n in enumerate(graph.node):
        for o in n.output:
            producers[o] = idx
    order, state = [], {}

    def visit(idx):
        if state.get(idx) == 2:
            return
        if state.get(idx) == 1:
            raise EvalError("graph has a cycle through node '%s'" % graph.node[idx].name)
        state[idx] = 1
        for i in graph.node[idx].input:
            if i == "" or i in known:
                continue
            if i not in producers:
                raise EvalError("node '%s' reads '%s', which nothing produces" % (graph.node[idx].name, i))
            visit(producers[i])
        state[idx] = 2
        order.append(graph.node[idx])

    for idx in range(len(graph.node)):
        visit(idx)
    return order


def run(model, feeds, keep_all=False):
    """Runs the graph once; feeds maps input names to float32 arrays. Returns a dict of graph
    outputs (or of every value when keep_all)."""
    graph = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for name, value in feeds.items():
        env[name] = _f32(value)
    for n in topo_order(graph, env):
        fn = OPS.get(n.op_type)
        if fn is None or n.domain not in ("", "ai.onnx"):
            raise EvalError("node '%s': op %s is not modelled" % (n.name, n.op_type))
        ins = [env[i] if i != "" else None for i in n.input]
        outs = fn(n, ins)
        for name, value in zip(n.output, outs):
            env[name] = value
    if keep_all:
        return env
    return {o.name: env[o.name] for o in graph.output}


def _graph_inputs(model):
    inits = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in inits]


def _static_shape(value_info):
    return [d.dim_value if d.HasField("dim_value") else None for d in value_info.type.tensor_type.shape.dim]


def evaluate_samples(model, x):
    """Runs a single-input, single-output model on x, which has either exactly the model's
    input shape or N samples stacked on the first axis. Returns the outputs stacked the same
    way (samples batch-first, each with the model's batch dimension folded in)."""
    if isinstance(model, str):
        model = onnx.load(model)
    ins = _graph_inputs(model)
    if len(ins) != 1 or len(model.graph.output) != 1:
        raise EvalError("expected one input and one output, got %d and %d" % (len(ins), len(model.graph.output)))
    name = ins[0].name
    shape = _static_shape(ins[0])
    x = _f32(x)
    if list(x.shape) == shape:
        return run(model, {name: x})[model.graph.output[0].name]
    if not shape or shape[0] != 1 or list(x.shape[1:]) != shape[1:]:
        raise EvalError("input shape %s fits neither the model's %s nor N stacked samples" % (list(x.shape), shape))
    out_name = model.graph.output[0].name
    if any(n.op_type == "Reshape" for n in model.graph.node):
        # A Reshape may hard-code the batch dimension: run the samples one by one.
        return np.concatenate([run(model, {name: x[i:i + 1]})[out_name] for i in range(x.shape[0])])
    # Every other modelled op treats the batch axis independently.
    return run(model, {name: x})[out_name]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("inputs")
    p.add_argument("-o", "--output", help="write outputs here (.npy); default: print them")
    args = p.parse_args(argv)
    try:
        y = evaluate_samples(onnx.load(args.model), np.load(args.inputs))
    except EvalError as e:
        print("evaluate.py: %s: %s" % (args.model, e), file=sys.stderr)
        return 2
    if args.output:
        np.save(args.output, y)
    else:
        print(y)
    return 0


if __name__ == "__main__":
    sys.exit(main())
