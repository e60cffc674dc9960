"""qlnets.py: how each kind of case in quantlib_cases.py becomes a Quantlib-style graph.

One builder per case kind (`conv`, `dense`, `residual`, `dscnn`, `random`, ...), each taking
(name, rng, params) and returning a finished qlgraph.QLGraph: input samples and quantizer, the
layers, and the final Div(2^k) to `output`. Builders raise qlgraph.Degenerate (through the
QLGraph layer helpers) when a layer comes out unusable; quantlib_cases.build() then reseeds.
"""

import numpy as np

from qlgraph import QLGraph


def start(name, rng, shape, p):
    """Draws the input samples and adds the input quantizer. Inputs are float32 values whose
    quantized image covers [-128, 127] with a few per cent saturating at either end."""
    n = p.get("n", 3)
    k = p.get("in_k", int(rng.integers(0, 8)))
    v = rng.uniform(-136.0, 136.0, size=(n,) + tuple(shape)).astype(np.float32)
    x = (v * np.float32(2.0 ** -k)).astype(np.float32)
    g = QLGraph(name, rng, x)
    return g, g.quant_input(k)


def finish(g, rng, t, p):
    g.output(t, p.get("out_k", int(rng.integers(1, 6))))
    return g


def b_conv(name, rng, p):
    h, w = p["hw"]
    g, x = start(name, rng, (p["cin"], h, w), p)
    y = g.conv(x, p["cout"], p["k"], stride=p.get("stride", (1, 1)), pads=p.get("pads"),
               group=p.get("group", 1), bias=p.get("bias", True), relu=p.get("relu", True),
               dilations=p.get("dil", (1, 1)))
    return finish(g, rng, y, p)


def b_dense(name, rng, p):
    g, x = start(name, rng, (p["nin"],), p)
    for layer in p["layers"]:
        nout, relu, trans_b = layer[:3]
        bias = layer[3] if len(layer) > 3 else True
        x = g.gemm(x, nout, relu=relu, trans_b=trans_b, bias=bias)
    return finish(g, rng, x, p)


def residual_block(g, x, cout, relu, proj=False, add_k=None):
    """conv3x3(relu) -> conv3x3 on one branch, identity (or 1x1 stride-2 projection) on the other."""
    stride = (2, 2) if proj else (1, 1)
    y = g.conv(x, cout, (3, 3), stride=stride, relu=True)
    y = g.conv(y, cout, (3, 3), relu=False)
    skip = g.conv(x, cout, (1, 1), stride=stride, relu=False) if proj else x
    return g.add(skip, y, relu=relu, k=add_k)


def b_residual(name, rng, p):
    h, w = p["hw"]
    g, x = start(name, rng, (p["c"], h, w), p)
    if not p.get("proj"):
        x = g.conv(x, p["c"], (3, 3), relu=True)
    for _ in range(p.get("blocks", 1)):
        x = residual_block(g, x, p.get("cout", p["c"]), p["relu"], proj=p.get("proj", False), add_k=p.get("add_k"))
    return finish(g, rng, x, p)


def b_dscnn(name, rng, p):
    g, x = start(name, rng, (1, 10, 49), dict(p, in_k=1))
    c = p["c"]
    x = g.conv(x, c, (10, 4), stride=(2, 2), pads=[5, 1, 5, 1])
    for _ in range(p["blocks"]):
        x = g.conv(x, c, (3, 3), group=c)
        x = g.conv(x, c, (1, 1))
    x = g.gap_head(x)
    x = g.gemm(x, 12, relu=False)
    return finish(g, rng, x, p)


def b_mobilenet(name, rng, p):
    c = p["c"]
    g, x = start(name, rng, (3, 16, 16), p)
    x = g.conv(x, c, (3, 3), stride=(2, 2))
    for cout, s in ((2 * c, 1), (2 * c, 2), (4 * c, 1)):
        x = g.conv(x, x_channels(g, x), (3, 3), stride=(s, s), group=x_channels(g, x))
        x = g.conv(x, cout, (1, 1))
    x = g.gap_head(x)
    x = g.gemm(x, 12, relu=False)
    return finish(g, rng, x, p)


def x_channels(g, t):
    return g.values[t].shape[1]


def b_fanout_input(name, rng, p):
    h, w = p["hw"]
    g, x = start(name, rng, (p["c"], h, w), p)
    a = g.conv(x, 8, (3, 3), relu=False)
    b = g.conv(x, 8, (1, 1), relu=False)
    c = g.conv(x, 8, (5, 5), relu=True)
    y = g.add(a, b, relu=False)
    y = g.add(y, c, relu=True)
    return finish(g, rng, y, p)


def b_fanout_skip(name, rng, p):
    h, w = p["hw"]
    c = p["c"]
    g, x = start(name, rng, (3, h, w), p)
    t = g.conv(x, c, (3, 3))
    a = g.conv(t, c, (3, 3), relu=False)
    b = g.conv(t, c, (3, 3), group=c, relu=False)
    y = g.add(t, a, relu=True)
    y = g.add(y, b, relu=True)
    y = g.add(y, t, relu=False)
    return finish(g, rng, y, p)


def b_fanout_acc(name, rng, p):
    """One Conv accumulator read by two requantizers (ReLU and not) that are then added."""
    h, w = p["hw"]
    g, x = start(name, rng, (4, h, w), p)
    acc = g.conv(x, p["c"], (3, 3), requant=False)
    a = g.requant(acc, relu=True)
    b = g.requant(acc, relu=False, k=None)
    y = g.add(a, b, relu=False)
    return finish(g, rng, y, p)


def b_head(name, rng, p):
    h, w = p["hw"]
    g, x = start(name, rng, (3, h, w), p)
    x = g.conv(x, p["c"], (3, 3), relu=p.get("relu", True))
    x = g.gap_head(x)
    x = g.gemm(x, p["classes"], relu=False)
    return finish(g, rng, x, p)


def b_flatten_dense(name, rng, p):
    h, w = p["hw"]
    g, x = start(name, rng, (3, h, w), p)
    x = g.conv(x, p["c"], (3, 3))
    x = g.flatten(x)
    x = g.gemm(x, p["classes"], relu=False)
    return finish(g, rng, x, p)


def b_analog(name, rng, p):
    h, w = p["hw"]
    g, x = start(name, rng, (3, h, w), p)
    x = g.conv(x, p["c"], (3, 3))  # digital first layer
    q6 = g.analog_conv(x, p["c"], (3, 3), bn=False)
    y = g.bn_requant(q6, p["relu"], mul_first=p.get("mul_first", True))
    return finish(g, rng, y, p)


def b_analog_residual(name, rng, p):
    h, w = p["hw"]
    c = p["c"]
    g, x = start(name, rng, (3, h, w), p)
    x = g.analog_conv(x, c, (3, 3), relu=True)
    skip = g.scale_branch(x, 0.5)
    y = g.analog_conv(x, c, (3, 3), relu=True)
    q6 = g.analog_conv(y, c, (3, 3), bn=False)
    s = g._fresh("QResidual")
    mul = g.init(s + ".mul", rng.integers(4, 12, size=(1, c, 1, 1)))
    add = g.init(s + ".add", rng.integers(-60, 90, size=(1, c, 1, 1)))
    t = g.op("Mul", [mul, q6], s)
    t = g.op("Add", [t, add], s)
    y = g.add(skip, t, relu=True)
    return finish(g, rng, y, p)


def b_analog_net(name, rng, p):
    h, w = p["hw"]
    c = p["c"]
    g, x = start(name, rng, (3, h, w), p)
    x = g.conv(x, c, (3, 3))
    x = g.analog_conv(x, c, (3, 3), stride=(2, 2))
    x = g.conv(x, c, (3, 3), group=c)  # depthwise stays digital
    x = g.analog_conv(x, 2 * c, (1, 1), relu=False)
    x = g.gap_head(x)
    x = g.gemm(x, 10, relu=False)
    return finish(g, rng, x, p)


def b_random(name, rng, p):
    """A random stack of 5-30 Conv/depthwise/Gemm/Add layers, sometimes with a pooling head."""
    n_layers = int(rng.integers(5, 31))
    style = ["conv", "conv", "conv", "mlp"][p["index"] % 4]
    layers = 0
    if style == "mlp":
        g, x = start(name, rng, (int(rng.integers(8, 129)),), p)
        width = g.values[x].shape[1]
        while layers < n_layers:
            nout = int(rng.integers(4, 97))
            if width >= 4 and rng.random() < 0.2 and layers + 3 <= n_layers:
                a = g.gemm(x, nout, relu=bool(rng.random() < 0.5), trans_b=int(rng.integers(2)))
                b = g.gemm(x, nout, relu=bool(rng.random() < 0.5), trans_b=int(rng.integers(2)))
                x = g.add(a, b, relu=bool(rng.random() < 0.5))
                layers += 3
            else:
                x = g.gemm(x, nout, relu=bool(rng.random() < 0.7), trans_b=int(rng.integers(2)))
                layers += 1
            width = nout
        return finish(g, rng, x, p)

    cin = int(rng.choice([1, 3, 4, 8]))
    h, w = int(rng.integers(5, 25)), int(rng.integers(5, 25))
    g, x = start(name, rng, (cin, h, w), dict(p, n=int(rng.integers(2, 5))))
    head = rng.random() < 0.6
    body = n_layers - (1 if head else 0)
    while layers < body:
        c = x_channels(g, x)
        _, _, hh, ww = g.values[x].shape
        r = rng.random()
        relu = bool(rng.random() < 0.7)
        if r < 0.35:
            k = tuple(int(v) for v in rng.choice([1, 3, 5], size=2)) if rng.random() < 0.3 else \
                (int(rng.choice([1, 3, 5])),) * 2
            s = 2 if (hh >= 6 and ww >= 6 and rng.random() < 0.25) else 1
            x = g.conv(x, int(rng.integers(2, 33)), k, stride=(s, s), relu=relu,
                       bias=bool(rng.random() < 0.9))
            layers += 1
        elif r < 0.6:
            s = 2 if (hh >= 6 and ww >= 6 and rng.random() < 0.25) else 1
            x = g.conv(x, c, (3, 3), stride=(s, s), group=c, relu=relu)
            layers += 1
        elif layers + 4 <= body and hh >= 6 and ww >= 6 and rng.random() < 0.3:
            # ResNet-style downsampling block with a 1x1 stride-2 projection on the skip path.
            x = residual_block(g, x, int(rng.integers(2, 33)), relu=bool(rng.random() < 0.8), proj=True)
            layers += 4
        elif layers + 3 <= body:
            x = residual_block(g, x, c, relu=bool(rng.random() < 0.8))
            layers += 3
        else:
            x = g.conv(x, int(rng.integers(2, 33)), (1, 1), relu=relu)
            layers += 1
    if head:
        x = g.gap_head(x)
        x = g.gemm(x, int(rng.integers(2, 17)), relu=False, trans_b=int(rng.integers(2)))
    return finish(g, rng, x, p)


BUILDERS = {
    "conv": b_conv, "dense": b_dense, "residual": b_residual, "dscnn": b_dscnn,
    "mobilenet": b_mobilenet, "fanout_input": b_fanout_input, "fanout_skip": b_fanout_skip,
    "fanout_acc": b_fanout_acc, "head": b_head, "flatten_dense": b_flatten_dense,
    "analog": b_analog, "analog_residual": b_analog_residual, "analog_net": b_analog_net,
    "random": b_random,
}
