// End-to-end tests of the generated CPU kernels: each builds a small graph, emits C, compiles it
// for the host and for rv32 with -Wall -Wextra -Werror, runs the demo and compares with values
// worked out by hand from the op definitions (never with output of the code under test).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "codegen/c/emit_context.h"
#include "codegen_test_util.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

using namespace htvm::testing;

TEST(CpuKernelTable, CoversEveryOpKind) {
  for (int k = 0; k < static_cast<int>(OpKind::kCount); ++k)
    EXPECT_NE(cpuBodyEmitter(static_cast<OpKind>(k)), nullptr) << opName(static_cast<OpKind>(k));
}

// Input 1x1x4x4 with x[h][w] = 4h + w + 1; kernel [[1,0,0],[0,2,0],[0,0,-1]], bias 0.5, stride 2,
// pad 1. Output (oh, ow) reads x[2oh-1][2ow-1], x[2oh][2ow], x[2oh+1][2ow+1] (0 outside):
//   (0,0): 0 + 2*1 - 6 + 0.5 = -3.5      (0,1): 0 + 2*3 - 8 + 0.5 = -1.5
//   (1,0): 0 + 2*9 - 14 + 0.5 = 4.5      (1,1): 6 + 2*11 - 16 + 0.5 = 12.5
Graph floatConvGraph() {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 1, 4, 4}});
  TensorId w = b.constant("w", {DType::F32, {1, 1, 3, 3}}, {1, 0, 0, 0, 2, 0, 0, 0, -1});
  TensorId bias = b.constant("b", {DType::F32, {1}}, {0.5});
  TensorId y = b.node({"conv1", "Conv"}, OpKind::Conv2D, {x, w, bias}, {DType::F32, {1, 1, 2, 2}},
                      convAttrs({2, 2}, {1, 1, 1, 1}, {1, 1}, 1));
  return b.output(y);
}

TEST(CpuKernels, FloatConv3x3Stride2Pad1) {
  TempDir dir("conv");
  std::vector<float> in(16);
  for (int i = 0; i < 16; ++i) in[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  EXPECT_EQ(compileAndRun(floatConvGraph(), dir.path(), in),
            (std::vector<float>{-3.5f, -1.5f, 4.5f, 12.5f}));
  std::string layers = readText(dir.path() / "src/cpu_layers.c");
  EXPECT_NE(layers.find("/* node 'conv1' (Conv 3x3, 1->1, s2, p1,1,1,1)"), std::string::npos)
      << layers;
}

// Integer conv, two input channels: ch0 = 1..9, ch1 = -1 everywhere; w ch0 [[1,-1],[2,0]],
// ch1 all 3; bias 10. ch0 part: x[i][j] - x[i][j+1] + 2 x[i+1][j] = 7, 9, 13, 15;
// ch1 part: 4 * 3 * -1 = -12. Output: 5, 7, 11, 13.
Graph intConvGraph() {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2, 3, 3}});
  TensorId xi = b.node("to_i8", OpKind::Cast, {x}, DType::I8);
  TensorId w = b.constant("w", {DType::I8, {1, 2, 2, 2}}, {1, -1, 2, 0, 3, 3, 3, 3});
  TensorId bias = b.constant("b", {DType::I32, {1}}, {10});
  TensorId acc = b.node({"conv_int", "ConvInteger"}, OpKind::Conv2D, {xi, w, bias},
                        {DType::I32, {1, 1, 2, 2}}, convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1));
  return b.output(b.node("to_f32", OpKind::Cast, {acc}, DType::F32));
}

std::vector<float> intConvInput() {
  return {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1};
}

TEST(CpuKernels, IntegerConvAccumulatesInInt32WithBias) {
  TempDir dir("iconv");
  EXPECT_EQ(compileAndRun(intConvGraph(), dir.path(), intConvInput()),
            (std::vector<float>{5, 7, 11, 13}));
  EXPECT_NE(readText(dir.path() / "src/weights.c").find("const int8_t htvm_w"), std::string::npos);
}

// Grouped conv (group 2): channel 0 of the output sees only input channel 0, channel 1 only
// input 1. ch0: x0 = 1..9 with [[1,-1],[2,0]] -> 7, 9, 13, 15. ch1: x1 = identity 3x3 with all-ones
// 2x2 -> (0,0) 1+0+0+1 = 2, (0,1) 0+0+1+0 = 1, (1,0) 0+1+0+0 = 1, (1,1) 1+0+0+1 = 2. No bias.
TEST(CpuKernels, GroupedConvWithoutBias) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2, 3, 3}});
  TensorId w = b.constant("w", {DType::F32, {2, 1, 2, 2}}, {1, -1, 2, 0, 1, 1, 1, 1});
  TensorId y = b.node({"dw", "Conv"}, OpKind::Conv2D, {x, w, -1}, {DType::F32, {1, 2, 2, 2}},
                      convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 2));
  TempDir dir("group");
  EXPECT_EQ(compileAndRun(b.output(y), dir.path(),
                          {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 0, 0, 1, 0, 0, 0, 1}),
            (std::vector<float>{7, 9, 13, 15, 2, 1, 1, 2}));
}

// Dilation 2 on a 3x3 input with a 2x2 kernel touches the corners: 1*1 + 3*10 + 7*100 + 9*1000.
TEST(CpuKernels, DilatedConvTouchesCorners) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 1, 3, 3}});
  TensorId w = b.constant("w", {DType::F32, {1, 1, 2, 2}}, {1, 10, 100, 1000});
  TensorId y = b.node({"dil", "Conv"}, OpKind::Conv2D, {x, w}, {DType::F32, {1, 1, 1, 1}},
                      convAttrs({1, 1}, {0, 0, 0, 0}, {2, 2}, 1));
  TempDir dir("dil");
  EXPECT_EQ(compileAndRun(b.output(y), dir.path(), {1, 2, 3, 4, 5, 6, 7, 8, 9}),
            (std::vector<float>{9731}));
}

// x = [1, 2, 3]. Dense trans_b=1, W [[1,0,-1],[2,1,0]], b [0.5, -1]: [1-3+0.5, 2+2-1] = [-1.5, 3].
// Dense trans_b=0, W [[1,2],[3,4]] (K x M): [-1.5*1 + 3*3, -1.5*2 + 3*4] = [7.5, 9].
TEST(CpuKernels, DenseWithAndWithoutTransposedWeights) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 3}});
  TensorId w1 = b.constant("w1", {DType::F32, {2, 3}}, {1, 0, -1, 2, 1, 0});
  TensorId b1 = b.constant("b1", {DType::F32, {2}}, {0.5, -1});
  TensorId h = b.node({"fc1", "Gemm"}, OpKind::Dense, {x, w1, b1}, {DType::F32, {1, 2}},
                      {{"trans_b", int64_t{1}}});
  TensorId w2 = b.constant("w2", {DType::F32, {2, 2}}, {1, 2, 3, 4});
  TensorId y = b.node({"fc2", "MatMul"}, OpKind::Dense, {h, w2}, {DType::F32, {1, 2}},
                      {{"trans_b", int64_t{0}}});
  TempDir dir("dense");
  // Two samples: the second is x = [0, 0, 1]: fc1 = [-1 + 0.5, -1] = [-0.5, -1]; fc2 = [-0.5 - 3,
  // -1 - 4].
  EXPECT_EQ(compileAndRun(b.output(y), dir.path(), {1, 2, 3, 0, 0, 1}),
            (std::vector<float>{7.5f, 9, -3.5f, -5}));
}

// Integer dense: int8 x int8 -> int32 with int32 bias; x = [100, -100], W (trans_b 0) [[127, 1],
// [-128, 1]]: [100*127 + -100*-128, 100 - 100] + [1, 2] = [25501, 2].
TEST(CpuKernels, IntegerDense) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2}});
  TensorId xi = b.node("q", OpKind::Cast, {x}, DType::I8);
  TensorId w = b.constant("w", {DType::I8, {2, 2}}, {127, 1, -128, 1});
  TensorId bias = b.constant("b", {DType::I32, {2}}, {1, 2});
  TensorId acc = b.node({"fc", "MatMulInteger"}, OpKind::Dense, {xi, w, bias}, {DType::I32, {1, 2}},
                        {{"trans_b", int64_t{0}}});
  TempDir dir("idense");
  EXPECT_EQ(compileAndRun(b.output(b.node("f", OpKind::Cast, {acc}, DType::F32)), dir.path(),
                          {100, -100}),
            (std::vector<float>{25501, 2}));
}

// x[1,2,2,3] = 0..11 (value 6c + 3h + w); + c1[1,2,1,1] = [10, 20]; * c2[3] = [1, -1, 0.5].
// The add node has a name with C comment and trigraph characters to exercise sanitization.
TEST(CpuKernels, BroadcastAddAndMulWithConstants) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2, 2, 3}});
  TensorId c1 = b.constant("c1", {DType::F32, {1, 2, 1, 1}}, {10, 20});
  TensorId c2 = b.constant("c2", {DType::F32, {3}}, {1, -1, 0.5});
  TensorId s =
      b.node({"add/1 */ \"q\" ?\?=", "Add"}, OpKind::Add, {x, c1}, {DType::F32, {1, 2, 2, 3}});
  TensorId y = b.node({"mul", "Mul"}, OpKind::Mul, {s, c2}, {DType::F32, {1, 2, 2, 3}});
  std::vector<float> in(12);
  for (int i = 0; i < 12; ++i) in[static_cast<size_t>(i)] = static_cast<float>(i);
  TempDir dir("bcast");
  EXPECT_EQ(compileAndRun(b.output(y), dir.path(), in),
            (std::vector<float>{10, -11, 6, 13, -14, 7.5f, 26, -27, 14, 29, -30, 15.5f}));
}

// Broadcast where both operands expand: a[2,1] + b[1,3] = [[a0+b0, a0+b1, a0+b2], [a1+b0, ...]].
TEST(CpuKernels, BroadcastOfBothOperands) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {2, 1}});
  TensorId c = b.constant("c", {DType::F32, {1, 3}}, {100, 200, 300});
  TensorId y = b.node({"sub", "Sub"}, OpKind::Sub, {c, x}, {DType::F32, {2, 3}});
  TempDir dir("both");
  EXPECT_EQ(compileAndRun(b.output(y), dir.path(), {1, 2}),
            (std::vector<float>{99, 199, 299, 98, 198, 298}));
}

// Integer division family on [-7, -6, -1, 0, 5, 7]:
//   floor_div 3:        [-3, -2, -1, 0, 1, 2]
//   shift_right 2:      floor(x / 4) = [-2, -2, -1, 0, 1, 1]
//   floor_div_f32 2.5:  floor(x / 2.5) = floor([-2.8, -2.4, -0.4, 0, 2, 2.8]) = [-3, -3, -1, 0, 2,
//   2]
Graph intUnaryGraph(OpKind k, std::map<std::string, AttrValue> attrs) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {6}});
  TensorId xi = b.node("to_i32", OpKind::Cast, {x}, DType::I32);
  TensorId q = b.node("div", k, {xi}, DType::I16, std::move(attrs));
  return b.output(b.node("to_f32", OpKind::Cast, {q}, DType::F32));
}

TEST(CpuKernels, IntegerDivisionRoundsTowardMinusInfinity) {
  const std::vector<float> in{-7, -6, -1, 0, 5, 7};
  {
    TempDir dir("floordiv");
    EXPECT_EQ(
        compileAndRun(intUnaryGraph(OpKind::FloorDiv, {{"divisor", int64_t{3}}}), dir.path(), in),
        (std::vector<float>{-3, -2, -1, 0, 1, 2}));
  }
  {
    TempDir dir("shift");
    EXPECT_EQ(
        compileAndRun(intUnaryGraph(OpKind::ShiftRight, {{"shift", int64_t{2}}}), dir.path(), in),
        (std::vector<float>{-2, -2, -1, 0, 1, 1}));
  }
  {
    TempDir dir("f32div");
    EXPECT_EQ(compileAndRun(intUnaryGraph(OpKind::FloorDivF32, {{"divisor", 2.5}}), dir.path(), in),
              (std::vector<float>{-3, -3, -1, 0, 2, 2}));
  }
}

// Shifts of 31 or more and divisors above INT32_MAX leave -1 for negative and 0 for non-negative
// int32 values (floor of a value in (-1, 1)).
TEST(CpuKernels, ExtremeShiftsAndDivisors) {
  const std::vector<float> in{-7, -6, -1, 0, 5, 7};
  const std::vector<float> expected{-1, -1, -1, 0, 0, 0};
  {
    TempDir dir("shift40");
    EXPECT_EQ(
        compileAndRun(intUnaryGraph(OpKind::ShiftRight, {{"shift", int64_t{40}}}), dir.path(), in),
        expected);
  }
  {
    TempDir dir("div2p32");
    EXPECT_EQ(compileAndRun(intUnaryGraph(OpKind::FloorDiv, {{"divisor", int64_t{1} << 32}}),
                            dir.path(), in),
              expected);
  }
  {
    // Divisor 1 is the identity.
    TempDir dir("div1");
    EXPECT_EQ(
        compileAndRun(intUnaryGraph(OpKind::FloorDiv, {{"divisor", int64_t{1}}}), dir.path(), in),
        in);
  }
}

// Cast to i32, clip to [-128, 127] narrowing to i8, add an i16 constant -3 (computed in int32,
// stored as i16), cast back: [-300, -128, -5, 0, 127, 1000] -> [-131, -131, -8, -3, 124, 124].
TEST(CpuKernels, ClipNarrowsToInt8AndIntegerAddBroadcasts) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {6}});
  TensorId xi = b.node("to_i32", OpKind::Cast, {x}, DType::I32);
  TensorId c = b.node("clip", OpKind::Clip, {xi}, DType::I8, {{"lo", -128.0}, {"hi", 127.0}});
  TensorId k = b.constant("k", {DType::I16, {1}}, {-3});
  TensorId s = b.node({"add", "Add"}, OpKind::Add, {c, k}, {DType::I16, {6}});
  TempDir dir("clip");
  EXPECT_EQ(compileAndRun(b.output(b.node("to_f32", OpKind::Cast, {s}, DType::F32)), dir.path(),
                          {-300, -128, -5, 0, 127, 1000}),
            (std::vector<float>{-131, -131, -8, -3, 124, 124}));
}

// GlobalSum over 2x2 planes: ch0 [1,2,3,4] -> 10, ch1 [-1,-2,-3,-4] -> -10; then max with 5 and
// min with 8 (int32 constants): [8, 5].
TEST(CpuKernels, GlobalSumAndIntegerMinMax) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2, 2, 2}});
  TensorId xi = b.node("q", OpKind::Cast, {x}, DType::I8);
  TensorId s = b.node({"sum", "ReduceSum"}, OpKind::GlobalSum, {xi}, {DType::I32, {1, 2, 1, 1}});
  TensorId five = b.constant("five", {DType::I32, {1}}, {5});
  TensorId eight = b.constant("eight", {DType::I32, {1}}, {8});
  TensorId m = b.node({"max", "Max"}, OpKind::Max, {s, five}, {DType::I32, {1, 2, 1, 1}});
  TensorId n = b.node({"min", "Min"}, OpKind::Min, {m, eight}, {DType::I32, {1, 2, 1, 1}});
  TempDir dir("gsum");
  EXPECT_EQ(compileAndRun(b.output(b.node("f", OpKind::Cast, {n}, DType::F32)), dir.path(),
                          {1, 2, 3, 4, -1, -2, -3, -4}),
            (std::vector<float>{8, 5}));
}

// Float chain: x / 2.9293065 -> floor -> clip(-inf, 3) -> min(., 2) -> - 0.5 on [10, -10, 1.5,
// 100]: quotients 3.41, -3.41, 0.51, 34.1 -> floor 3, -4, 0, 34 -> clip 3, -4, 0, 3 -> min 2, -4,
// 0, 2
// -> 1.5, -4.5, -0.5, 1.5.
TEST(CpuKernels, FloatDivFloorClipMinSub) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {4}});
  TensorId d = b.constant("d", {DType::F32, {1}}, {static_cast<double>(2.9293065f)});
  TensorId q = b.node({"div", "Div"}, OpKind::Div, {x, d}, {DType::F32, {4}});
  TensorId f = b.node("floor", OpKind::Floor, {q}, DType::F32);
  TensorId c = b.node("clip", OpKind::Clip, {f}, DType::F32, {{"lo", -INFINITY}, {"hi", 3.0}});
  TensorId two = b.constant("two", {DType::F32, {}}, {2});
  TensorId m = b.node({"min", "Min"}, OpKind::Min, {c, two}, {DType::F32, {4}});
  TensorId half = b.constant("half", {DType::F32, {1}}, {0.5});
  TensorId y = b.node({"sub", "Sub"}, OpKind::Sub, {m, half}, {DType::F32, {4}});
  TempDir dir("fchain");
  EXPECT_EQ(compileAndRun(b.output(y), dir.path(), {10, -10, 1.5f, 100}),
            (std::vector<float>{1.5f, -4.5f, -0.5f, 1.5f}));
}

// Global average pool with a non-integer mean, then a Reshape inside the arena (planned as an
// alias), a dense layer and a Reshape that produces the graph output (a copy).
// ch0 = [1..8, 10]: sum 46, mean 46/9 (float division); ch1 = 0.5 everywhere: mean 0.5.
// Dense (trans_b 0) W [[1, 1], [0, 2]]: [p0*1 + 0.5*0, p0*1 + 0.5*2] = [p0, p0 + 1].
TEST(CpuKernels, GlobalAvgPoolReshapeAliasAndOutputCopy) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2, 3, 3}});
  TensorId p =
      b.node({"gap", "GlobalAveragePool"}, OpKind::GlobalAvgPool, {x}, {DType::F32, {1, 2, 1, 1}});
  TensorId r = b.node({"flat", "Flatten"}, OpKind::Reshape, {p}, {DType::F32, {1, 2}},
                      {{"shape", Ints{1, 2}}});
  TensorId w = b.constant("w", {DType::F32, {2, 2}}, {1, 1, 0, 2});
  TensorId h = b.node({"fc", "MatMul"}, OpKind::Dense, {r, w}, {DType::F32, {1, 2}},
                      {{"trans_b", int64_t{0}}});
  TensorId y =
      b.node({"out", "Reshape"}, OpKind::Reshape, {h}, {DType::F32, {2}}, {{"shape", Ints{2}}});
  Graph g = b.output(y);
  ArenaPlan plan = planArena(g);
  ASSERT_EQ(plan.offset[static_cast<size_t>(r)], plan.offset[static_cast<size_t>(p)]);
  TempDir dir("gap");
  const float p0 = 46.0f / 9.0f;
  EXPECT_EQ(
      compileAndRun(g, dir.path(),
                    {1, 2, 3, 4, 5, 6, 7, 8, 10, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f}),
      (std::vector<float>{p0, p0 + 1.0f}));
}

// Float weights must reach C bit-exactly: with x = 1 and no bias, dense output m is 0 + 1 * w[m].
TEST(CpuKernels, FloatWeightsRoundTripExactly) {
  const std::vector<float> w{0.1f,          1.0f / 3.0f, -2.5e-38f, 1e-40f,
                             3.4028235e38f, 16777217.0f, -7.0f,     1.17549435e-38f};
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 1}});
  std::vector<double> wd(w.begin(), w.end());
  TensorId wt = b.constant("w", {DType::F32, {1, static_cast<int64_t>(w.size())}}, wd);
  TensorId y = b.node({"fc", "MatMul"}, OpKind::Dense, {x, wt},
                      {DType::F32, {1, static_cast<int64_t>(w.size())}}, {{"trans_b", int64_t{0}}});
  TempDir dir("weights");
  std::vector<float> out = compileAndRun(b.output(y), dir.path(), {1.0f});
  ASSERT_EQ(out.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i)
    EXPECT_EQ(std::memcmp(&out[i], &w[i], sizeof(float)), 0)
        << i << ": " << out[i] << " vs " << w[i];
}

}  // namespace
}  // namespace htvm
