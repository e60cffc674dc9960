#!/usr/bin/python3
"""bad_inputs.py: the corpus of inputs htvm must reject cleanly (and a few it must accept).

Writes DIR/bad/<name>.onnx, files on which `htvm compile` must fail with exit code 2 and a
message naming the file and containing every line of DIR/bad/<name>.expect (never an internal
error, a crash or a hang), and DIR/good/<name>.onnx,
unusual but valid models that must compile (exit 0). Everything is seeded and deterministic.

    /usr/bin/python3 tests/gen/bad_inputs.py --out DIR
    /usr/bin/python3 tests/gen/bad_inputs.py --list     # bad/<name>.onnx and good/<name>.onnx
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SEED = 20240602
BASE_CASE = "conv_relu_s1_k3x3"  # the generated case that truncations and bit flips start from
TRUNCATE_AT = (1, 16, 0.25, 0.5, 0.9, -1)  # byte counts (int) or fractions of the file (float)
N_FLIPS = 4


def _trunc_name(at):
    return "truncated_%s" % (("%dpct" % round(at * 100)) if isinstance(at, float) else
                             ("minus1" if at == -1 else "%db" % at))


BAD = ([_trunc_name(a) for a in TRUNCATE_AT] + ["bitflip_%d" % i for i in range(N_FLIPS)] +
       ["empty", "text", "softmax", "lstm", "dangling_input", "cycle", "mismatched_add_shapes",
        "absurd_dims", "symbolic_batch", "missing_output", "two_inputs"])
GOOD = ["conv_dilation2"]

# What each rejection must say besides the file name: the node, value or input the defect is in
# (as built below) and the reason. expect_error.sh checks every fragment, so a regression to a
# vague message fails. Written next to each bad file as <name>.expect, one fragment a line.
EXPECT = dict(
    [(_trunc_name(a), ["truncated ONNX model"]) for a in TRUNCATE_AT] +
    # bit_flips keeps only flips protobuf itself rejects: the file is not a model.
    [("bitflip_%d" % i, ["not an ONNX model"]) for i in range(N_FLIPS)] + [
        ("empty", ["file is empty (0 bytes)"]),
        ("text", ["not an ONNX model"]),
        ("softmax", ["node 'head/Softmax' (Softmax)", "not supported"]),
        ("lstm", ["node 'rnn/LSTM' (LSTM)", "not supported"]),
        ("dangling_input", ["node 'conv/Conv' (Conv)", "input 'no_such_weight'", "not produced"]),
        ("cycle", ["node 'cycle/Add' (Add)", "input 'loop_b'", "later node 'cycle/Floor'", "cycle"]),
        # the two convs of the residual have 4 and 5 output channels on the 8x8 input
        ("mismatched_add_shapes", ["node 'res/Add' (Add)", "1x4x8x8", "1x5x8x8", "broadcast"]),
        # 1 * 3 * 100000 * 100000 float32 values = 120000000000 bytes
        ("absurd_dims", ["graph input 'input'", "1x3x100000x100000", "120000000000 bytes"]),
        ("symbolic_batch", ["graph input 'input'", "dimension 0", "symbolic", "'N'"]),
        ("missing_output", ["graph output 'output'", "not produced"]),
        ("two_inputs", ["2 inputs"]),
    ])


def listing():
    return ["bad/%s.onnx" % n for n in BAD] + ["good/%s.onnx" % n for n in GOOD]


# ------------------------------------------------------------------------------------------------
# Small graph helpers (built by hand, not through qlgraph: most of these graphs are invalid).


def _np():
    import numpy as np
    return np


def _h():
    from onnx import helper
    return helper


def _scalar(name, v):
    from onnx import numpy_helper
    return numpy_helper.from_array(_np().array([v], dtype=_np().float32), name)


def _ints(name, shape, rng, lo=-20, hi=21):
    from onnx import numpy_helper
    return numpy_helper.from_array(rng.integers(lo, hi, size=shape).astype(_np().float32), name)


def _quant(src, dst_prefix):
    """Div(2^-k) -> Floor -> Max(-128) -> Min(127) nodes reading src; returns (nodes, out)."""
    h = _h()
    n = [h.make_node("Div", [src, "c_scale"], [dst_prefix + "_div"], name=dst_prefix + "/Div"),
         h.make_node("Floor", [dst_prefix + "_div"], [dst_prefix + "_floor"], name=dst_prefix + "/Floor"),
         h.make_node("Max", [dst_prefix + "_floor", "c_lo"], [dst_prefix + "_max"], name=dst_prefix + "/Max"),
         h.make_node("Min", [dst_prefix + "_max", "c_hi"], [dst_prefix + "_q"], name=dst_prefix + "/Min")]
    return n, dst_prefix + "_q"


def _consts():
    return [_scalar("c_scale", 0.0625), _scalar("c_lo", -128.0), _scalar("c_hi", 127.0)]


def _model(nodes, inputs, outputs, inits, check=True):
    import onnx
    h = _h()
    g = h.make_graph(nodes, "bad_input", inputs, outputs, initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 10)], producer_name="htvm-tests-gen")
    m.ir_version = 5
    if check:
        onnx.checker.check_model(m)
    return m


def _vi(name, shape):
    from onnx import TensorProto
    return _h().make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _conv_model(rng, in_shape, cout, dilations=(1, 1), pads=(1, 1, 1, 1), check=True):
    h = _h()
    nodes, q = _quant("input", "qin")
    cin = in_shape[1]
    nodes.append(h.make_node("Conv", [q, "w"], ["acc"], name="conv/Conv", kernel_shape=[3, 3],
                             pads=list(pads), strides=[1, 1], dilations=list(dilations), group=1))
    nodes.append(h.make_node("Div", ["acc", "c_shift"], ["output"], name="out/Div"))
    inits = _consts() + [_ints("w", (cout, cin, 3, 3), rng), _scalar("c_shift", 256.0)]
    oh = in_shape[2] + pads[0] + pads[2] - 2 * dilations[0]
    ow = in_shape[3] + pads[1] + pads[3] - 2 * dilations[1]
    return _model(nodes, [_vi("input", in_shape)], [_vi("output", [1, cout, oh, ow])], inits, check)


# ------------------------------------------------------------------------------------------------


def base_model_bytes():
    import quantlib_cases
    g, _ = quantlib_cases.build(BASE_CASE)
    return g.model().SerializeToString()


def bit_flips(data, rng, count):
    """Seeded single-bit flips of data that ONNX's own protobuf parser rejects (a flip that still
    parses may be a valid model, e.g. one changed weight, so it is not a bad input)."""
    import onnx
    from google.protobuf.message import DecodeError
    out = []
    while len(out) < count:
        pos = int(rng.integers(0, len(data)))
        bit = int(rng.integers(0, 8))
        flipped = bytearray(data)
        flipped[pos] ^= 1 << bit
        try:
            onnx.load_model_from_string(bytes(flipped))
        except (DecodeError, RuntimeError, ValueError):
            out.append(bytes(flipped))
    return out


def build_all():
    """name -> bytes for bad/, good/."""
    import numpy as np
    h = _h()
    rng = np.random.default_rng(SEED)
    bad, good = {}, {}

    data = base_model_bytes()
    for at in TRUNCATE_AT:
        cut = int(len(data) * at) if isinstance(at, float) else (len(data) + at if at < 0 else at)
        bad[_trunc_name(at)] = data[:cut]
    for i, flipped in enumerate(bit_flips(data, rng, N_FLIPS)):
        bad["bitflip_%d" % i] = flipped
    bad["empty"] = b""
    bad["text"] = b"this is a text file, not an ONNX model\n"

    # Unsupported ops in otherwise Quantlib-style graphs.
    nodes, q = _quant("input", "qin")
    nodes += [h.make_node("Gemm", [q, "w", "b"], ["acc"], name="fc/Gemm", transB=1),
              h.make_node("Softmax", ["acc"], ["output"], name="head/Softmax", axis=1)]
    bad["softmax"] = _model(nodes, [_vi("input", [1, 16])], [_vi("output", [1, 10])],
                            _consts() + [_ints("w", (10, 16), rng), _ints("b", (10,), rng)]).SerializeToString()

    hidden, feat, seq = 8, 4, 5
    nodes, q = _quant("input", "qin")
    nodes += [h.make_node("LSTM", [q, "W", "R", "B"], ["output"], name="rnn/LSTM", hidden_size=hidden)]
    bad["lstm"] = _model(nodes, [_vi("input", [seq, 1, feat])], [_vi("output", [seq, 1, 1, hidden])],
                         _consts() + [_ints("W", (1, 4 * hidden, feat), rng), _ints("R", (1, 4 * hidden, hidden), rng),
                                      _ints("B", (1, 8 * hidden), rng)]).SerializeToString()

    # Broken graph structure (no checker: it would refuse to let us write them).
    m = _conv_model(rng, [1, 3, 8, 8], 4)
    m.graph.node[4].input[1] = "no_such_weight"
    bad["dangling_input"] = m.SerializeToString()

    nodes = [h.make_node("Add", ["input", "loop_b"], ["loop_a"], name="cycle/Add"),
             h.make_node("Floor", ["loop_a"], ["loop_b"], name="cycle/Floor"),
             h.make_node("Div", ["loop_b", "c_scale"], ["output"], name="out/Div")]
    bad["cycle"] = _model(nodes, [_vi("input", [1, 4])], [_vi("output", [1, 4])], _consts(),
                          check=False).SerializeToString()

    nodes, q = _quant("input", "qin")
    nodes += [h.make_node("Conv", [q, "w4"], ["a"], name="a/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
              h.make_node("Conv", [q, "w5"], ["b"], name="b/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
              h.make_node("Add", ["a", "b"], ["sum"], name="res/Add"),
              h.make_node("Div", ["sum", "c_scale"], ["output"], name="out/Div")]
    bad["mismatched_add_shapes"] = _model(
        nodes, [_vi("input", [1, 3, 8, 8])], [_vi("output", [1, 4, 8, 8])],
        _consts() + [_ints("w4", (4, 3, 3, 3), rng), _ints("w5", (5, 3, 3, 3), rng)], check=False).SerializeToString()

    bad["absurd_dims"] = _conv_model(rng, [1, 3, 100000, 100000], 4).SerializeToString()

    m = _conv_model(rng, [1, 3, 8, 8], 4)
    m.graph.input[0].type.tensor_type.shape.dim[0].Clear()
    m.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    m.graph.output[0].type.tensor_type.shape.dim[0].Clear()
    m.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    bad["symbolic_batch"] = m.SerializeToString()

    m = _conv_model(rng, [1, 3, 8, 8], 4)
    m.graph.node[-1].output[0] = "not_the_output"
    bad["missing_output"] = m.SerializeToString()

    nodes, q = _quant("input", "qin")
    nodes += [h.make_node("Add", [q, "input2"], ["output"], name="two/Add")]
    bad["two_inputs"] = _model(nodes, [_vi("input", [1, 8]), _vi("input2", [1, 8])], [_vi("output", [1, 8])],
                               _consts()).SerializeToString()

    good["conv_dilation2"] = _conv_model(rng, [1, 3, 12, 12], 4, dilations=(2, 2), pads=(2, 2, 2, 2)).SerializeToString()
    assert sorted(bad) == sorted(BAD) == sorted(EXPECT) and sorted(good) == sorted(GOOD)
    return bad, good


def main(argv=None):
    p = argparse.ArgumentParser(description="Writes the bad-input corpus for htvm compile.")
    p.add_argument("--out", help="output directory (gets bad/ and good/)")
    p.add_argument("--list", action="store_true", help="print bad/<name>.onnx and good/<name>.onnx lines")
    args = p.parse_args(argv)
    if args.list:
        print("\n".join(listing()))
        return 0
    if not args.out:
        p.error("--out is required (or --list)")
    bad, good = build_all()
    for sub, files in (("bad", bad), ("good", good)):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(args.out, sub, name + ".onnx"), "wb") as f:
                f.write(data)
            if sub == "bad":
                with open(os.path.join(args.out, sub, name + ".expect"), "w") as f:
                    f.write("".join(line + "\n" for line in EXPECT[name]))
    print("wrote %d bad and %d good inputs to %s" % (len(bad), len(good), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
