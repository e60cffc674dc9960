// tests/runtime/sim_analog_test.cpp: the analog core of the simulator HAL. Weights are loaded as
// plain ternary rows, a conv job runs on HWC_C64_REV4 activations, and the result is compared with
// the float reference of sim_test_util.h (floorf of fl32(acc) / fl32(gain), then BN and shift).
// Cycle counts are worked out by hand from docs/ACCELERATOR_FORMATS.md for the test platform
// (array 1152x512, mvm 16, simd 64 lanes / 6 stages, weight fill 16 B/cycle, setup 150).
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace simtest {
namespace {

struct AnalogRun {
  T8 got, want;
  int nonzeroPad;
  htvm_perf_t loadPerf, convPerf;
};

AnalogRun runAnalog(const ConvGeom& g, const AnalogParams& p, int xLo, int xHi, unsigned seed) {
  std::mt19937 rng(seed);
  T8 x({g.c, g.ih, g.iw}), w({g.k, g.c, g.kh, g.kw});
  fillRandom(x, rng, xLo, xHi);
  fillRandom(w, rng, -1, 1);

  EXPECT_EQ(htvm_hal_init(), HTVM_OK);
  const uint32_t inOff = 0, outOff = 65536;
  toL1(kAnalog, inOff, encodeHwc(x));
  size_t outBytes = static_cast<size_t>(g.oh() * g.ow()) * roundUp(g.k, 64);
  toL1(kAnalog, outOff, std::vector<uint8_t>(outBytes, 0xA5));
  htvm_perf_reset();

  std::vector<int8_t> rows = analogRows(w);
  EXPECT_EQ(htvm_analog_load_weights(kAnalog, rows.data(), static_cast<uint16_t>(g.c * g.kh * g.kw),
                                     static_cast<uint16_t>(g.k)),
            HTVM_OK);
  AnalogRun r{T8{}, refAnalogConv(x, w, g, p), 0, perf(kAnalog), {}};

  htvm_analog_conv_cfg cfg{};
  cfg.in_off = inOff;
  cfg.out_off = outOff;
  cfg.c = static_cast<uint16_t>(g.c);
  cfg.k = static_cast<uint16_t>(g.k);
  cfg.ih = static_cast<uint16_t>(g.ih);
  cfg.iw = static_cast<uint16_t>(g.iw);
  cfg.oh = static_cast<uint16_t>(g.oh());
  cfg.ow = static_cast<uint16_t>(g.ow());
  cfg.kh = static_cast<uint8_t>(g.kh);
  cfg.kw = static_cast<uint8_t>(g.kw);
  cfg.stride_h = static_cast<uint8_t>(g.sh);
  cfg.stride_w = static_cast<uint8_t>(g.sw);
  cfg.pad_t = static_cast<uint8_t>(g.pt);
  cfg.pad_l = static_cast<uint8_t>(g.pl);
  cfg.pad_b = static_cast<uint8_t>(g.pb);
  cfg.pad_r = static_cast<uint8_t>(g.pr);
  cfg.gain = p.gain;
  cfg.adc_lo = static_cast<int8_t>(p.adcLo);
  cfg.adc_hi = static_cast<int8_t>(p.adcHi);
  cfg.bn_k = p.bnK.data();
  cfg.bn_l = p.bnL.data();
  cfg.shift = static_cast<uint8_t>(p.shift);
  cfg.lo = static_cast<int8_t>(p.lo);
  cfg.hi = static_cast<int8_t>(p.hi);
  htvm_perf_reset();
  EXPECT_EQ(htvm_analog_conv(kAnalog, &cfg), HTVM_OK);
  r.convPerf = perf(kAnalog);
  r.got = decodeHwc(fromL1(kAnalog, outOff, outBytes), g.k, g.oh(), g.ow(), &r.nonzeroPad);
  return r;
}

AnalogParams params(int k, int shift, int lo, int hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dk(-300, 300), dl(-2000, 2000);
  AnalogParams p{2.9293065f, -32, 31, {}, {}, shift, lo, hi};
  for (int i = 0; i < k; ++i) {
    p.bnK.push_back(static_cast<int16_t>(dk(rng)));
    p.bnL.push_back(static_cast<int16_t>(dl(rng)));
  }
  return p;
}

TEST(SimAnalogConv, SmallConvMatchesFloatReference) {
  ConvGeom g{3, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1};
  AnalogRun r = runAnalog(g, params(g.k, 4, -128, 127, 31), -63, 63, 32);
  EXPECT_EQ(r.got.v, r.want.v);
  EXPECT_EQ(r.nonzeroPad, 0); // channels 5..63 of every pixel
  // Load: rows 27 -> ceil(54/32)*32 = 64 bit-rows of 512 bits = 4096 bytes -> 256 cycles.
  EXPECT_EQ(r.loadPerf.weight_cycles, 256u);
  EXPECT_EQ(r.loadPerf.setup_cycles, 150u);
  EXPECT_EQ(r.loadPerf.jobs, 1u);
  // Conv: 16 passes * (16 + ceil(5/64)) + 6 = 278.
  EXPECT_EQ(r.convPerf.compute_cycles, 278u);
  EXPECT_EQ(r.convPerf.setup_cycles, 150u);
  EXPECT_EQ(r.convPerf.weight_cycles, 0u);
  EXPECT_EQ(r.convPerf.jobs, 1u);
}

TEST(SimAnalogConv, TwoChannelLinesStride2AsymmetricPads) {
  // C = 66 and K = 70 need two 64-channel lines per pixel on both sides.
  ConvGeom g{66, 70, 5, 5, 3, 3, 2, 2, /*pt=*/1, /*pl=*/1, /*pb=*/0, /*pr=*/0};
  ASSERT_EQ(g.oh(), 2);
  ASSERT_EQ(g.ow(), 2);
  AnalogRun r = runAnalog(g, params(g.k, 3, -64, 63, 41), -8, 8, 42);
  EXPECT_EQ(r.got.v, r.want.v);
  EXPECT_EQ(r.nonzeroPad, 0);
  // Load: rows 594 -> ceil(1188/32)*32 = 1216 bit-rows * 64 bytes = 77824 bytes -> 4864 cycles.
  EXPECT_EQ(r.loadPerf.weight_cycles, 4864u);
  // Conv: 4 passes * (16 + ceil(70/64) = 18) + 6 = 78.
  EXPECT_EQ(r.convPerf.compute_cycles, 78u);
}

TEST(SimAnalogConv, AdcFloorsTowardMinusInfinity) {
  // One pixel, one channel, 1x1 kernel with weight 1: acc = x. With gain 2.9293065:
  //   x = 5  -> 1.7069 -> 1;   x = -5 -> -1.7069 -> -2;   x = 127 -> 43.35 -> clipped to 31.
  // BN k = 1, l = 0, shift 0, so the output is the ADC value itself.
  const int8_t xs[] = {5, -5, 127};
  const int8_t want[] = {1, -2, 31};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(htvm_hal_init(), HTVM_OK);
    std::vector<uint8_t> storage(64, 0);
    storage[3] = static_cast<uint8_t>(xs[i]); // channel 0 of pixel 0, REV4
    toL1(kAnalog, 0, storage);
    int8_t one = 1;
    ASSERT_EQ(htvm_analog_load_weights(kAnalog, &one, 1, 1), HTVM_OK);
    int16_t bnK = 1, bnL = 0;
    htvm_analog_conv_cfg cfg{};
    cfg.out_off = 64;
    cfg.c = cfg.k = cfg.ih = cfg.iw = cfg.oh = cfg.ow = 1;
    cfg.kh = cfg.kw = cfg.stride_h = cfg.stride_w = 1;
    cfg.gain = 2.9293065f;
    cfg.adc_lo = -32;
    cfg.adc_hi = 31;
    cfg.bn_k = &bnK;
    cfg.bn_l = &bnL;
    cfg.lo = -128;
    cfg.hi = 127;
    ASSERT_EQ(htvm_analog_conv(kAnalog, &cfg), HTVM_OK);
    EXPECT_EQ(static_cast<int8_t>(fromL1(kAnalog, 64, 64)[3]), want[i]) << "x = " << int(xs[i]);
  }
}

TEST(SimAnalogConv, WeightsStayLoadedAcrossJobs) {
  // Two conv jobs after one load give the same result; only the load streams weights.
  ConvGeom g{3, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1};
  AnalogParams p = params(g.k, 4, -128, 127, 51);
  AnalogRun r = runAnalog(g, p, -63, 63, 52);
  ASSERT_EQ(r.got.v, r.want.v);
  htvm_analog_conv_cfg cfg{};
  cfg.in_off = 0;
  cfg.out_off = 98304;
  cfg.c = 3;
  cfg.k = 5;
  cfg.ih = cfg.iw = cfg.oh = cfg.ow = 4;
  cfg.kh = cfg.kw = 3;
  cfg.stride_h = cfg.stride_w = 1;
  cfg.pad_t = cfg.pad_l = cfg.pad_b = cfg.pad_r = 1;
  cfg.gain = p.gain;
  cfg.adc_lo = -32;
  cfg.adc_hi = 31;
  cfg.bn_k = p.bnK.data();
  cfg.bn_l = p.bnL.data();
  cfg.shift = 4;
  cfg.lo = -128;
  cfg.hi = 127;
  ASSERT_EQ(htvm_analog_conv(kAnalog, &cfg), HTVM_OK);
  int nonzeroPad = 0;
  T8 again = decodeHwc(fromL1(kAnalog, 98304, 16 * 64), 5, 4, 4, &nonzeroPad);
  EXPECT_EQ(again.v, r.want.v);
  EXPECT_EQ(perf(kAnalog).weight_cycles, 0u);
}

} // namespace
} // namespace simtest
