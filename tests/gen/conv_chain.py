"""conv_chain.py: writes a Quantlib-style chain of N digital conv layers, for compile-time benchmarks.

The graph is the shape of the real exports without their size: an input quantizer
Mul(8) -> Floor -> Clip(-128, 127), then N times Conv 1x1 (16 -> 16 channels, weights 1, bias 0)
-> Div(4) -> Floor -> Clip(0, 127) on a [1, 16, 4, 4] tensor. Every conv fuses into a qconv2d that
the digital accelerator takes whole, so the compiler plans N accelerator layers and N - 1
tensors that may stay in L1: the workload whose planning cost grows with the layer count.

    /usr/bin/python3 tests/gen/conv_chain.py N OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def chain(n):
    inits = []

    def const(name, value):
        inits.append(numpy_helper.from_array(np.array(value, np.float32), name))

    const("w", np.ones((16, 16, 1, 1)))
    const("b", np.zeros(16))
    const("eight", 8.0)
    const("four", 4.0)
    const("lo", -128.0)
    const("hi", 127.0)
    const("zero", 0.0)
    nodes = [
        helper.make_node("Mul", ["x", "eight"], ["q0"], name="quant_mul"),
        helper.make_node("Floor", ["q0"], ["q1"], name="quant_floor"),
        helper.make_node("Clip", ["q1", "lo", "hi"], ["a0"], name="quant_clip"),
    ]
    prev = "a0"
    for i in range(n):
        nodes += [
            helper.make_node("Conv", [prev, "w", "b"], [f"c{i}"], name=f"conv{i}", kernel_shape=[1, 1]),
            helper.make_node("Div", [f"c{i}", "four"], [f"d{i}"], name=f"div{i}"),
            helper.make_node("Floor", [f"d{i}"], [f"f{i}"], name=f"floor{i}"),
            helper.make_node("Clip", [f"f{i}", "zero", "hi"], [f"r{i}"], name=f"clip{i}"),
        ]
        prev = f"r{i}"
    shape = [1, 16, 4, 4]
    graph = helper.make_graph(
        nodes, f"conv_chain_{n}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, shape)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


if __name__ == "__main__":
    onnx.save(chain(int(sys.argv[1])), sys.argv[2])
