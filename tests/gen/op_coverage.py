#!/usr/bin/python3
"""op_coverage.py: small models that exercise every op and attribute evaluate.py models.

The Quantlib corpus uses only part of what evaluate.py implements (no Clip, Relu, Sub, Reshape,
Identity, Gemm transA/alpha/beta, auto_pad). These models cover the rest so that ort_check can
compare the evaluator with ONNX Runtime on all of it. Values stay integer (and alpha/beta powers
of two), so float32 results are exact in any summation order. Not part of the htvm corpus: the
models are not Quantlib-style. Same layout as quantlib_cases.py: DIR/<name>/{model.onnx,
inputs.npy, outputs.npy}.

    /usr/bin/python3 tests/gen/op_coverage.py --out DIR
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402

F32 = np.float32


def _init(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=F32), name)


def _model(name, nodes, in_shape, out_shape, inits, opset=10):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, in_shape)],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, out_shape)], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="htvm-tests-gen")
    m.ir_version = 5 if opset <= 10 else 7
    onnx.checker.check_model(m)
    return m


def _n(op, ins, out, **attrs):
    return helper.make_node(op, ins, [out], name=out, **attrs)


def models(rng):
    ri = lambda lo, hi, shape: rng.integers(lo, hi, size=shape).astype(F32)  # noqa: E731
    out = {}

    out["clip10_relu_sub"] = (_model("clip10_relu_sub", [
        _n("Floor", ["input"], "f"), _n("Clip", ["f"], "c", min=-50.0, max=60.0), _n("Sub", ["c", "k"], "s"),
        _n("Relu", ["s"], "output")], [1, 4, 5, 5], [1, 4, 5, 5], [_init("k", ri(-20, 20, (1, 4, 1, 1)))]),
        [1, 4, 5, 5])

    out["clip11_inputs"] = (_model("clip11_inputs", [
        _n("Floor", ["input"], "f"), _n("Clip", ["f", "lo", "hi"], "output")], [1, 16], [1, 16],
        [_init("lo", np.array(-7.0)), _init("hi", np.array(9.0))], opset=11), [1, 16])

    out["gemm_transa_alpha_beta"] = (_model("gemm_transa_alpha_beta", [
        _n("Floor", ["input"], "f"), _n("Gemm", ["f", "w", "c"], "output", transA=1, transB=0, alpha=0.5, beta=2.0)],
        [6, 1], [1, 4], [_init("w", ri(-128, 128, (6, 4))), _init("c", ri(-1000, 1000, (4,)))]), [6, 1])

    out["gemm_transab_2d_bias"] = (_model("gemm_transab_2d_bias", [
        _n("Floor", ["input"], "f"), _n("Gemm", ["f", "w", "c"], "output", transA=1, transB=1, alpha=4.0, beta=0.25)],
        [5, 1], [1, 3], [_init("w", ri(-128, 128, (3, 5))), _init("c", 4 * ri(-500, 500, (1, 3)))]), [5, 1])

    out["reshape_identity_gemm"] = (_model("reshape_identity_gemm", [
        _n("Floor", ["input"], "f"), _n("Reshape", ["f", "shape"], "r"), _n("Identity", ["r"], "i"),
        _n("Gemm", ["i", "w", "c"], "output", transB=1)], [1, 2, 3, 4], [1, 5],
        [numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "shape"), _init("w", ri(-128, 128, (5, 24))),
         _init("c", ri(-100, 100, (5,)))]), [1, 2, 3, 4])

    out["conv_group2_dil_stride"] = (_model("conv_group2_dil_stride", [
        _n("Floor", ["input"], "f"),
        _n("Conv", ["f", "w", "b"], "output", group=2, dilations=[2, 1], strides=[1, 2], pads=[1, 0, 2, 3],
           kernel_shape=[3, 2])], [1, 4, 9, 8], [1, 6, 8, 5],
        [_init("w", ri(-128, 128, (6, 2, 3, 2))), _init("b", ri(-999, 999, (6,)))]), [1, 4, 9, 8])

    out["conv_auto_pad_valid"] = (_model("conv_auto_pad_valid", [
        _n("Floor", ["input"], "f"), _n("Conv", ["f", "w"], "output", auto_pad="VALID", strides=[2, 2])],
        [1, 3, 7, 7], [1, 5, 3, 3], [_init("w", ri(-128, 128, (5, 3, 3, 3)))]), [1, 3, 7, 7])

    out["max_min_variadic"] = (_model("max_min_variadic", [
        _n("Floor", ["input"], "f"), _n("Max", ["f", "a", "b"], "mx"), _n("Min", ["mx", "c", "d"], "output")],
        [1, 3, 4, 4], [1, 3, 4, 4],
        [_init("a", ri(-50, 0, (1, 3, 1, 1))), _init("b", ri(-60, 10, (4,))), _init("c", ri(0, 60, (1, 3, 4, 1))),
         _init("d", np.array([55.0]))]), [1, 3, 4, 4])

    out["mul_div_add_broadcast"] = (_model("mul_div_add_broadcast", [
        _n("Floor", ["input"], "f"), _n("Mul", ["m", "f"], "mu"), _n("Div", ["mu", "d"], "dv"),
        _n("Floor", ["dv"], "fl"), _n("Add", ["fl", "a"], "output")], [1, 4, 3, 3], [1, 4, 3, 3],
        [_init("m", ri(1, 16, (1, 4, 1, 1))), numpy_helper.from_array(np.array([2.9293065, 12.022852, 0.5, 7.0],
                                                                               dtype=F32).reshape(1, 4, 1, 1), "d"),
         _init("a", ri(-40, 40, (1, 4, 1, 1)))]), [1, 4, 3, 3])

    out["gap_flatten_axis"] = (_model("gap_flatten_axis", [
        _n("Floor", ["input"], "f"), _n("GlobalAveragePool", ["f"], "g"), _n("Flatten", ["g"], "output", axis=1)],
        [1, 64, 5, 7], [1, 64], []), [1, 64, 5, 7])
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description="Writes small models covering every op evaluate.py models.")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    rng = np.random.default_rng(7)
    cases = models(rng)
    for name, (m, in_shape) in cases.items():
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        onnx.save(m, os.path.join(d, "model.onnx"))
        x = rng.uniform(-130, 130, size=[3] + in_shape[1:]).astype(F32) if in_shape[0] == 1 else \
            rng.uniform(-130, 130, size=in_shape).astype(F32)
        np.save(os.path.join(d, "inputs.npy"), x)
        np.save(os.path.join(d, "outputs.npy"), evaluate.evaluate_samples(m, x))
    print("wrote %d op-coverage models to %s" % (len(cases), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
