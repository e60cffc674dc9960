// Every legality rule of diana.json's patterns, with a passing and a failing case and the exact
// reason text, plus the needs-tiling checks.
#include "partition/legality.h"

#include <gtest/gtest.h>

#include "partition/fused_layers.h"
#include "platform/platform_test_util.h"
#include "tiling/tiler.h"

namespace htvm {
namespace {

using testing::ConvSpec;
using testing::GraphBuilder;
using Why = std::optional<std::string>;

const Platform& diana() {
  static const Platform p = testing::diana();
  return p;
}
const AcceleratorDesc& digital() { return diana().accelerators.at(0); }
const AcceleratorDesc& analog() { return diana().accelerators.at(1); }

ConvSpec spec(int64_t k, int64_t ks, int64_t pad) {
  ConvSpec s;
  s.k = k;
  s.kh = s.kw = ks;
  s.pads = {pad, pad, pad, pad};
  return s;
}

Why conv(Shape in, const ConvSpec& s, DType inType = DType::I8) {
  GraphBuilder b;
  b.output(qconv(b, "conv", act(b, "x", std::move(in), inType), s));
  Graph& g = b.verified();
  return illegalReason(g, g.nodes[0], digital());
}

Why aconv(Shape in, const ConvSpec& s) {
  GraphBuilder b;
  b.output(analogConv(b, "aconv", act(b, "x", std::move(in)), s));
  Graph& g = b.verified();
  return illegalReason(g, g.nodes[0], analog());
}

Why dense(Shape in, int64_t k, int64_t shift = 8, int64_t lo = -128, int64_t hi = 127,
          bool bias = true) {
  GraphBuilder b;
  b.output(qdense(b, "fc", act(b, "x", std::move(in)), k, shift, lo, hi, bias));
  Graph& g = b.verified();
  return illegalReason(g, g.nodes[0], digital());
}

Why add(Shape a, Shape bs, int64_t shift = 1, int64_t lo = -128, int64_t hi = 127,
        DType bType = DType::I8) {
  GraphBuilder b;
  TensorId x = act(b, "a", std::move(a));
  TensorId y = act(b, "b", std::move(bs), bType);
  b.output(qadd(b, "add", x, y, shift, lo, hi));
  return illegalReason(b.g, b.g.nodes[0], digital());  // not verified: unequal shapes are tested
}

const Shape kIn = {1, 16, 8, 8};

// ---- digital qconv2d --------------------------------------------------------------------------

TEST(DigitalConvRules, BaseCaseIsLegal) { EXPECT_EQ(conv(kIn, spec(16, 3, 1)), std::nullopt); }

TEST(DigitalConvRules, DataTypes) {
  EXPECT_EQ(conv(kIn, spec(16, 3, 1), DType::I16), "input dtype int16, expected int8");
  ConvSpec s = spec(16, 3, 1);
  s.outType = DType::I16;
  EXPECT_EQ(conv(kIn, s), "output dtype int16, expected int8");
}

TEST(DigitalConvRules, LayoutNeedsBatchOne) {
  EXPECT_EQ(conv({1, 16, 8, 8}, spec(16, 3, 1)), std::nullopt);
  // Batch 2 breaks the layout of the input and of the output: both are reported.
  EXPECT_EQ(conv({2, 16, 8, 8}, spec(16, 3, 1)),
            "input i8[2x16x8x8] cannot be stored in layout chw_w16_rev4 and "
            "output i8[2x16x8x8] cannot be stored in layout chw_w16_rev4");
}

TEST(DigitalConvRules, ShiftRange) {
  ConvSpec s = spec(16, 3, 1);
  s.shift = 31;
  EXPECT_EQ(conv(kIn, s), std::nullopt);
  s.shift = 0;
  EXPECT_EQ(conv(kIn, s), std::nullopt);
  s.shift = 32;
  EXPECT_EQ(conv(kIn, s), "shift 32 not in [0,31]");
  s.shift = -1;
  EXPECT_EQ(conv(kIn, s), "shift -1 not in [0,31]");
}

TEST(DigitalConvRules, ClipMustBeInt8OrRelu) {
  ConvSpec s = spec(16, 3, 1);
  s.lo = 0;
  EXPECT_EQ(conv(kIn, s), std::nullopt);
  s.lo = -100;
  s.hi = 100;
  EXPECT_EQ(conv(kIn, s), "clip [-100,100] not one of [-128,127], [0,127]");
}

TEST(DigitalConvRules, ElementCountsMultipleOfFour) {
  EXPECT_EQ(conv({1, 4, 3, 3}, spec(4, 3, 1)), std::nullopt);  // 36 in, 36 out
  EXPECT_EQ(conv({1, 3, 3, 3}, spec(4, 3, 1)), "input elements 27 not a multiple of 4");
  EXPECT_EQ(conv({1, 4, 3, 3}, spec(3, 3, 1)), "output elements 27 not a multiple of 4");
}

TEST(DigitalConvRules, KernelSizes) {
  EXPECT_EQ(conv({1, 16, 16, 16}, spec(16, 1, 0)), std::nullopt);
  EXPECT_EQ(conv({1, 16, 16, 16}, spec(16, 5, 2)), std::nullopt);
  EXPECT_EQ(conv({1, 16, 16, 16}, spec(16, 7, 3)), std::nullopt);
  EXPECT_EQ(conv({1, 16, 16, 16}, spec(16, 9, 4)), "kernel 9x9 not in {1,3,5,7}");
  ConvSpec s = spec(16, 3, 1);
  s.kw = 2;
  s.pads = {1, 0, 1, 0};
  EXPECT_EQ(conv({1, 16, 16, 16}, s), "kernel 3x2 not in {1,3,5,7}");
}

TEST(DigitalConvRules, Strides) {
  ConvSpec s = spec(16, 3, 1);
  s.strides = {2, 2};
  EXPECT_EQ(conv({1, 16, 16, 16}, s), std::nullopt);
  s.strides = {3, 3};
  EXPECT_EQ(conv({1, 16, 16, 16}, s), "stride 3x3 not in {1,2}");
  s.strides = {1, 2};
  EXPECT_EQ(conv({1, 16, 16, 16}, s), "stride 1x2 not equal in both dims");
}

// A layer breaking rules of different families gets all of them, in check order (requant, then
// geometry, then operands), so one compile tells the user everything to change.
TEST(DigitalConvRules, EveryFailingRuleIsReported) {
  ConvSpec s = spec(16, 9, 4);  // kernel 9 is not offered
  s.shift = 40;                 // beyond [0,31]
  s.dilations = {2, 2};         // only 1 is offered
  EXPECT_EQ(conv({1, 16, 16, 16}, s),
            "shift 40 not in [0,31] and kernel 9x9 not in {1,3,5,7} and dilation 2x2 not in {1}");
}

TEST(DigitalConvRules, Dilation) {
  ConvSpec s = spec(16, 3, 2);
  s.dilations = {2, 2};
  // HTVM's 'same' test reads the kernel, not the dilated window: pad 2 fails 3 - 2*2 == 1 too.
  EXPECT_EQ(conv({1, 16, 16, 16}, s),
            "dilation 2x2 not in {1} and "
            "padding [2,2,2,2] (t,l,b,r) not 'same' for kernel 3x3 (k - 2p != 1 on both axes)");
}

TEST(DigitalConvRules, Groups) {
  ConvSpec s = spec(16, 3, 1);
  s.group = 16;  // depthwise: groups == C == K
  EXPECT_EQ(conv(kIn, s), std::nullopt);
  s.group = 4;
  EXPECT_EQ(conv(kIn, s), "groups 4 not in {1, depthwise}");
  s.group = 16;
  s.k = 32;  // channel multiplier 2 is not depthwise
  EXPECT_EQ(conv(kIn, s), "groups 16 not in {1, depthwise}");
}

TEST(DigitalConvRules, PaddingSymmetric) {
  ConvSpec s = spec(16, 3, 1);
  s.pads = {1, 1, 0, 0};
  EXPECT_EQ(conv(kIn, s), "padding [1,1,0,0] (t,l,b,r) not symmetric");
  s.pads = {0, 1, 0, 0};
  EXPECT_EQ(conv(kIn, s), "padding [0,1,0,0] (t,l,b,r) not symmetric");
}

TEST(DigitalConvRules, PaddingSameIsHtvmsLenientCheck) {
  EXPECT_EQ(conv(kIn, spec(16, 3, 0)),
            "padding [0,0,0,0] (t,l,b,r) not 'same' for kernel 3x3 (k - 2p != 1 on both axes)");
  EXPECT_EQ(conv(kIn, spec(16, 5, 1)),
            "padding [1,1,1,1] (t,l,b,r) not 'same' for kernel 5x5 (k - 2p != 1 on both axes)");
  // One axis satisfying k - 2p == 1 is enough (HTVM rejects only when both fail).
  ConvSpec s = spec(16, 3, 1);
  s.pads = {1, 0, 1, 0};
  EXPECT_EQ(conv(kIn, s), std::nullopt);
  s.pads = {0, 1, 0, 1};
  EXPECT_EQ(conv(kIn, s), std::nullopt);
}

TEST(DigitalConvRules, WeightsConstantInt8) {
  ConvSpec s = spec(16, 3, 1);
  s.constWeights = false;
  EXPECT_EQ(conv(kIn, s), "weights not a constant");
  s = spec(16, 3, 1);
  s.weightType = DType::I16;
  EXPECT_EQ(conv(kIn, s), "weights dtype int16, expected int8");
}

TEST(DigitalConvRules, BiasRequiredInt32Constant) {
  ConvSpec s = spec(16, 3, 1);
  s.bias = false;
  EXPECT_EQ(conv(kIn, s), "bias missing (required)");
  s = spec(16, 3, 1);
  s.biasType = DType::I16;
  EXPECT_EQ(conv(kIn, s), "bias dtype int16, expected int32");

  GraphBuilder b;
  b.output(qconv(b, "conv", act(b, "x", kIn), spec(16, 3, 1)));
  b.g.tensor(b.g.nodes[0].inputs[2]).data.reset();
  b.g.inputs.push_back(b.g.nodes[0].inputs[2]);
  EXPECT_EQ(illegalReason(b.g, b.g.nodes[0], digital()), "bias not a constant");
}

// ---- digital qdense ---------------------------------------------------------------------------

TEST(DigitalDenseRules, AllRules) {
  EXPECT_EQ(dense({1, 64}, 16), std::nullopt);
  EXPECT_EQ(dense({2, 64}, 16),
            "input i8[2x64] cannot be stored in layout vec16_rev4 and "
            "output i8[2x16] cannot be stored in layout vec16_rev4");
  EXPECT_EQ(dense({1, 64}, 16, 31), std::nullopt);
  EXPECT_EQ(dense({1, 64}, 16, 40), "shift 40 not in [0,31]");
  EXPECT_EQ(dense({1, 64}, 16, 8, 0, 127), std::nullopt);
  EXPECT_EQ(dense({1, 64}, 16, 8, -10, 10), "clip [-10,10] not one of [-128,127], [0,127]");
  EXPECT_EQ(dense({1, 30}, 16), "input elements 30 not a multiple of 4");
  EXPECT_EQ(dense({1, 64}, 10), "output elements 10 not a multiple of 4");
  EXPECT_EQ(dense({1, 64}, 16, 8, -128, 127, false), "bias missing (required)");
  GraphBuilder b;
  b.output(qdense(b, "fc", act(b, "x", {1, 64}, DType::I16), 16));
  EXPECT_EQ(illegalReason(b.verified(), b.g.nodes[0], digital()),
            "input dtype int16, expected int8");
}

// ---- digital qadd -----------------------------------------------------------------------------

TEST(DigitalAddRules, AllRules) {
  EXPECT_EQ(add(kIn, kIn), std::nullopt);
  EXPECT_EQ(add(kIn, {1, 16, 8, 4}), "operand shapes 1x16x8x8 and 1x16x8x4 differ");
  EXPECT_EQ(add(kIn, kIn, 1, -128, 127, DType::I16), "input b dtype int16, expected int8");
  EXPECT_EQ(add(kIn, kIn, 31), std::nullopt);
  EXPECT_EQ(add(kIn, kIn, 32), "shift 32 not in [0,31]");
  EXPECT_EQ(add(kIn, kIn, 1, 0, 127), std::nullopt);  // relu on the sum: assumed (open question 10)
  EXPECT_EQ(add(kIn, kIn, 1, -64, 63), "clip [-64,63] not one of [-128,127], [0,127]");
  EXPECT_EQ(add({1, 4, 1, 1}, {1, 4, 1, 1}), std::nullopt);
  EXPECT_EQ(add({1, 3, 1, 1}, {1, 3, 1, 1}),
            "input a elements 3 not a multiple of 4 and input b elements 3 not a multiple of 4 and "
            "output elements 3 not a multiple of 4");
  EXPECT_EQ(add({1, 64}, {1, 64}),
            "input a i8[1x64] cannot be stored in layout chw_w16_rev4 and "
            "input b i8[1x64] cannot be stored in layout chw_w16_rev4 and "
            "output i8[1x64] cannot be stored in layout chw_w16_rev4");
  GraphBuilder b;
  b.output(qadd(b, "add", act(b, "a", kIn), act(b, "b", kIn), 1, -128, 127, DType::I32));
  EXPECT_EQ(illegalReason(b.g, b.g.nodes[0], digital()), "output dtype int32, expected int8");
}

// ---- analog_conv2d ----------------------------------------------------------------------------

ConvSpec aspec(int64_t k = 32) { return spec(k, 3, 1); }

TEST(AnalogConvRules, BaseCaseIsLegal) { EXPECT_EQ(aconv(kIn, aspec()), std::nullopt); }

TEST(AnalogConvRules, WeightsTernary) {
  ConvSpec s = aspec();
  s.weightValue = -1;
  EXPECT_EQ(aconv(kIn, s), std::nullopt);
  s.weightValue = 2;
  EXPECT_EQ(aconv(kIn, s), "weights not ternary: value 2 outside [-1,1]");
  s = aspec();
  s.constWeights = false;
  EXPECT_EQ(aconv(kIn, s), "weights not a constant");
  s = aspec();
  s.weightType = DType::I16;
  EXPECT_EQ(aconv(kIn, s), "weights dtype int16, expected int8");
}

TEST(AnalogConvRules, GroupsOneOnly) {
  ConvSpec s = aspec(16);
  s.group = 16;
  EXPECT_EQ(aconv(kIn, s), "groups 16 (depthwise) not in {1}");
}

TEST(AnalogConvRules, AdcClipExactly6Bit) {
  ConvSpec s = aspec();
  s.adcLo = -64;
  s.adcHi = 63;
  EXPECT_EQ(aconv(kIn, s), "adc clip [-64,63] not one of [-32,31]");
  s.adcLo = -32;
  s.adcHi = 30;
  EXPECT_EQ(aconv(kIn, s), "adc clip [-32,30] not one of [-32,31]");
}

TEST(AnalogConvRules, BnFitsInt16) {
  ConvSpec s = aspec();
  s.bnK = -32768;
  s.bnL = 32767;
  EXPECT_EQ(aconv(kIn, s), std::nullopt);
  s.bnK = 40000;
  EXPECT_EQ(aconv(kIn, s), "bn_k (int16): value 40000 outside [-32768,32767]");
  s = aspec();
  s.bnL = -40000;
  EXPECT_EQ(aconv(kIn, s), "bn_l (int16): value -40000 outside [-32768,32767]");
}

TEST(AnalogConvRules, ArrayRowsAndCols) {
  EXPECT_EQ(aconv({1, 128, 4, 4}, aspec()), std::nullopt);  // rows 1152
  EXPECT_EQ(aconv({1, 132, 4, 4}, aspec()), "rows C*kh*kw = 132*3*3 = 1188 > array rows 1152");
  EXPECT_EQ(aconv({1, 16, 4, 4}, aspec(512)), std::nullopt);
  EXPECT_EQ(aconv({1, 16, 4, 4}, aspec(516)), "cols K = 516 > array cols 512");
}

TEST(AnalogConvRules, SharedConvAndRequantRules) {
  // 16 channels x 9 x 9 taps = 1296 rows also overflow the 1152-row array.
  EXPECT_EQ(aconv({1, 16, 16, 16}, spec(32, 9, 4)),
            "kernel 9x9 not in {1,3,5,7} and rows C*kh*kw = 16*9*9 = 1296 > array rows 1152");
  EXPECT_EQ(aconv(kIn, spec(32, 3, 0)),
            "padding [0,0,0,0] (t,l,b,r) not 'same' for kernel 3x3 (k - 2p != 1 on both axes)");
  ConvSpec s = aspec();
  s.strides = {2, 2};
  EXPECT_EQ(aconv({1, 16, 16, 16}, s), std::nullopt);
  s.strides = {2, 1};
  EXPECT_EQ(aconv({1, 16, 16, 16}, s), "stride 2x1 not equal in both dims");
  s = aspec();
  s.shift = 32;
  EXPECT_EQ(aconv(kIn, s), "shift 32 not in [0,31]");
  s = aspec();
  s.lo = 0;  // any clip within int8 (no clip list for analog)
  EXPECT_EQ(aconv(kIn, s), std::nullopt);
  s.lo = -200;
  EXPECT_EQ(aconv(kIn, s), "clip [-200,127] exceeds int8");
  EXPECT_EQ(aconv({1, 3, 3, 3}, aspec()), "input elements 27 not a multiple of 4");
  EXPECT_EQ(aconv({2, 16, 8, 8}, aspec()),
            "input i8[2x16x8x8] cannot be stored in layout hwc_c64_rev4 and "
            "output i8[2x32x8x8] cannot be stored in layout hwc_c64_rev4");
}

TEST(Patterns, LayoutPerAcceleratorAndOp) {
  EXPECT_EQ(patternLayout(digital(), OpKind::QConv2D), Layout::CHW_W16_REV4);
  EXPECT_EQ(patternLayout(digital(), OpKind::QAdd), Layout::CHW_W16_REV4);
  EXPECT_EQ(patternLayout(digital(), OpKind::QDense), Layout::VEC16_REV4);
  EXPECT_EQ(patternLayout(digital(), OpKind::AnalogConv2D), std::nullopt);
  EXPECT_EQ(patternLayout(analog(), OpKind::AnalogConv2D), Layout::HWC_C64_REV4);
  EXPECT_EQ(patternLayout(analog(), OpKind::QConv2D), std::nullopt);
  EXPECT_EQ(patternLayout(digital(), OpKind::Clip), std::nullopt);
}

// ---- tiling (the partition rejects a legal layer with the tiler's answer) -----------------------

// Why no tiling of n fits a, or nullopt when one does.
std::optional<std::string> needsTiling(const Graph& g, const Node& n, const AcceleratorDesc& a) {
  Result<TilingResult> r = tileNode(g, n, a, TilerOptions{});
  if (r.ok()) return std::nullopt;
  return r.diag().message;
}

Why fits(GraphBuilder& b, const AcceleratorDesc& a) {
  Graph& g = b.verified();
  EXPECT_EQ(illegalReason(g, g.nodes[0], a), std::nullopt);
  return needsTiling(g, g.nodes[0], a);
}

TEST(NeedsTiling, LayersLargerThanL1AreTiled) {
  GraphBuilder ok;
  ok.output(
      qconv(ok, "c", act(ok, "x", {1, 32, 32, 32}), spec(32, 3, 1)));  // 32 KiB + 32 KiB, whole
  EXPECT_EQ(fits(ok, digital()), std::nullopt);
  GraphBuilder big;  // 256 KiB + 256 KiB: row tiles
  big.output(qconv(big, "c", act(big, "x", {1, 64, 64, 64}), spec(64, 3, 1)));
  EXPECT_EQ(fits(big, digital()), std::nullopt);
  GraphBuilder padded;  // W 40 is stored as 48 columns: 3 x 120 KiB, byte tiles
  padded.output(
      qadd(padded, "add", act(padded, "a", {1, 64, 40, 40}), act(padded, "b", {1, 64, 40, 40})));
  EXPECT_EQ(fits(padded, digital()), std::nullopt);
}

TEST(NeedsTiling, NoTilingWhenTheSmallestTilesOverflowL1) {
  Platform p = std::move(testing::loadEdited("small_l1.json", [](nlohmann::json& j) {
                           j["accelerators"][0]["l1"]["activation_bytes"] = 96;
                         }).value());
  GraphBuilder b;  // input 36 -> 48 B -> 64 B; output 20 -> 32 B; a dense input is never tiled
  b.output(qdense(b, "fc", act(b, "x", {1, 36}), 20));
  EXPECT_EQ(fits(b, p.accelerators[0]), std::nullopt);
  p.accelerators[0].l1.activationBytes.value = 95;
  EXPECT_EQ(needsTiling(b.g, b.g.nodes[0], p.accelerators[0]),
            "no tiling fits: smallest tiles (K16) need L1 buffers 96 B > L1 95 B");
}

TEST(NeedsTiling, DigitalWeightMemory) {
  GraphBuilder conv;  // 590848 B of weights: 16-channel tiles of 36928 B each
  conv.output(qconv(conv, "c", act(conv, "x", {1, 256, 4, 4}), spec(256, 3, 1)));
  EXPECT_EQ(fits(conv, digital()), std::nullopt);
  GraphBuilder
      wide;  // one 16-channel block is already 16 * 512 * 9 + 64 B; input channels are not tiled
  wide.output(qconv(wide, "c", act(wide, "x", {1, 512, 4, 4}), spec(16, 3, 1)));
  EXPECT_EQ(fits(wide, digital()),
            "no tiling fits: smallest tiles (K16 x H1 x W4) need weight stream of one job 73792 B > weight "
            "memory 64000 B (input channels are not tiled)");
  GraphBuilder dw;  // one 208 B block per job
  ConvSpec s = spec(512, 3, 1);
  s.group = 512;
  dw.output(qconv(dw, "dw", act(dw, "x", {1, 512, 4, 4}), s));
  EXPECT_EQ(fits(dw, digital()), std::nullopt);
  GraphBuilder fc;  // 69632 B: output tiles
  fc.output(qdense(fc, "fc", act(fc, "x", {1, 256}), 256));
  EXPECT_EQ(fits(fc, digital()), std::nullopt);
}

TEST(NeedsTiling, AnalogActivations) {
  GraphBuilder ok;
  ok.output(analogConv(ok, "a", act(ok, "x", {1, 64, 32, 32}), aspec(64)));
  EXPECT_EQ(fits(ok, analog()), std::nullopt);
  GraphBuilder big;  // 131072 B + 65536 B: row tiles
  big.output(analogConv(big, "a", act(big, "x", {1, 128, 32, 32}), aspec(64)));
  EXPECT_EQ(fits(big, analog()), std::nullopt);
}

}  // namespace
}  // namespace htvm
