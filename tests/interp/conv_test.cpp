// conv2d and dense: hand-computed cases, float32 rounding order, and a seeded property test.
#include <gtest/gtest.h>

#include <random>

#include "interp/interp_test_util.h"

namespace htvm::interp {
namespace {

using testing::convAttrs;
using testing::GraphBuilder;
using testing::runLast;

const Buffer k1To9 = {1, 2, 3, 4, 5, 6, 7, 8, 9};

// 1x1x3x3 input 1..9, 2x2 kernel [1 2; 3 4], stride 2, pads top=1 left=0 bottom=0 right=1. The
// padded input is the 4x4 [0 0 0 0; 1 2 3 0; 4 5 6 0; 7 8 9 0]; the four 2x2 windows give
//   [0 0;1 2] -> 3+8 = 11   [0 0;3 0] -> 9   [4 5;7 8] -> 4+10+21+32 = 67   [6 0;9 0] -> 6+27 = 33
// plus bias 100.
Graph asymmetricPadConv(DType data, DType acc) {
  GraphBuilder b;
  TensorId x = b.input("x", {data, {1, 1, 3, 3}});
  TensorId w = b.constant("w", {data, {1, 1, 2, 2}}, {1, 2, 3, 4});
  TensorId bias = b.constant("b", {acc, {1}}, {100});
  b.output(b.node("conv", OpKind::Conv2D, {x, w, bias}, {acc, {1, 1, 2, 2}},
                  convAttrs({2, 2}, {1, 0, 0, 1}, {1, 1}, 1)));
  return b.g;
}

TEST(Conv2D, StrideTwoAsymmetricPadsInt) {
  EXPECT_EQ(runLast(asymmetricPadConv(DType::I8, DType::I32), {k1To9}), (Buffer{111, 109, 167, 133}));
}

TEST(Conv2D, StrideTwoAsymmetricPadsFloat) {
  EXPECT_EQ(runLast(asymmetricPadConv(DType::F32, DType::F32), {k1To9}), (Buffer{111, 109, 167, 133}));
}

TEST(Conv2D, DepthwiseGroupEqualsChannels) {
  // ch0 [1 2;3 4] * ones = 10; ch1 [5 6;7 8] * [1 0;0 -1] = 5 - 8 = -3.
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 2, 2, 2}});
  TensorId w = b.constant("w", {DType::I8, {2, 1, 2, 2}}, {1, 1, 1, 1, 1, 0, 0, -1});
  b.output(b.node("dw", OpKind::Conv2D, {x, w, -1}, {DType::I32, {1, 2, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 2)));
  EXPECT_EQ(runLast(b.g, {{1, 2, 3, 4, 5, 6, 7, 8}}), (Buffer{10, -3}));
}

TEST(Conv2D, GroupsMapOutputChannelsToTheirInputChannels) {
  // group 2, 4 input channels [1 2 3 4], 4 outputs with 2 weights each: outputs 0,1 read channels
  // 0,1 and outputs 2,3 read channels 2,3: [1+2, 1-2, 3+4, 2*3] = [3, -1, 7, 6].
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 4, 1, 1}});
  TensorId w = b.constant("w", {DType::I8, {4, 2, 1, 1}}, {1, 1, 1, -1, 1, 1, 2, 0});
  b.output(b.node("g2", OpKind::Conv2D, {x, w}, {DType::I32, {1, 4, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 2)));
  EXPECT_EQ(runLast(b.g, {{1, 2, 3, 4}}), (Buffer{3, -1, 7, 6}));
}

TEST(Conv2D, DilationTwo) {
  // 2x2 kernel with dilation 2 taps the corners of the 3x3 input: 1*1 + 3*2 + 7*3 + 9*4 = 64.
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 1, 3, 3}});
  TensorId w = b.constant("w", {DType::I8, {1, 1, 2, 2}}, {1, 2, 3, 4});
  b.output(b.node("dil", OpKind::Conv2D, {x, w}, {DType::I32, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {2, 2}, 1)));
  EXPECT_EQ(runLast(b.g, {k1To9}), (Buffer{64}));
}

TEST(Conv2D, SumsOverInputChannelsPerOutputChannel) {
  // x = [2, 3] (two channels, 1x1), w = [[1, 10], [-1, 4]] -> [2 + 30, -2 + 12] = [32, 10], batch 2.
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {2, 2, 1, 1}});
  TensorId w = b.constant("w", {DType::I8, {2, 2, 1, 1}}, {1, 10, -1, 4});
  b.output(b.node("c", OpKind::Conv2D, {x, w}, {DType::I32, {2, 2, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  EXPECT_EQ(runLast(b.g, {{2, 3, -1, 0}}), (Buffer{32, 10, -1, 1}));
}

// Three 1x1 channels [2^24, 1, -2^24] with unit weights. In float32, summed in channel order:
// 2^24 + 1 rounds (to even) back to 2^24, then - 2^24 gives 0. Any other order, or exact
// arithmetic, gives 1.
Graph cancellingChannels(DType t) {
  GraphBuilder b;
  TensorId x = b.input("x", {t, {1, 3, 1, 1}});
  TensorId w = b.constant("w", {t, {1, 3, 1, 1}}, {1, 1, 1});
  b.output(b.node("c", OpKind::Conv2D, {x, w}, {t, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  return b.g;
}

TEST(Conv2D, FloatAccumulatesInChannelOrderInFloat32) {
  const Buffer in = {16777216, 1, -16777216};
  EXPECT_EQ(runLast(cancellingChannels(DType::F32), {in}), (Buffer{0}));
  EXPECT_EQ(runLast(cancellingChannels(DType::I32), {in}), (Buffer{1}));
}

TEST(Conv2D, FloatAccumulatesKernelRowsInOrder) {
  // Same cancellation along kw: a 1x3 kernel of ones over the row [2^24, 1, -2^24].
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 1, 1, 3}});
  TensorId w = b.constant("w", {DType::F32, {1, 1, 1, 3}}, {1, 1, 1});
  b.output(b.node("c", OpKind::Conv2D, {x, w}, {DType::F32, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  EXPECT_EQ(runLast(b.g, {{16777216, 1, -16777216}}), (Buffer{0}));
}

TEST(Conv2D, FloatAccumulatesKernelColumnsInOrder) {
  // And along kh: a 3x1 kernel of ones over the column [2^24, 1, -2^24].
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 1, 3, 1}});
  TensorId w = b.constant("w", {DType::F32, {1, 1, 3, 1}}, {1, 1, 1});
  b.output(b.node("c", OpKind::Conv2D, {x, w}, {DType::F32, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  EXPECT_EQ(runLast(b.g, {{16777216, 1, -16777216}}), (Buffer{0}));
}

TEST(Conv2D, FloatProductIsRoundedBeforeTheAdd) {
  // acc = -16785408 after channel 0. Channel 1: 4097 * 4097 = 16785409 is odd and above 2^24, so
  // float32 rounds it (to even) to 16785408 and the sum is 0. A fused multiply-add, which adds the
  // exact product to the accumulator, would give 1.
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2, 1, 1}});
  TensorId w = b.constant("w", {DType::F32, {1, 2, 1, 1}}, {1, 4097});
  b.output(b.node("c", OpKind::Conv2D, {x, w}, {DType::F32, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  EXPECT_EQ(runLast(b.g, {{-16785408, 4097}}), (Buffer{0}));
}

TEST(Conv2D, AccumulatorThatDoesNotFitOutputIsReported) {
  // 127 * 127 * 4 taps = 64516 does not fit i16.
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 1, 2, 2}});
  TensorId w = b.constant("w", {DType::I8, {1, 1, 2, 2}}, {127, 127, 127, 127});
  b.output(b.node("conv_7", OpKind::Conv2D, {x, w}, {DType::I16, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  std::string msg = testing::runError(b.g, {{127, 127, 127, 127}});
  EXPECT_NE(msg.find("node 'conv_7'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("64516"), std::string::npos) << msg;
  EXPECT_NE(msg.find("i16"), std::string::npos) << msg;
}

TEST(Conv2D, Int32OperandsThatCouldOverflowInt64AreReported) {
  // 2^31 - 1 squared times 2 taps exceeds the 2^62 accumulator budget.
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I32, {1, 2, 1, 1}});
  TensorId w = b.constant("w", {DType::I32, {1, 2, 1, 1}}, {2147483647, 1});
  b.output(b.node("c", OpKind::Conv2D, {x, w}, {DType::I32, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  std::string msg = testing::runError(b.g, {{2147483647, 0}});
  EXPECT_NE(msg.find("exceeds the interpreter's int64 range"), std::string::npos) << msg;
}

TEST(Conv2D, RejectsFloatWeightsOnIntegerData) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 1, 1, 1}});
  TensorId w = b.constant("w", {DType::F32, {1, 1, 1, 1}}, {1});
  b.output(b.node("c", OpKind::Conv2D, {x, w}, {DType::I32, {1, 1, 1, 1}},
                  convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)));
  std::string msg = testing::runError(b.g, {{1}});
  EXPECT_NE(msg.find("'w' is f32"), std::string::npos) << msg;
}

// x = [1 2 3]; W (as [M,K]) = [[1 0 -1], [2 2 2]]; W x = [-2, 12]; + bias [10 20] = [8, 32].
Graph denseGraph(DType data, DType acc, bool transB) {
  GraphBuilder b;
  TensorId x = b.input("x", {data, {1, 3}});
  TensorId w = transB ? b.constant("w", {data, {2, 3}}, {1, 0, -1, 2, 2, 2})
                      : b.constant("w", {data, {3, 2}}, {1, 2, 0, 2, -1, 2});
  TensorId bias = b.constant("b", {acc, {2}}, {10, 20});
  b.output(b.node("fc", OpKind::Dense, {x, w, bias}, {acc, {1, 2}},
                  {{"trans_b", int64_t{transB ? 1 : 0}}}));
  return b.g;
}

TEST(Dense, TransBOneAndZeroAgree) {
  for (bool tb : {true, false}) {
    EXPECT_EQ(runLast(denseGraph(DType::I8, DType::I32, tb), {{1, 2, 3}}), (Buffer{8, 32})) << tb;
    EXPECT_EQ(runLast(denseGraph(DType::F32, DType::F32, tb), {{1, 2, 3}}), (Buffer{8, 32})) << tb;
  }
}

TEST(Dense, BatchRowsAreIndependentWithoutBias) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {2, 2}});
  TensorId w = b.constant("w", {DType::I8, {2, 2}}, {1, 2, 3, 4});  // trans_b 0: [K=2, M=2]
  b.output(b.node("fc", OpKind::Dense, {x, w}, {DType::I32, {2, 2}}, {{"trans_b", int64_t{0}}}));
  // [1 0] W = [1 2]; [-1 1] W = [2 2]
  EXPECT_EQ(runLast(b.g, {{1, 0, -1, 1}}), (Buffer{1, 2, 2, 2}));
}

// Independent reference for the property test: materializes the zero-padded input, then applies
// the textbook dilated, strided, grouped correlation with exact integers.
std::vector<int64_t> naiveConv(const std::vector<int64_t>& x, const Shape& xs, const std::vector<int64_t>& w,
                               const Shape& ws, const std::vector<int64_t>& bias, int64_t s, const Ints& p,
                               int64_t dil, int64_t group, const Shape& ys) {
  const int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  const int64_t PH = H + p[0] + p[2], PW = W + p[1] + p[3];
  std::vector<int64_t> padded(static_cast<size_t>(N * C * PH * PW), 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t ww = 0; ww < W; ++ww)
          padded[static_cast<size_t>(((n * C + c) * PH + h + p[0]) * PW + ww + p[1])] =
              x[static_cast<size_t>(((n * C + c) * H + h) * W + ww)];
  const int64_t M = ws[0], Cg = ws[1], KH = ws[2], KW = ws[3];
  std::vector<int64_t> y(static_cast<size_t>(numElements(ys)), 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < ys[2]; ++oh)
        for (int64_t ow = 0; ow < ys[3]; ++ow) {
          int64_t acc = bias[static_cast<size_t>(m)];
          for (int64_t ci = 0; ci < Cg; ++ci) {
            int64_t c = m / (M / group) * Cg + ci;
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw)
                acc += padded[static_cast<size_t>(((n * C + c) * PH + oh * s + kh * dil) * PW + ow * s + kw * dil)] *
                       w[static_cast<size_t>(((m * Cg + ci) * KH + kh) * KW + kw)];
          }
          y[static_cast<size_t>(((n * M + m) * ys[2] + oh) * ys[3] + ow)] = acc;
        }
  return y;
}

TEST(Conv2D, RandomInt8ConvMatchesFloat32AndNaiveReference) {
  std::mt19937 rng(20240607);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t group = uni(1, 3), Cg = uni(1, 4), Mg = uni(1, 3);
    const int64_t C = group * Cg, M = group * Mg, N = uni(1, 2);
    const int64_t KH = uni(1, 3), KW = uni(1, 3), s = uni(1, 3), dil = uni(1, 2);
    const Ints pads = {uni(0, 2), uni(0, 2), uni(0, 2), uni(0, 2)};
    const int64_t H = uni(dil * (KH - 1) + 1, 9), W = uni(dil * (KW - 1) + 1, 9);
    const Shape ys = {N, M, (H + pads[0] + pads[2] - dil * (KH - 1) - 1) / s + 1,
                      (W + pads[1] + pads[3] - dil * (KW - 1) - 1) / s + 1};
    const Shape xs = {N, C, H, W}, ws = {M, Cg, KH, KW};
    std::vector<int64_t> xi(static_cast<size_t>(numElements(xs))), wi(static_cast<size_t>(numElements(ws))),
        bi(static_cast<size_t>(M));
    for (auto& v : xi) v = uni(-128, 127);
    for (auto& v : wi) v = uni(-128, 127);
    for (auto& v : bi) v = uni(-100000, 100000);
    // |acc| <= 4*3*3 * 128*128 + 100000 < 2^24: every float32 partial sum is exact.
    const Buffer xd(xi.begin(), xi.end()), wd(wi.begin(), wi.end()), bd(bi.begin(), bi.end());

    auto build = [&](DType data, DType acc) {
      GraphBuilder b;
      TensorId x = b.input("x", {data, xs});
      TensorId w = b.constant("w", {data, ws}, wd);
      TensorId bias = b.constant("b", {acc, {M}}, bd);
      b.output(b.node("conv", OpKind::Conv2D, {x, w, bias}, {acc, ys},
                      convAttrs({s, s}, pads, {dil, dil}, group)));
      return b.g;
    };
    const Buffer yi = runLast(build(DType::I8, DType::I32), {xd});
    const Buffer yf = runLast(build(DType::F32, DType::F32), {xd});
    const std::vector<int64_t> ref = naiveConv(xi, xs, wi, ws, bi, s, pads, dil, group, ys);
    ASSERT_EQ(yi, Buffer(ref.begin(), ref.end())) << "trial " << trial;
    ASSERT_EQ(yf, yi) << "trial " << trial;
  }
}

}  // namespace
}  // namespace htvm::interp
