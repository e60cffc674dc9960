// The fused integer layers and relayout: hand-computed cases from the definitions in op_kind.h,
// requant(v) = clip(floor(v / 2^shift), lo, hi).
#include <gtest/gtest.h>

#include "interp/interp_test_util.h"

namespace htvm::interp {
namespace {

using testing::Attrs;
using testing::convAttrs;
using testing::GraphBuilder;
using testing::runError;
using testing::runLast;
using testing::withRequant;

// 1x1 conv, w = 3, bias -10 on [1, 2, 3, 4]: acc = -7, -4, -1, 2; shift 1: floor(-3.5) = -4, -2,
// floor(-0.5) = -1, 1; clip [-3, 0]: -3, -2, -1, 0.
TEST(QConv2D, RequantFloorsThenClips) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 1, 2, 2}});
  TensorId w = b.constant("w", {DType::I8, {1, 1, 1, 1}}, {3});
  TensorId bias = b.constant("b", {DType::I32, {1}}, {-10});
  b.output(b.node("q", OpKind::QConv2D, {x, w, bias}, {DType::I8, {1, 1, 2, 2}},
                  withRequant(convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), 1, -3, 0)));
  EXPECT_EQ(runLast(b.g, {{1, 2, 3, 4}}), (Buffer{-3, -2, -1, 0}));
}

// Depthwise (group 2) 2x2 kernels on 2x2 planes, no bias: ch0 [1 2; 3 4] . [1 1; 1 1] = 10,
// ch1 [5 6; 7 8] . [1 0; 0 -1] = -3; shift 0; clip [-2, 9]: 9, -2.
TEST(QConv2D, DepthwiseWithoutBias) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 2, 2, 2}});
  TensorId w = b.constant("w", {DType::I8, {2, 1, 2, 2}}, {1, 1, 1, 1, 1, 0, 0, -1});
  b.output(b.node("q", OpKind::QConv2D, {x, w}, {DType::I8, {1, 2, 1, 1}},
                  withRequant(convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 2), 0, -2, 9)));
  EXPECT_EQ(runLast(b.g, {{1, 2, 3, 4, 5, 6, 7, 8}}), (Buffer{9, -2}));
}

// The accumulator is int32 in the unfused graph: 1 * 1 + (2^31 - 1) does not fit.
TEST(QConv2D, AccumulatorOutsideInt32IsReported) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 1, 1, 1}});
  TensorId w = b.constant("w", {DType::I8, {1, 1, 1, 1}}, {1});
  TensorId bias = b.constant("b", {DType::I32, {1}}, {2147483647});
  b.output(b.node("q", OpKind::QConv2D, {x, w, bias}, {DType::I8, {1, 1, 1, 1}},
                  withRequant(convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), 0, -128, 127)));
  EXPECT_EQ(runError(b.g, {{1}}),
            "node 'q' (qconv2d): accumulator 2147483648 at element 0 does not fit i32");
}

// x = [100, -100] and [-100, 100]; W (trans_b 0) [[127, 1], [-128, 1]], b [1, 2]:
//   [12700 + 12800 + 1, 100 - 100 + 2] = [25501, 2] -> shift 8: [99, 0] (99.6 floors to 99)
//   [-12700 - 12800 + 1, 2] = [-25499, 2] -> shift 8: [-100, 0] (-99.6 floors to -100)
// clip [-128, 50]: [50, 0, -100, 0].
TEST(QDense, RequantOfEachRow) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {2, 2}});
  TensorId w = b.constant("w", {DType::I8, {2, 2}}, {127, 1, -128, 1});
  TensorId bias = b.constant("b", {DType::I32, {2}}, {1, 2});
  b.output(b.node("q", OpKind::QDense, {x, w, bias}, {DType::I8, {2, 2}},
                  withRequant({{"trans_b", int64_t{0}}}, 8, -128, 50)));
  EXPECT_EQ(runLast(b.g, {{100, -100, -100, 100}}), (Buffer{50, 0, -100, 0}));
}

// [-128, 127, 5, -5] + [-128, 127, -6, 4] = [-256, 254, -1, -1]; shift 1: [-128, 127, -1, -1];
// clip [-100, 100]: [-100, 100, -1, -1].
TEST(QAdd, SumShiftClip) {
  GraphBuilder b;
  TensorId p = b.input("p", {DType::I8, {4}});
  TensorId q = b.input("q", {DType::I8, {4}});
  b.output(b.node("add", OpKind::QAdd, {p, q}, {DType::I8, {4}}, withRequant({}, 1, -100, 100)));
  EXPECT_EQ(runLast(b.g, {{-128, 127, 5, -5}, {-128, 127, -6, 4}}), (Buffer{-100, 100, -1, -1}));
}

// 1x1 conv with two output channels on x = [10, -7] (one channel, 1x2): w = [3, -5];
//   acc ch0 = [30, -21], ch1 = [-50, 35]
//   / 2.5 in float32 and floor: ch0 [12, -9] (-8.4), ch1 [-20, 14]
//   ADC clip [-16, 13]: ch0 [12, -9], ch1 [-16, 13]
//   BN k = [2, -3], l = [1, 5]: ch0 [25, -17], ch1 [53, -34]
//   shift 2: ch0 [6, -5] (-4.25 floors to -5), ch1 [13, -9] (-8.5 floors to -9); clip [-6, 10]
Graph analogGraph(Buffer k, Buffer l, int64_t shift, int64_t lo, int64_t hi) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 1, 1, 2}});
  TensorId w = b.constant("w", {DType::I8, {2, 1, 1, 1}}, {3, -5});
  TensorId kc = b.constant("k", {DType::I16, {2}}, std::move(k));
  TensorId lc = b.constant("l", {DType::I16, {2}}, std::move(l));
  Attrs a = withRequant(convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), shift, lo, hi);
  a["gain"] = 2.5;
  a["adc_lo"] = int64_t{-16};
  a["adc_hi"] = int64_t{13};
  b.output(b.node("analog", OpKind::AnalogConv2D, {x, w, kc, lc}, {DType::I8, {1, 2, 1, 2}}, a));
  return b.g;
}

TEST(AnalogConv2D, AdcThenBnThenRequant) {
  EXPECT_EQ(runLast(analogGraph({2, -3}, {1, 5}, 2, -6, 10), {{10, -7}}), (Buffer{6, -5, 10, -6}));
}

TEST(AnalogConv2D, IdentityBnGivesTheAdcValues) {
  EXPECT_EQ(runLast(analogGraph({1, 1}, {0, 0}, 0, -16, 13), {{10, -7}}),
            (Buffer{12, -9, -16, 13}));
}

// The ADC division is float32, as in floor_div_f32: with gain 0.3f (0.30000001192...) and acc = 3
// the exact quotient is 9.9999996..., which float32 rounds to 10 before the floor; exact
// arithmetic would floor to 9.
TEST(AnalogConv2D, AdcDivisionRoundsInFloat32) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 1, 1, 1}});
  TensorId w = b.constant("w", {DType::I8, {1, 1, 1, 1}}, {1});
  TensorId kc = b.constant("k", {DType::I16, {1}}, {1});
  TensorId lc = b.constant("l", {DType::I16, {1}}, {0});
  Attrs a = withRequant(convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), 0, -128, 127);
  a["gain"] = static_cast<double>(0.3f);
  a["adc_lo"] = int64_t{-128};
  a["adc_hi"] = int64_t{127};
  b.output(b.node("analog", OpKind::AnalogConv2D, {x, w, kc, lc}, {DType::I8, {1, 1, 1, 1}}, a));
  ASSERT_LT(3.0 / static_cast<double>(0.3f), 10.0);  // the exact quotient is below 10
  EXPECT_EQ(runLast(b.g, {{3}}), (Buffer{10}));
}

TEST(Relayout, KeepsLogicalValues) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 2, 1, 3}});
  b.output(
      b.node("to_hwc", OpKind::Relayout, {x}, {DType::I8, {1, 2, 1, 3}, Layout::HWC_C64_REV4}));
  EXPECT_EQ(runLast(b.g, {{1, -2, 3, -4, 5, -6}}), (Buffer{1, -2, 3, -4, 5, -6}));
}

TEST(Relayout, RejectsATypeChange) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {4}});
  b.output(b.node("r", OpKind::Relayout, {x}, {DType::I16, {4}}));
  EXPECT_EQ(runError(b.g, {{1, 2, 3, 4}}),
            "node 'r' (relayout): relayout changes the element type from i8 to i16");
}

}  // namespace
}  // namespace htvm::interp
