// Hand-made accelerator layers for the tiling and simulator tests: the five ops the built-in kinds
// run, each with the tiling contract its backend states (tile shape, activation layout, channel and
// column multiples, a hoisted weight load), written here independently of src/backends so that a
// test case is a few numbers rather than a graph. backend_layers_test checks that the backends
// shape real nodes the same way.
#pragma once

#include "tiling/tile_plan.h"

namespace htvm::testing {

enum class TestOp { Conv, Depthwise, Dense, Add, AnalogConv };

inline const char* testOpName(TestOp op) {
  switch (op) {
    case TestOp::Conv: return "conv";
    case TestOp::Depthwise: return "depthwise";
    case TestOp::Dense: return "dense";
    case TestOp::Add: return "add";
    case TestOp::AnalogConv: return "analog conv";
  }
  return "?";
}

struct TestLayer : TileLayer {
  TestOp op = TestOp::Conv;
};

// Digital conv: K in 16-channel stream blocks, W16 column tiles; depthwise: any channel count;
// dense: outputs in 16s; add: bytes; analog conv: K never split (the array holds it), any column,
// the array loaded once.
inline void setOp(TestLayer& l, TestOp op) {
  l.op = op;
  l.preload = op == TestOp::AnalogConv;
  l.conv.depthwise = op == TestOp::Depthwise;
  switch (op) {
    case TestOp::Conv:
    case TestOp::Depthwise:
      l.shape = TileShape::Window;
      l.layout = Layout::CHW_W16_REV4;
      l.kMultiple = op == TestOp::Conv ? 16 : 1;
      l.wMultiple = 16;
      break;
    case TestOp::AnalogConv:
      l.shape = TileShape::Window;
      l.layout = Layout::HWC_C64_REV4;
      l.kMultiple = 0;
      l.wMultiple = 1;
      break;
    case TestOp::Dense:
      l.shape = TileShape::Vector;
      l.layout = Layout::VEC16_REV4;
      l.kMultiple = 16;
      break;
    case TestOp::Add:
      l.shape = TileShape::Flat;
      l.layout = Layout::CHW_W16_REV4;
      l.operands = 2;
      break;
  }
}

}  // namespace htvm::testing
