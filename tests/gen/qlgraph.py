"""qlgraph.py: builds Quantlib-style ONNX graphs eagerly, for the generated test corpus.

A QLGraph holds the graph under construction together with the value of every tensor on the
case's input samples (computed with evaluate.py's op functions as each node is added). Layer
helpers use those values to choose each requantization shift from the actual accumulator
distribution, so every layer uses a good part of the int8 range, and they check that every
Conv/Gemm accumulator bound (sum|w| * 128 + |b|) stays below 2^24, which keeps float32 ONNX
semantics exact. The graphs follow the exports in shared/models/quantlib: opset 10, one float
input `input`, one float output `output`, float32 integer-valued initializers, an input
quantizer Div(2^-k) -> Floor -> Max(-128) -> Min(127), a requantizer
[Div(2^k)] -> Floor -> Max(0 | -128) -> Min(127) after every Conv/Gemm/residual Add, and a final
Div(2^k). Scalar constants are shared initializers of shape [1], as in the real exports.
"""

import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import evaluate

F32 = np.float32
ACC_LIMIT = 1 << 24  # float32 represents every integer below this exactly


class Degenerate(Exception):
    """A layer came out unusable (all zero or mostly saturated); the caller reseeds."""


def same_pads(kh, kw):
    """'Same'-style pads [top, left, bottom, right] for stride 1 (extra row/col at the end)."""
    return [(kh - 1) // 2, (kw - 1) // 2, kh - 1 - (kh - 1) // 2, kw - 1 - (kw - 1) // 2]


def choose_shift(acc, lo, hi=127, quantile=0.98):
    """Smallest k >= 0 such that the `quantile` of the usable side of acc / 2^k fits in int8."""
    v = acc[acc > 0] if lo >= 0 else np.abs(acc)
    if v.size == 0:
        return 0
    top = float(np.quantile(v, quantile))
    return max(0, int(math.ceil(math.log2(max(top, 1.0) / hi))))


def int8_stats(q, lo, hi=127):
    """Fractions of values at the ends of [lo, hi] and the number of distinct values."""
    return dict(at_lo=float(np.mean(q == lo)), at_hi=float(np.mean(q == hi)), distinct=int(np.unique(q).size))


class QLGraph:
    def __init__(self, name, rng, samples):
        """samples: float32 input batch, N samples stacked on the first axis."""
        self.name = name
        self.rng = rng
        self.nodes = []
        self.inits = []
        self.values = {}
        self.consts = {}
        self.layer_stats = []
        self.counter = 0
        self.in_shape = [1] + list(samples.shape[1:])
        self.values["input"] = samples.astype(F32)

    # -- low level ------------------------------------------------------------------------------

    def _fresh(self, prefix):
        self.counter += 1
        return "%s_%d" % (prefix, self.counter)

    def init(self, name, array):
        array = np.asarray(array, dtype=F32)
        assert np.all(array == np.round(array)), "initializer %s is not integer-valued" % name
        self.inits.append(numpy_helper.from_array(array, name))
        self.values[name] = array
        return name

    def const(self, value):
        """A shared scalar initializer of shape [1]."""
        value = F32(value)
        key = value.tobytes()
        if key not in self.consts:
            name = "const_%d" % len(self.consts)
            self.inits.append(numpy_helper.from_array(np.array([value], dtype=F32), name))
            self.values[name] = np.array([value], dtype=F32)
            self.consts[key] = name
        return self.consts[key]

    def op(self, op_type, inputs, scope, out=None, **attrs):
        """Adds one node named '/<scope>/<op_type>' and evaluates it on the samples."""
        name = "/%s/%s" % (scope, op_type)
        out = out or name + "_output_0"
        node = helper.make_node(op_type, inputs, [out], name=name, **attrs)
        self.nodes.append(node)
        self.values[out] = evaluate.OPS[op_type](node, [self.values[i] for i in inputs])[0]
        return out

    def shape(self, t):
        return [1] + list(self.values[t].shape[1:])

    # -- Quantlib building blocks -------------------------------------------------------------------

    def quant_input(self, k):
        """Input quantizer Div(2^-k) -> Floor -> Max(-128) -> Min(127)."""
        s = self._fresh("QInput")
        t = self.op("Div", ["input", self.const(2.0 ** -k)], s)
        t = self.op("Floor", [t], s)
        t = self.op("Max", [t, self.const(-128)], s)
        q = self.op("Min", [t, self.const(127)], s)
        self._record(s, q, -128, -k)
        return q

    def requant(self, acc, relu, k=None, scope=None):
        """[Div(2^k)] -> Floor -> Max(0 | -128) -> Min(127); k chosen from acc's values if None."""
        lo = 0 if relu else -128
        if k is None:
            k = choose_shift(self.values[acc], lo)
        s = scope or self._fresh("Requant")
        t = acc
        if k > 0:
            t = self.op("Div", [t, self.const(2.0 ** k)], s)
        t = self.op("Floor", [t], s)
        t = self.op("Max", [t, self.const(lo)], s)
        q = self.op("Min", [t, self.const(127)], s)
        self._record(s, q, lo, k)
        return q

    def _record(self, scope, q, lo, k):
        st = int8_stats(self.values[q], lo)
        st.update(scope=scope, shift=k)
        self.layer_stats.append(st)
        n = self.values[q].size
        if st["distinct"] < min(4, n) or st["at_lo"] + st["at_hi"] > 0.8 or st["at_hi"] > 0.35:
            raise Degenerate("%s: %s" % (scope, st))

    def weights(self, shape, fan_in, ternary=False, wmax=127, bias_room=0):
        """Integer weights of the given shape; rows are scaled down until the accumulator bound
        128 * sum|w| + bias_room stays below 2^24."""
        if ternary:
            return self.rng.integers(-1, 2, size=shape).astype(F32)
        sigma = wmax / 2.5
        w = np.clip(np.round(self.rng.normal(0, sigma, size=shape)), -128, 127)
        rows = w.reshape(shape[0], -1) if len(shape) > 1 else w.reshape(1, -1)
        worst = float(np.abs(rows).sum(axis=1).max()) * 128 + bias_room
        if worst >= ACC_LIMIT:
            w = np.trunc(w * ((ACC_LIMIT - 1 - bias_room) / worst))
        elif wmax >= 127 and w.size >= 8:
            # Exercise both int8 extremes where the bound allows it.
            flat = w.reshape(-1)
            flat[self.rng.integers(flat.size)] = -128
            flat[self.rng.integers(flat.size)] = 127
            rows = w.reshape(shape[0], -1) if len(shape) > 1 else w.reshape(1, -1)
            if float(np.abs(rows).sum(axis=1).max()) * 128 + bias_room >= ACC_LIMIT:
                w = np.clip(w, -126, 126)
        return w.astype(F32)

    def _bias(self, acc_no_bias, n, relu):
        """Integer bias on the scale of the accumulator spread (per output channel)."""
        spread = float(np.std(acc_no_bias)) or 1.0
        b = np.round(self.rng.normal(0.25 * spread if relu else 0.0, 0.5 * spread, size=n))
        return np.clip(b, -(1 << 20), 1 << 20).astype(F32)

    def _check_bound(self, scope, w, b):
        rows = np.abs(w.reshape(w.shape[0], -1)).sum(axis=1) * 128
        if b is not None:
            rows = rows + np.abs(b)
        worst = float(rows.max())
        assert worst < ACC_LIMIT, "%s: accumulator bound %d >= 2^24" % (scope, worst)

    def conv(self, x, cout, kernel, stride=(1, 1), pads=None, group=1, bias=True, relu=True,
             dilations=(1, 1), ternary=False, requant=True, wmax=127):
        """Conv (+ bias) and, unless requant=False, its requantizer. Returns the output name."""
        kh, kw = kernel
        cin = self.values[x].shape[1]
        assert cin % group == 0 and cout % group == 0
        if pads is None:
            pads = same_pads(kh, kw)
        s = self._fresh("QConv")
        fan_in = cin // group * kh * kw
        bias_room = (1 << 20) if bias else 0
        w = self.weights([cout, cin // group, kh, kw], fan_in, ternary=ternary, wmax=wmax, bias_room=bias_room)
        wname = self.init(s + ".weight", w)
        attrs = dict(auto_pad="NOTSET", dilations=list(dilations), group=group, kernel_shape=[kh, kw],
                     pads=list(pads), strides=list(stride))
        inputs = [x, wname]
        b = None
        if bias:
            pre = evaluate.conv2d(self.values[x], w, None, pads, stride, dilations, group)
            b = self._bias(pre, cout, relu)
            inputs.append(self.init(s + ".bias", b))
        self._check_bound(s, w, b)
        acc = self.op("Conv", inputs, s, **attrs)
        return self.requant(acc, relu) if requant else acc

    def gemm(self, x, nout, relu=True, trans_b=1, bias=True):
        """Gemm (x [1,K] times weight) and its requantizer. Opset 10 Gemm always has C; bias=False
        gives an all-zero C."""
        k = self.values[x].shape[1]
        s = self._fresh("QLinear")
        w = self.weights([nout, k], k, bias_room=(1 << 20) if bias else 0)
        pre = self.values[x] @ w.T
        b = self._bias(pre, nout, relu) if bias else np.zeros(nout, F32)
        self._check_bound(s, w, b)
        wname = self.init(s + ".weight", w if trans_b else np.ascontiguousarray(w.T))
        bname = self.init(s + ".bias", b)
        acc = self.op("Gemm", [x, wname, bname], s, alpha=1.0, beta=1.0, transA=0, transB=trans_b)
        return self.requant(acc, relu)

    def add(self, a, b, relu=True, k=None):
        """Residual Add of two int8 tensors and its requantizer."""
        s = self._fresh("Add")
        acc = self.op("Add", [a, b], s)
        return self.requant(acc, relu, k=k)

    def analog_conv(self, x, cout, kernel, stride=(1, 1), pads=None, relu=True, bn=True):
        """DIANA-analog-style conv: ternary weights, no bias, Div(non-power-of-two) -> Floor ->
        Max(-32) -> Min(31), then (bn) integer per-channel Mul/Add [1,C,1,1] and a requantizer."""
        acc = self.conv(x, cout, kernel, stride, pads, bias=False, ternary=True, requant=False)
        s = self._fresh("QAnalogOut")
        v = np.abs(self.values[acc])
        scale = max(float(np.quantile(v, 0.98)), 1.0) / 28.0 * float(self.rng.uniform(0.9, 1.1))
        scale = F32(scale if abs(math.log2(scale) - round(math.log2(scale))) > 0.05 else scale * 1.3)
        t = self.op("Div", [acc, self.const(scale)], s)
        t = self.op("Floor", [t], s)
        t = self.op("Max", [t, self.const(-32)], s)
        q6 = self.op("Min", [t, self.const(31)], s)
        self._record(s, q6, -32, None)
        if not bn:
            return q6
        return self.bn_requant(q6, relu)

    def bn_requant(self, x, relu, mul_first=True):
        """Integer batch-norm Mul/Add with [1,C,1,1] constants, then a requantizer."""
        c = self.values[x].shape[1]
        s = self._fresh("QBN")
        mul = self.init(s + ".mul", self.rng.integers(1, 16, size=(1, c, 1, 1)))
        add = self.init(s + ".add", self.rng.integers(-40, 100, size=(1, c, 1, 1)))
        t = self.op("Mul", [x, mul] if mul_first else [mul, x], s)
        t = self.op("Add", [t, add], s)
        return self.requant(t, relu)

    def scale_branch(self, x, factor):
        """Div(factor) with factor 0.5/0.25 (as on analog residual branches)."""
        return self.op("Div", [x, self.const(factor)], self._fresh("Tunnel"))

    def gap_head(self, x):
        """GlobalAveragePool -> Flatten -> Floor -> Max(-128) -> Min(127)."""
        s = self._fresh("Pool")
        t = self.op("GlobalAveragePool", [x], s)
        t = self.op("Flatten", [t], s, axis=1)
        return self.requant(t, relu=False, k=0)

    def flatten(self, x):
        return self.op("Flatten", [x], self._fresh("Flatten"), axis=1)

    def output(self, x, k):
        """Final Div(2^k) producing the graph output `output`."""
        self.op("Div", [x, self.const(2.0 ** k)], self._fresh("Output"), out="output")

    # -- result ---------------------------------------------------------------------------------

    def model(self, extra_domains=False):
        out_shape = self.shape("output")
        g = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, self.in_shape)],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, out_shape)],
            initializer=self.inits)
        opsets = [helper.make_opsetid("", 10)]
        if extra_domains:
            # The real exports list unused extra domains; a frontend must ignore them.
            opsets += [helper.make_opsetid("ai.onnx.ml", 3), helper.make_opsetid("com.microsoft", 1)]
        m = helper.make_model(g, opset_imports=opsets, producer_name="htvm-tests-gen", producer_version="1")
        m.ir_version = 5
        onnx.checker.check_model(m)
        return m
