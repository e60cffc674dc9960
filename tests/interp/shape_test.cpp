// reshape and the global reductions (global_avg_pool in float32, global_sum exact).
#include <gtest/gtest.h>

#include "interp/interp_test_util.h"

namespace htvm::interp {
namespace {

using testing::GraphBuilder;
using testing::runError;
using testing::runLast;

Graph poolGraph(OpKind op, DType in, Shape s, DType out) {
  GraphBuilder b;
  TensorId x = b.input("x", {in, s});
  b.output(b.node("pool", op, {x}, {out, {s[0], s[1], 1, 1}}));
  return b.g;
}

TEST(Reshape, KeepsDataOrder) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 2, 2, 1}});
  b.output(b.node("r", OpKind::Reshape, {x}, {DType::I8, {1, 4}}, {{"shape", Ints{1, 4}}}));
  EXPECT_EQ(runLast(b.g, {{4, -3, 2, -1}}), (Buffer{4, -3, 2, -1}));
}

TEST(GlobalAvgPool, NonIntegerMeans) {
  // Channel sums 11 and 5 over 4 elements: 2.75 and 1.25 (exact in float32).
  Graph g = poolGraph(OpKind::GlobalAvgPool, DType::F32, {1, 2, 2, 2}, DType::F32);
  EXPECT_EQ(runLast(g, {{1, 2, 3, 5, 1, 1, 1, 2}}), (Buffer{2.75, 1.25}));
}

TEST(GlobalAvgPool, DivisionRoundsToFloat32) {
  // Sum 10 over 9 elements: 10/9 * 2^23 = 9320675.56 rounds to 9320676, so the float32 mean is
  // 9320676 * 2^-23 (the double 10/9 differs).
  Graph g = poolGraph(OpKind::GlobalAvgPool, DType::F32, {1, 1, 3, 3}, DType::F32);
  EXPECT_EQ(runLast(g, {{1, 1, 1, 1, 2, 1, 1, 1, 1}}), (Buffer{9320676.0 / 8388608.0}));
}

TEST(GlobalAvgPool, SumsRowMajorInFloat32) {
  // [2^24, 1; 1, -2^24]: 2^24 + 1 -> 2^24, + 1 -> 2^24, - 2^24 -> 0, so the mean is 0 (exactly, 0.5).
  Graph g = poolGraph(OpKind::GlobalAvgPool, DType::F32, {1, 1, 2, 2}, DType::F32);
  EXPECT_EQ(runLast(g, {{16777216, 1, 1, -16777216}}), (Buffer{0}));
}

TEST(GlobalSum, ExactPerChannelSums) {
  Graph g = poolGraph(OpKind::GlobalSum, DType::I8, {2, 1, 2, 2}, DType::I32);
  EXPECT_EQ(runLast(g, {{-1, -2, 3, 100, 127, 127, 127, 127}}), (Buffer{100, 508}));
}

TEST(GlobalSum, OverflowOfOutputTypeIsReported) {
  Graph g = poolGraph(OpKind::GlobalSum, DType::I8, {1, 1, 1, 2}, DType::I8);
  std::string msg = runError(g, {{-100, -100}});
  EXPECT_NE(msg.find("node 'pool'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("result -200"), std::string::npos) << msg;
}

}  // namespace
}  // namespace htvm::interp
