#!/usr/bin/python3
"""quantlib_cases.py: the seeded corpus of generated Quantlib-style ONNX test cases.

Each case is a named parameter set (as CMSIS-NN names its test datasets) that a builder in
qlnets.py turns into a graph with qlgraph.QLGraph. For every case this writes
    OUT/<case>/model.onnx    opset 10, float input `input`, float output `output`
    OUT/<case>/inputs.npy    N float32 samples stacked on the first axis (the model's batch is 1)
    OUT/<case>/outputs.npy   the expected outputs, computed by evaluate.py from the saved file
The expected outputs never come from htvm. Everything is seeded from the case name, so a case
comes out byte-identical whether it is generated alone (--only) or with the whole corpus.

    /usr/bin/python3 tests/gen/quantlib_cases.py --out DIR [--only NAME ...] [-v]
    /usr/bin/python3 tests/gen/quantlib_cases.py --list
"""

import argparse
import os
import sys
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402
from qlgraph import Degenerate  # noqa: E402
from qlnets import BUILDERS  # noqa: E402

SEED = 20240601
MAX_ATTEMPTS = 30

KERNELS = {"7x7": (7, 7), "5x5": (5, 5), "3x3": (3, 3), "1x1": (1, 1), "7x5": (7, 5)}
# (cin, cout, h, w) for the conv sweep, one per kernel: odd and even sizes, 1..16 channels.
CONV_SHAPES = {"7x7": (3, 8, 12, 12), "5x5": (4, 16, 11, 9), "3x3": (8, 8, 16, 16),
               "1x1": (16, 12, 9, 13), "7x5": (1, 8, 15, 14)}
# (channels, h, w) for the depthwise sweep.
DW_SHAPES = {"7x7": (8, 12, 12), "5x5": (16, 11, 9), "3x3": (3, 16, 16), "1x1": (12, 9, 13),
             "7x5": (32, 15, 14)}


def conv(cin, cout, hw, k=(3, 3), **kw):
    return dict(kind="conv", cin=cin, cout=cout, hw=hw, k=k, **kw)


def dw(c, hw, k=(3, 3), **kw):
    return dict(kind="conv", cin=c, cout=c, hw=hw, k=k, group=c, **kw)


def build_cases():
    """Case name -> parameters. Order is the corpus order."""
    c = {}
    for r in ("relu", "norelu"):
        for s in (1, 2):
            for kn, k in KERNELS.items():
                cin, cout, h, w = CONV_SHAPES[kn]
                c["conv_%s_s%d_k%s" % (r, s, kn)] = conv(cin, cout, (h, w), k, stride=(s, s), relu=r == "relu")
    for r in ("relu", "norelu"):
        for s in (1, 2):
            for kn, k in KERNELS.items():
                ch, h, w = DW_SHAPES[kn]
                c["dw_%s_s%d_k%s" % (r, s, kn)] = dw(ch, (h, w), k, stride=(s, s), relu=r == "relu")

    # Dense layers: input [1, K], Gemm with transB 1 (as exported) or 0.
    c["dense_relu"] = dict(kind="dense", nin=96, layers=[(40, True, 1)])
    c["dense_norelu"] = dict(kind="dense", nin=96, layers=[(40, False, 1)])
    c["dense_transb0"] = dict(kind="dense", nin=50, layers=[(24, True, 0), (10, False, 0)])
    c["dense_transb1"] = dict(kind="dense", nin=50, layers=[(24, True, 1), (10, False, 1)])
    c["dense_mixed_trans"] = dict(kind="dense", nin=33, layers=[(17, True, 0), (15, True, 1), (3, False, 0)])
    c["dense_zero_bias"] = dict(kind="dense", nin=64, layers=[(16, True, 1, False), (8, False, 1, False)])
    c["dense_wide_fanin"] = dict(kind="dense", nin=2048, layers=[(16, False, 1)])
    c["dense_1to4"] = dict(kind="dense", nin=1, layers=[(4, False, 1)], n=4)
    c["dense_dae_like"] = dict(kind="dense", nin=256, layers=[(64, True, 1), (64, True, 1), (8, True, 1),
                                                              (64, True, 1), (256, False, 1)])

    # Residual adds: two branches, Add, requantizer.
    c["residual_relu"] = dict(kind="residual", c=8, hw=(10, 10), relu=True)
    c["residual_norelu"] = dict(kind="residual", c=8, hw=(9, 11), relu=False)
    c["residual_shift0"] = dict(kind="residual", c=16, hw=(8, 8), relu=True, add_k=0)
    c["residual_proj_s2"] = dict(kind="residual", c=8, cout=16, hw=(16, 16), relu=True, proj=True)
    c["residual_chain"] = dict(kind="residual", c=12, hw=(7, 7), relu=True, blocks=3)

    # Channel counts (3x3 conv c -> c on 8x8; 256 as a 1x1 conv on 4x4) and depthwise ones.
    for ch in (1, 3, 4, 15, 16, 17, 64):
        c["ch_%d" % ch] = conv(ch, ch, (8, 8))
    c["ch_256"] = conv(256, 256, (4, 4), (1, 1), n=2)
    for ch in (1, 4, 15, 17, 256):
        c["dwch_%d" % ch] = dw(ch, (6, 6), n=2 if ch == 256 else 3)

    # Spatial sizes.
    c["hw_1x1"] = conv(8, 8, (1, 1))
    c["hw_1x1_k1"] = conv(16, 8, (1, 1), (1, 1), relu=False)
    c["hw_2x2"] = conv(4, 8, (2, 2))
    c["hw_5x5"] = conv(4, 8, (5, 5), (5, 5))
    c["hw_17x17"] = conv(3, 8, (17, 17), stride=(2, 2))
    c["hw_33x33"] = dw(4, (33, 33), stride=(2, 2))
    c["hw_64x64"] = conv(3, 8, (64, 64), n=2)
    c["hw_1x64"] = conv(4, 8, (1, 64), (1, 5))
    c["hw_64x1"] = conv(4, 8, (64, 1), (5, 1), stride=(2, 1))
    c["hw_7x13"] = conv(5, 6, (7, 13), relu=False)

    # Padding: asymmetric, none, larger than the kernel, and the DS-CNN first layer.
    c["pad_0110"] = conv(4, 8, (9, 9), pads=[0, 1, 1, 0])
    c["pad_1001"] = conv(4, 8, (9, 10), pads=[1, 0, 0, 1], relu=False)
    c["pad_2103_k5"] = conv(3, 8, (11, 12), (5, 5), pads=[2, 1, 0, 3])
    c["pad_valid_k3"] = conv(6, 8, (10, 10), pads=[0, 0, 0, 0])
    c["pad_over_k3"] = conv(4, 8, (6, 6), pads=[2, 2, 2, 2], relu=False)
    c["pad_s2_tf_same"] = conv(4, 8, (12, 12), stride=(2, 2), pads=[0, 0, 1, 1])
    c["dw_pad_0110"] = dw(8, (9, 9), pads=[0, 1, 1, 0])
    c["dscnn_first_conv"] = conv(1, 64, (10, 49), (10, 4), stride=(2, 2), pads=[5, 1, 5, 1], in_k=1, n=3)
    c["dscnn_like"] = dict(kind="dscnn", c=32, blocks=2)

    # Convolutions without bias.
    c["conv_nobias_relu"] = conv(8, 16, (8, 8), bias=False)
    c["conv_nobias_norelu"] = conv(8, 16, (8, 8), bias=False, relu=False)
    c["dw_nobias"] = dw(16, (8, 8), bias=False)

    # Other conv attributes.
    c["conv_dil2_k3"] = conv(4, 8, (12, 12), dil=(2, 2), pads=[2, 2, 2, 2])
    c["conv_stride_2x1"] = conv(4, 8, (10, 9), stride=(2, 1))
    c["conv_stride_3"] = conv(4, 8, (13, 13), stride=(3, 3), relu=False)
    c["conv_group_4"] = conv(8, 16, (8, 8), group=4)
    c["conv_wide_fanin"] = conv(256, 8, (5, 5), (5, 5), n=2)

    # Input and output quantizer shifts.
    c["input_div2"] = conv(3, 8, (8, 8), in_k=-1)
    c["input_div1"] = conv(3, 8, (8, 8), in_k=0, relu=False)
    c["input_k7"] = conv(3, 8, (8, 8), in_k=7)
    c["output_div1"] = conv(3, 8, (8, 8), out_k=0)

    # Fan-out: one tensor read by several consumers.
    c["fanout_input3"] = dict(kind="fanout_input", c=4, hw=(8, 8))
    c["fanout_skip"] = dict(kind="fanout_skip", c=8, hw=(9, 9))
    c["fanout_accumulator"] = dict(kind="fanout_acc", c=8, hw=(8, 8))

    # Pooling heads: GlobalAveragePool -> Flatten -> Floor -> Max -> Min -> Gemm.
    c["head_gap_5x5"] = dict(kind="head", c=12, hw=(5, 5), classes=10)
    c["head_gap_12x12"] = dict(kind="head", c=16, hw=(12, 12), classes=12)
    c["head_gap_1x1"] = dict(kind="head", c=16, hw=(1, 1), classes=4)
    c["head_gap_norelu"] = dict(kind="head", c=8, hw=(7, 6), classes=5, relu=False)
    c["flatten_dense"] = dict(kind="flatten_dense", c=4, hw=(4, 5), classes=10)
    c["mobilenet_block"] = dict(kind="mobilenet", c=8)

    # DIANA analog style: ternary weights, no bias, 6-bit requant, integer batch-norm Mul/Add.
    c["analog_conv_relu"] = dict(kind="analog", c=16, hw=(8, 8), relu=True)
    c["analog_conv_norelu"] = dict(kind="analog", c=16, hw=(8, 8), relu=False, mul_first=False)
    c["analog_residual"] = dict(kind="analog_residual", c=16, hw=(8, 8))
    c["analog_mixed_net"] = dict(kind="analog_net", c=16, hw=(16, 16))

    # Seeded random whole networks.
    for i in range(10):
        c["random_net_%d" % i] = dict(kind="random", index=i)
    return c


CASES = build_cases()


# ------------------------------------------------------------------------------------------------


def build(name):
    """Builds a case, reseeding when a layer comes out degenerate. Returns (QLGraph, attempt)."""
    p = CASES[name]
    last = None
    for attempt in range(MAX_ATTEMPTS):
        rng = np.random.default_rng([SEED, zlib.crc32(name.encode()), attempt])
        try:
            return BUILDERS[p["kind"]](name, rng, p), attempt
        except Degenerate as e:
            last = e
    raise RuntimeError("case %s: every attempt was degenerate; last: %s" % (name, last))


def audit(model):
    """Checks a saved model against the Quantlib export facts, independently of the builder:
    opset 10, one float input `input` and output `output`, integer Conv/Gemm weights in
    [-128, 127] with integer biases, and every accumulator bound 128 * sum|w| + |b| below 2^24.
    Returns the largest bound."""
    from onnx import numpy_helper

    assert [(o.domain, o.version) for o in model.opset_import][0] == ("", 10)
    g = model.graph
    assert [i.name for i in g.input] == ["input"] and [o.name for o in g.output] == ["output"]
    assert g.input[0].type.tensor_type.elem_type == g.output[0].type.tensor_type.elem_type == 1
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    assert all(a.dtype == np.float32 for a in inits.values())
    worst = 0.0
    for n in g.node:
        if n.op_type not in ("Conv", "Gemm"):
            continue
        w = inits[n.input[1]]
        trans_b = any(a.name == "transB" and a.i for a in n.attribute)
        rows = w if n.op_type == "Conv" or trans_b else w.T
        rows = np.abs(rows.reshape(rows.shape[0], -1).astype(np.float64)).sum(axis=1) * 128
        if len(n.input) > 2:
            b = inits[n.input[2]]
            assert np.all(b == np.round(b)), n.name
            rows = rows + np.abs(b.astype(np.float64))
        assert np.all(w == np.round(w)) and w.min() >= -128 and w.max() <= 127, n.name
        worst = max(worst, float(rows.max()))
    assert worst < 2 ** 24, "accumulator bound %d" % worst
    return worst


def generate(name, out_dir, verbose=False):
    import onnx

    g, attempt = build(name)
    model = g.model(extra_domains=zlib.crc32(name.encode()) % 2 == 1)
    bound = audit(model)
    case_dir = os.path.join(out_dir, name)
    os.makedirs(case_dir, exist_ok=True)
    path = os.path.join(case_dir, "model.onnx")
    onnx.save(model, path)
    x = g.values["input"]
    # The golden comes from evaluating the saved file, independently of the builder's values.
    y = evaluate.evaluate_samples(onnx.load(path), x)
    if not np.array_equal(y, g.values["output"]):
        raise RuntimeError("case %s: evaluating the saved model disagrees with the builder" % name)
    np.save(os.path.join(case_dir, "inputs.npy"), x)
    np.save(os.path.join(case_dir, "outputs.npy"), y)
    if verbose:
        layers = sum(n.op_type in ("Conv", "Gemm") for n in model.graph.node)
        shifts = [s["shift"] for s in g.layer_stats]
        print("%-28s in %-16s out %-16s %2d conv/gemm, %3d nodes, max bound 2^%.1f, attempt %d, shifts %s" % (
            name, list(x.shape), list(y.shape), layers, len(model.graph.node), np.log2(max(bound, 1)),
            attempt, shifts))


def main(argv=None):
    p = argparse.ArgumentParser(description="Writes the generated Quantlib-style test corpus.")
    p.add_argument("--out", help="output directory (one sub-folder per case)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="generate only these cases")
    p.add_argument("--list", action="store_true", help="print the case names and exit")
    p.add_argument("-v", "--verbose", action="store_true", help="print a summary line per case")
    args = p.parse_args(argv)
    if args.list:
        print("\n".join(CASES))
        return 0
    if not args.out:
        p.error("--out is required (or --list)")
    names = args.only or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        p.error("unknown case(s): %s" % ", ".join(unknown))
    t0 = time.time()
    for n in names:
        generate(n, args.out, verbose=args.verbose)
    print("generated %d cases in %s (%.1fs)" % (len(names), args.out, time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
