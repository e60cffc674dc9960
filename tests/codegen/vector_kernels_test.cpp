// The host bodies of the integer conv and dense kernels (emit_cpu_vector.cpp: im2col + int16 dot
// products, depthwise vectorised over channels), on shapes covering 1x1/3x3/5x5/7x7/10x4 kernels,
// strides 1 and 2, dilation, asymmetric and oversized pads, groups, depthwise with and without a
// channel multiplier, odd channel counts and widths (pixel and channel remainder blocks, patch rows
// padded to 16), batches, and dense in both weight orders, plain (int32 out) and fused with a
// requant (int8 out, the select-based clamp). Each case is built with the generated Makefile under
// several host configurations (-O0..-O3, portable and -march=native; -Wall -Wextra -Werror) and
// compared bit-exactly with the direct oracle of kernel_test_util.h; it is also compiled for rv32,
// whose preprocessed source must not contain the host body.
#include <gtest/gtest.h>

#include <cstdint>

#include "kernel_test_util.h"

namespace htvm {
namespace {

using namespace htvm::testing;

const char* const kHostConfigs[] = {"", "OPT=3 HOST_ARCH=native", "OPT=0", "OPT=1 HOST_ARCH=native",
                                    "OPT=3"};

void checkCase(const KernelCase& c, const std::string& tag) {
  TempDir dir(tag);
  for (const char* cfg : kHostConfigs)
    EXPECT_EQ(makeAndRunHost(c.g, dir.path(), cfg, c.input), c.expected) << tag << ": " << cfg;
  EXPECT_TRUE(emitAndMake(c.g, dir.path(), "TARGET=rv32"));
  // The host body (its int16 weight table) is present for the host and invisible to rv32.
  const std::string src = (dir.path() / "src/cpu_layers.c").string();
  const std::string rv32 = (dir.path() / "rv32.i").string();
  const std::string host = (dir.path() / "host.i").string();
  ASSERT_EQ(shell("riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 --specs=picolibc.specs "
                  "-E -P '" + src + "' > '" + rv32 + "'"),
            0);
  ASSERT_EQ(shell("gcc -E -P '" + src + "' > '" + host + "'"), 0);
  EXPECT_NE(readText(host).find("static const int16_t wv["), std::string::npos) << tag;
  EXPECT_EQ(readText(rv32).find("static const int16_t wv["), std::string::npos) << tag;
}

void checkConv(const ConvCase& k) { checkCase(convCase(k), k.name); }

void checkQConv(const ConvCase& k, Requant rq) {
  checkCase(convCase(k, &rq), std::string(k.name) + "_q");
}

const Requant kRelu{9, 0, 127};
const Requant kSigned{8, -128, 127};

// Fields: name, n c h w, m kh kw, strides, dilations, pads (top left bottom right), group.
TEST(VectorKernels, Conv1x1OddChannelsPatchRows) {
  checkConv({"v1x1", 1, 13, 5, 7, 11, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1});
}
TEST(VectorKernels, Conv1x1ReadsThePlaneDirectly) {
  checkQConv({"v1x1d", 1, 32, 3, 5, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, kRelu);
}
TEST(VectorKernels, Conv1x1Stride2) {
  checkQConv({"v1x1s2", 1, 16, 7, 9, 6, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1}, kSigned);
}
TEST(VectorKernels, Conv3x3Pad1) {
  checkConv({"v3", 1, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  checkQConv({"v3", 1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, kRelu);
}
TEST(VectorKernels, Conv3x3Stride2AsymmetricPads) {
  checkQConv({"v3s2", 1, 6, 10, 13, 5, 3, 3, 2, 2, 1, 1, 0, 1, 1, 0, 1}, kSigned);
}
TEST(VectorKernels, Conv5x5AsymmetricPadsAndStrides) {
  checkConv({"v5", 1, 3, 9, 8, 4, 5, 5, 1, 2, 1, 1, 2, 0, 1, 3, 1});
}
TEST(VectorKernels, Conv7x7Stride2) {
  checkQConv({"v7", 1, 3, 15, 14, 5, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1}, kRelu);
}
TEST(VectorKernels, Conv10x4Stride2DsCnnFirstLayer) {
  checkQConv({"v10x4", 1, 1, 10, 49, 9, 10, 4, 2, 2, 1, 1, 5, 1, 5, 1, 1}, kRelu);
}
TEST(VectorKernels, Conv3x3Dilated) {
  checkConv({"vdil", 1, 4, 11, 10, 3, 3, 3, 1, 1, 2, 2, 2, 1, 2, 1, 1});
}
TEST(VectorKernels, PadsWiderThanTheInput) {
  checkConv({"vwide", 1, 1, 2, 3, 3, 3, 3, 1, 1, 1, 1, 3, 4, 3, 4, 1});
}
TEST(VectorKernels, GroupedConv) {
  checkConv({"vgrp", 1, 6, 5, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3});
}
TEST(VectorKernels, Batch2) {
  checkConv({"vbatch", 2, 4, 5, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}
TEST(VectorKernels, DepthwiseOddChannelCount) {
  checkQConv({"vdw", 1, 19, 6, 9, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 19}, kRelu);
}
TEST(VectorKernels, DepthwiseStride2WithMultiplier) {
  checkConv({"vdwm", 1, 3, 8, 11, 6, 3, 3, 2, 2, 1, 1, 1, 0, 0, 1, 3});
}
TEST(VectorKernels, Depthwise5x5) {
  checkQConv({"vdw5", 1, 4, 9, 9, 4, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 4}, kSigned);
}
TEST(VectorKernels, Depthwise7x7TapLoop) {
  checkConv({"vdw7", 1, 5, 10, 10, 5, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 5});
}
TEST(VectorKernels, Dense) {
  checkCase(denseCase(1, 64, 12, true), "dense");
  checkCase(denseCase(3, 11, 7, true), "dense_odd");
  checkCase(denseCase(5, 20, 9, false, &kRelu), "dense_kmq");
  checkCase(denseCase(1, 3, 2, false, &kSigned), "dense_small");
}

}  // namespace
}  // namespace htvm
