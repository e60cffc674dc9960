// The register-blocked integer conv and dense kernels (emit_cpu_blocked.cpp) on shapes that
// exercise every part of their compile-time structure: row runs at the top and bottom pads, literal
// edge blocks and interior block loops, partial blocks when the width is not a multiple of the
// block, channel remainders, strides, dilations, asymmetric and oversized pads, groups, depthwise
// with a channel multiplier, large kernels (kernel-row loop), batches, and dense remainders. Each
// case is built and run on the host (and compiled for rv32) and compared with a direct
// convolution written here from the ONNX definition, on pseudo-random int8 data.
#include <gtest/gtest.h>

#include <cstdint>

#include "codegen_test_util.h"

namespace htvm {
namespace {

using namespace htvm::testing;

struct ConvCase {
  const char* name;
  int64_t n, c, h, w, m, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, group;
};

std::vector<double> lcgValues(size_t count, uint32_t seed, int lo, int hi) {
  std::vector<double> v(count);
  uint32_t s = seed;
  for (double& e : v) {
    s = s * 1103515245u + 12345u;
    e = lo + static_cast<int>((s >> 8) % static_cast<uint32_t>(hi - lo + 1));
  }
  return v;
}

// y = conv(x, w) + b in exact integers, NCHW, ONNX semantics.
std::vector<float> directConv(const ConvCase& k, int64_t oh, int64_t ow,
                              const std::vector<double>& x, const std::vector<double>& w,
                              const std::vector<double>& b) {
  std::vector<float> y;
  const int64_t cg = k.c / k.group, mg = k.m / k.group;
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t m = 0; m < k.m; ++m)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t acc = static_cast<int64_t>(b[static_cast<size_t>(m)]);
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t r = 0; r < k.kh; ++r)
              for (int64_t s = 0; s < k.kw; ++s) {
                int64_t ih = i * k.sh - k.pt + r * k.dh, iw = j * k.sw - k.pl + s * k.dw;
                if (ih < 0 || ih >= k.h || iw < 0 || iw >= k.w) continue;
                int64_t ci = (m / mg) * cg + c;
                const int64_t xi = ((n * k.c + ci) * k.h + ih) * k.w + iw;
                const int64_t wi = ((m * cg + c) * k.kh + r) * k.kw + s;
                acc += static_cast<int64_t>(x[static_cast<size_t>(xi)]) *
                       static_cast<int64_t>(w[static_cast<size_t>(wi)]);
              }
          y.push_back(static_cast<float>(acc));
        }
  return y;
}

void checkConv(const ConvCase& k) {
  const int64_t oh = (k.h + k.pt + k.pb - k.dh * (k.kh - 1) - 1) / k.sh + 1;
  const int64_t ow = (k.w + k.pl + k.pr - k.dw * (k.kw - 1) - 1) / k.sw + 1;
  const int64_t cg = k.c / k.group;
  std::vector<double> x = lcgValues(static_cast<size_t>(k.n * k.c * k.h * k.w), 7, -128, 127);
  std::vector<double> w = lcgValues(static_cast<size_t>(k.m * cg * k.kh * k.kw), 11, -128, 127);
  std::vector<double> bias = lcgValues(static_cast<size_t>(k.m), 13, -5000, 5000);
  GraphBuilder b;
  TensorId xi = b.unary("to_i8", OpKind::Cast, b.input("x", {k.n, k.c, k.h, k.w}), DType::I8);
  TensorId wt = b.constant("w", DType::I8, {k.m, cg, k.kh, k.kw}, w);
  TensorId bt = b.constant("b", DType::I32, {k.m}, bias);
  TensorId y = b.op("conv", "ConvInteger", OpKind::Conv2D, {xi, wt, bt},
                    {DType::I32, {k.n, k.m, oh, ow}},
                    convAttrs({k.sh, k.sw}, {k.pt, k.pl, k.pb, k.pr}, {k.dh, k.dw}, k.group));
  Graph g = b.output(b.unary("to_f32", OpKind::Cast, y, DType::F32));
  TempDir dir(k.name);
  std::vector<float> in(x.begin(), x.end());
  EXPECT_EQ(compileAndRun(g, dir.path(), in), directConv(k, oh, ow, x, w, bias)) << k.name;
  // Padding is resolved at compile time: no kernel tests a bound.
  std::string layers = readText(dir.path() / "src/cpu_layers.c");
  EXPECT_EQ(layers.find("if ("), std::string::npos) << layers;
}

// Fields: name, n c h w, m kh kw, strides, dilations, pads (top left bottom right), group.
TEST(BlockedKernels, Conv3x3Pad1) {
  checkConv({"k3p1", 1, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}
TEST(BlockedKernels, Conv3x3Stride2) {
  checkConv({"k3s2", 1, 3, 10, 13, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1});
}
TEST(BlockedKernels, Conv1x1FlatBatch2) {
  checkConv({"k1", 2, 6, 3, 7, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1});
}
TEST(BlockedKernels, Conv1x1Stride2ManyChannels) {
  checkConv({"k1s2", 1, 34, 8, 9, 9, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1});
}
TEST(BlockedKernels, Conv1x1SinglePixelWideChannels) {
  checkConv({"k1px", 1, 40, 1, 1, 11, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1});
}
TEST(BlockedKernels, Conv5x5AsymmetricPadsAndStrides) {
  checkConv({"k5", 1, 2, 7, 6, 3, 5, 5, 1, 2, 1, 1, 2, 0, 1, 3, 1});
}
TEST(BlockedKernels, Conv7x3Dilated) {
  checkConv({"k7d", 1, 2, 12, 9, 2, 7, 3, 1, 1, 2, 3, 4, 3, 2, 1, 1});
}
TEST(BlockedKernels, PadsWiderThanTheInput) {
  checkConv({"wide", 1, 1, 2, 3, 3, 3, 3, 1, 1, 1, 1, 3, 4, 3, 4, 1});
}
TEST(BlockedKernels, GroupedConv) {
  checkConv({"grp", 1, 6, 5, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3});
}
TEST(BlockedKernels, DepthwiseWithMultiplier) {
  checkConv({"dwm", 1, 3, 6, 10, 6, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 3});
}
TEST(BlockedKernels, Depthwise5x5) {
  checkConv({"dw5", 1, 4, 9, 9, 4, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 4});
}
TEST(BlockedKernels, SingleOutputPixel) {
  checkConv({"px", 1, 4, 3, 3, 5, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1});
}

// Dense with M and K not multiples of the block (4) and a batch of 3; both weight orders.
void checkDense(int64_t n, int64_t k, int64_t m, bool transB, const std::string& tag) {
  std::vector<double> x = lcgValues(static_cast<size_t>(n * k), 3, -128, 127);
  std::vector<double> w = lcgValues(static_cast<size_t>(k * m), 5, -128, 127);
  std::vector<double> bias = lcgValues(static_cast<size_t>(m), 9, -1000, 1000);
  GraphBuilder b;
  TensorId xi = b.unary("to_i8", OpKind::Cast, b.input("x", {n, k}), DType::I8);
  TensorId wt = b.constant("w", DType::I8, transB ? Shape{m, k} : Shape{k, m}, w);
  TensorId bt = b.constant("b", DType::I32, {m}, bias);
  TensorId y = b.op("fc", "Gemm", OpKind::Dense, {xi, wt, bt}, {DType::I32, {n, m}},
                    {{"trans_b", int64_t{transB ? 1 : 0}}});
  Graph g = b.output(b.unary("to_f32", OpKind::Cast, y, DType::F32));
  std::vector<float> expected;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < m; ++j) {
      int64_t acc = static_cast<int64_t>(bias[static_cast<size_t>(j)]);
      for (int64_t i = 0; i < k; ++i)
        acc += static_cast<int64_t>(x[static_cast<size_t>(r * k + i)]) *
               static_cast<int64_t>(w[static_cast<size_t>(transB ? j * k + i : i * m + j)]);
      expected.push_back(static_cast<float>(acc));
    }
  TempDir dir(tag);
  EXPECT_EQ(compileAndRun(g, dir.path(), std::vector<float>(x.begin(), x.end())), expected);
}

TEST(BlockedKernels, DenseRemainders) {
  checkDense(3, 11, 7, true, "dense_t");
  checkDense(1, 3, 2, false, "dense_small");
}

}  // namespace
}  // namespace htvm
