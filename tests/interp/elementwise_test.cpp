// Elementwise ops: broadcasting, float32 rounding, floor-style integer division, clip and cast.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "interp/interp_test_util.h"

namespace htvm::interp {
namespace {

using testing::GraphBuilder;
using testing::runError;
using testing::runLast;

// a (input) op b (input) with explicit shapes and dtypes.
Graph binaryGraph(OpKind op, DType t, Shape as, Shape bs, DType out, Shape os) {
  GraphBuilder b;
  TensorId x = b.input("a", {t, std::move(as)});
  TensorId y = b.input("b", {t, std::move(bs)});
  b.output(b.node("op", op, {x, y}, {out, std::move(os)}));
  return b.g;
}

Graph unaryGraph(OpKind op, DType in, Shape s, DType out, testing::Attrs attrs = {}) {
  GraphBuilder b;
  TensorId x = b.input("x", {in, s});
  b.output(b.node("op", op, {x}, {out, s}, std::move(attrs)));
  return b.g;
}

TEST(Binary, AddBroadcastsPerChannel) {
  // [1,2,2,2] values 0..7 plus a per-channel [1,2,1,1] = [10, 100].
  for (DType t : {DType::I8, DType::F32}) {
    DType out = t == DType::I8 ? DType::I16 : DType::F32;
    Graph g = binaryGraph(OpKind::Add, t, {1, 2, 2, 2}, {1, 2, 1, 1}, out, {1, 2, 2, 2});
    EXPECT_EQ(runLast(g, {{0, 1, 2, 3, 4, 5, 6, 7}, {10, 100}}),
              (Buffer{10, 11, 12, 13, 104, 105, 106, 107}));
  }
}

TEST(Binary, SubBroadcastsBothOperands) {
  // [4,1] - [3] -> [4,3]: element (i,j) = a_i - b_j.
  Graph g = binaryGraph(OpKind::Sub, DType::I32, {4, 1}, {3}, DType::I32, {4, 3});
  EXPECT_EQ(runLast(g, {{1, 2, 3, 4}, {10, 20, 30}}),
            (Buffer{-9, -19, -29, -8, -18, -28, -7, -17, -27, -6, -16, -26}));
}

TEST(Binary, MulMaxMinWithScalarOperand) {
  const Buffer a = {-3, 0, 5}, s = {2};
  EXPECT_EQ(runLast(binaryGraph(OpKind::Mul, DType::I32, {3}, {1}, DType::I32, {3}), {a, s}), (Buffer{-6, 0, 10}));
  EXPECT_EQ(runLast(binaryGraph(OpKind::Max, DType::I32, {3}, {1}, DType::I32, {3}), {a, s}), (Buffer{2, 2, 5}));
  EXPECT_EQ(runLast(binaryGraph(OpKind::Min, DType::F32, {3}, {1}, DType::F32, {3}), {a, s}), (Buffer{-3, 0, 2}));
  // Scalar first: 2 - [-3 0 5].
  EXPECT_EQ(runLast(binaryGraph(OpKind::Sub, DType::F32, {1}, {3}, DType::F32, {3}), {s, a}), (Buffer{5, 2, -3}));
}

TEST(Binary, FloatAddRoundsToFloat32) {
  // 2^24 + 1 is not a float32; it rounds to even (2^24). In double it would be exact.
  Graph g = binaryGraph(OpKind::Add, DType::F32, {1}, {1}, DType::F32, {1});
  EXPECT_EQ(runLast(g, {{16777216}, {1}}), (Buffer{16777216}));
}

TEST(Binary, DivIsFloat32Division) {
  Graph g = binaryGraph(OpKind::Div, DType::F32, {3}, {3}, DType::F32, {3});
  // 1/3 in float32 is 11184811 * 2^-25 (not the double 1/3); 7/2 and -7/2 are exact.
  EXPECT_EQ(runLast(g, {{1, 7, -7}, {3, 2, 2}}), (Buffer{11184811.0 / 33554432.0, 3.5, -3.5}));
}

TEST(Binary, IntegerOverflowOfOutputTypeIsReportedWithNodeValueAndType) {
  GraphBuilder b;
  TensorId x = b.input("a", {DType::I8, {2}});
  TensorId y = b.input("b", {DType::I8, {2}});
  b.output(b.node("add_1", OpKind::Add, {x, y}, {DType::I8, {2}}));
  std::string msg = runError(b.g, {{1, 100}, {2, 100}});
  EXPECT_NE(msg.find("node 'add_1' (add)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("result 200 at element 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("i8"), std::string::npos) << msg;
}

TEST(Unary, FloorRoundsTowardMinusInfinity) {
  Graph g = unaryGraph(OpKind::Floor, DType::F32, {5}, DType::F32);
  EXPECT_EQ(runLast(g, {{-3.5, 2.5, -0.25, 7, 0.75}}), (Buffer{-4, 2, -1, 7, 0}));
}

TEST(Unary, ClipFloatWithInfiniteLowerBound) {
  const double inf = std::numeric_limits<double>::infinity();
  Graph g = unaryGraph(OpKind::Clip, DType::F32, {4}, DType::F32, {{"lo", -inf}, {"hi", 6.0}});
  const double big = static_cast<double>(-1e30f);
  EXPECT_EQ(runLast(g, {{big, -1, 6, 7.5}}), (Buffer{big, -1, 6, 6}));
}

TEST(Unary, ClipNarrowsInt32ToInt8) {
  Graph g = unaryGraph(OpKind::Clip, DType::I32, {5}, DType::I8, {{"lo", -128.0}, {"hi", 127.0}});
  EXPECT_EQ(runLast(g, {{-300, -128, 0, 127, 300}}), (Buffer{-128, -128, 0, 127, 127}));
}

TEST(Unary, ClipIntegerToNonIntegralBoundIsReported) {
  Graph g = unaryGraph(OpKind::Clip, DType::I32, {2}, DType::I32, {{"lo", 0.5}, {"hi", 10.0}});
  std::string msg = runError(g, {{3, 0}});
  EXPECT_NE(msg.find("gives 0.5"), std::string::npos) << msg;
}

TEST(Unary, ShiftRightIsFloorDivisionByPowerOfTwo) {
  Graph g = unaryGraph(OpKind::ShiftRight, DType::I32, {7}, DType::I32, {{"shift", int64_t{3}}});
  // floor(x / 8): -1 -> -1, -8 -> -1, -9 -> -2, 7 -> 0, 8 -> 1, 0 -> 0, -2^31 -> -2^28.
  EXPECT_EQ(runLast(g, {{-1, -8, -9, 7, 8, 0, -2147483648.0}}), (Buffer{-1, -1, -2, 0, 1, 0, -268435456}));
}

TEST(Unary, ShiftRightByZeroIsIdentity) {
  Graph g = unaryGraph(OpKind::ShiftRight, DType::I8, {3}, DType::I8, {{"shift", int64_t{0}}});
  EXPECT_EQ(runLast(g, {{-128, -1, 127}}), (Buffer{-128, -1, 127}));
}

TEST(Unary, FloorDivRoundsNegativesDown) {
  Graph g = unaryGraph(OpKind::FloorDiv, DType::I32, {6}, DType::I32, {{"divisor", int64_t{2}}});
  EXPECT_EQ(runLast(g, {{-7, 7, -6, -1, 0, 1}}), (Buffer{-4, 3, -3, -1, 0, 0}));
  Graph g5 = unaryGraph(OpKind::FloorDiv, DType::I32, {3}, DType::I32, {{"divisor", int64_t{5}}});
  EXPECT_EQ(runLast(g5, {{-1, -5, -6}}), (Buffer{-1, -1, -2}));
}

TEST(Unary, FloorDivRejectsNonPositiveDivisor) {
  Graph g = unaryGraph(OpKind::FloorDiv, DType::I32, {1}, DType::I32, {{"divisor", int64_t{0}}});
  EXPECT_NE(runError(g, {{1}}).find("divisor 0 must be positive"), std::string::npos);
}

TEST(Unary, FloorDivF32UsesFloat32Quotient) {
  // The analog ADC scale: 2.9293065 as a float32. 3/d = 1.02 -> 1, -3/d = -1.02 -> -2, -2/d -> -1.
  const double d = static_cast<double>(2.9293065f);
  Graph g = unaryGraph(OpKind::FloorDivF32, DType::I32, {4}, DType::I32, {{"divisor", d}});
  EXPECT_EQ(runLast(g, {{3, -3, -2, 0}}), (Buffer{1, -2, -1, 0}));
}

TEST(Unary, FloorDivF32RoundsTheInputToFloat32First) {
  // 16777219 is not a float32: it rounds (to even) to 16777220 = 4 * 4194305, so the result is
  // 4194305 although exact floor(16777219 / 4) is 4194304.
  Graph g = unaryGraph(OpKind::FloorDivF32, DType::I32, {1}, DType::I32, {{"divisor", 4.0}});
  EXPECT_EQ(runLast(g, {{16777219}}), (Buffer{4194305}));
}

TEST(Unary, FloorDivF32RoundsTheQuotientToFloat32) {
  // d = 1 - 2^-24. 8388609 / d = 8388609.5000000298..., which lies above the halfway point between
  // the float32 neighbours 8388609 and 8388610 (spacing 1 in [2^23, 2^24)), so the quotient rounds
  // to 8388610 and the floor is 8388610; the exact floor is 8388609.
  const double d = 1.0 - std::ldexp(1.0, -24);
  Graph g = unaryGraph(OpKind::FloorDivF32, DType::I32, {1}, DType::I32, {{"divisor", d}});
  EXPECT_EQ(runLast(g, {{8388609}}), (Buffer{8388610}));
}

TEST(Unary, FloorDivF32ByZeroIsReported) {
  Graph g = unaryGraph(OpKind::FloorDivF32, DType::I32, {1}, DType::I32, {{"divisor", 0.0}});
  std::string msg = runError(g, {{5}});
  EXPECT_NE(msg.find("not a representable integer"), std::string::npos) << msg;
}

TEST(Cast, FloatToIntAcceptsIntegralValuesInRange) {
  Graph g = unaryGraph(OpKind::Cast, DType::F32, {4}, DType::I8);
  EXPECT_EQ(runLast(g, {{-128, 0, 127, -0.0}}), (Buffer{-128, 0, 127, 0}));
}

TEST(Cast, FloatToIntRejectsFraction) {
  Graph g = unaryGraph(OpKind::Cast, DType::F32, {2}, DType::I8);
  std::string msg = runError(g, {{1, 2.5}});
  EXPECT_NE(msg.find("cast of 2.5 at element 1 to i8"), std::string::npos) << msg;
}

TEST(Cast, FloatToIntRejectsOutOfRange) {
  Graph g = unaryGraph(OpKind::Cast, DType::F32, {1}, DType::I8);
  std::string msg = runError(g, {{128}});
  EXPECT_NE(msg.find("result 128"), std::string::npos) << msg;
  EXPECT_NE(msg.find("does not fit i8"), std::string::npos) << msg;
}

TEST(Cast, FloatToIntRejectsInfinity) {
  Graph g = unaryGraph(OpKind::Cast, DType::F32, {1}, DType::I32);
  EXPECT_NE(runError(g, {{std::numeric_limits<double>::infinity()}}).find("cast of inf"), std::string::npos);
}

TEST(Cast, IntToFloatRoundsToFloat32) {
  Graph g = unaryGraph(OpKind::Cast, DType::I32, {3}, DType::F32);
  // 16777217 = 2^24 + 1 rounds to even (2^24); 16777219 rounds to 16777220.
  EXPECT_EQ(runLast(g, {{16777217, 16777219, -5}}), (Buffer{16777216, 16777220, -5}));
}

TEST(Cast, IntNarrowingChecksRange) {
  Graph g = unaryGraph(OpKind::Cast, DType::I32, {2}, DType::I8);
  EXPECT_EQ(runLast(g, {{-128, 127}}), (Buffer{-128, 127}));
  EXPECT_NE(runError(g, {{0, 200}}).find("result 200 at element 1"), std::string::npos);
}

}  // namespace
}  // namespace htvm::interp
