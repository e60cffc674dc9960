// The register-blocked integer conv and dense kernels (emit_cpu_blocked.cpp) on shapes that
// exercise every part of their compile-time structure: row runs at the top and bottom pads, literal
// edge blocks and interior block loops, partial blocks when the width is not a multiple of the
// block, channel remainders, strides, dilations, asymmetric and oversized pads, groups, depthwise
// with a channel multiplier, large kernels (kernel-row loop), batches, and dense remainders. Each
// case is built for rv32 and run on the host with the blocked body (-DHTVM_SCALAR_KERNELS) and with
// the default host body, and compared with a direct convolution written from the ONNX definition
// (kernel_test_util.h), on pseudo-random int8 data.
#include <gtest/gtest.h>

#include <cstdint>

#include "kernel_test_util.h"

namespace htvm {
namespace {

using namespace htvm::testing;

// The blocked body is what rv32 runs; the host runs it with -DHTVM_SCALAR_KERNELS (the default host
// build runs the vector body of emit_cpu_vector.cpp, tested in vector_kernels_test.cpp).
const char* const kScalarOnHost = "CFLAGS=-DHTVM_SCALAR_KERNELS=1";

void checkConv(const ConvCase& k) {
  KernelCase c = convCase(k);
  TempDir dir(k.name);
  EXPECT_EQ(compileAndRun(c.g, dir.path(), c.input), c.expected) << k.name;
  EXPECT_EQ(makeAndRunHost(c.g, dir.path(), kScalarOnHost, c.input), c.expected) << k.name;
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
  KernelCase c = denseCase(n, k, m, transB);
  TempDir dir(tag);
  EXPECT_EQ(compileAndRun(c.g, dir.path(), c.input), c.expected);
  EXPECT_EQ(makeAndRunHost(c.g, dir.path(), kScalarOnHost, c.input), c.expected);
}

TEST(BlockedKernels, DenseRemainders) {
  checkDense(3, 11, 7, true, "dense_t");
  checkDense(1, 3, 2, false, "dense_small");
}

}  // namespace
}  // namespace htvm
