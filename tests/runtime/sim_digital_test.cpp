// tests/runtime/sim_digital_test.cpp: digital accelerator jobs of the simulator HAL (conv,
// depthwise, dense, add), each run as generated code would (DMA in, job, DMA out) and compared with
// the naive references of sim_test_util.h or with values worked out by hand in the comments. Cycle
// counts are computed by hand from the formulas of docs/ACCELERATOR_FORMATS.md for the test
// platform (pe 16x16, block 23, fifo 2, weight fill 16 B/cycle, job setup 150).
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace simtest {
namespace {

constexpr uint32_t kInOff = 0;
constexpr uint32_t kOutOff = 32768;

struct ConvRun {
  T8 got, want;
  int nonzeroPad;
};

// Runs one digital conv (or depthwise) job on random data and the reference on the same data.
// The input padding is filled with garbage to show that the job reads only logical positions,
// and the output region is pre-filled with garbage to show that padding is written as 0.
ConvRun runConv(const ConvGeom& g, bool dw, int shift, bool relu, unsigned seed) {
  std::mt19937 rng(seed);
  T8 x({g.c, g.ih, g.iw}), w({g.k, dw ? 1 : g.c, g.kh, g.kw});
  T32 bias({g.k});
  fillRandom(x, rng, -128, 127);
  fillRandom(w, rng, -128, 127);
  fillRandom(bias, rng, -3000, 3000);

  EXPECT_EQ(htvm_hal_init(), HTVM_OK);
  toL1(kDigital, kInOff, encodeChw(x, /*padFill=*/0x77));
  size_t outBytes = static_cast<size_t>(g.k * g.oh()) * roundUp(g.ow(), 16);
  toL1(kDigital, kOutOff, std::vector<uint8_t>(outBytes, 0xA5));

  std::vector<int8_t> stream = dw ? dwStream(w, bias) : convStream(w, bias);
  htvm_digital_conv_cfg cfg{};
  cfg.in_off = kInOff;
  cfg.out_off = kOutOff;
  cfg.weights = stream.data();
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
  cfg.depthwise = dw;
  cfg.shift = static_cast<uint8_t>(shift);
  cfg.relu = relu;
  EXPECT_EQ(htvm_digital_conv(kDigital, &cfg), HTVM_OK);

  ConvRun r{T8{}, refDigitalConv(x, w, bias, g, dw, shift, relu), 0};
  r.got = decodeChw(fromL1(kDigital, kOutOff, outBytes), g.k, g.oh(), g.ow(), &r.nonzeroPad);
  return r;
}

int countDistinct(const T8& t) {
  std::vector<bool> seen(256, false);
  int n = 0;
  for (int8_t v : t.v) {
    size_t i = static_cast<uint8_t>(v);
    n += !seen[i];
    seen[i] = true;
  }
  return n;
}

TEST(SimDigitalConv, Stride1AsymmetricPadsNoRelu) {
  ConvGeom g{/*c=*/2,  /*k=*/3,  /*ih=*/5, /*iw=*/5, 3, 3, /*sh=*/1, /*sw=*/1,
             /*pt=*/1, /*pl=*/2, /*pb=*/0, /*pr=*/1};
  ASSERT_EQ(g.oh(), 4);
  ASSERT_EQ(g.ow(), 6);
  ConvRun r = runConv(g, false, /*shift=*/6, /*relu=*/false, 1);
  EXPECT_EQ(r.got.v, r.want.v);
  EXPECT_EQ(r.nonzeroPad, 0);
  EXPECT_GT(countDistinct(r.want), 8); // the data exercises the requantization, not just clipping
}

TEST(SimDigitalConv, Stride2AsymmetricPadsRelu) {
  ConvGeom g{2, 3, 5, 5, 3, 3, 2, 2, /*pt=*/0, /*pl=*/1, /*pb=*/1, /*pr=*/0};
  ASSERT_EQ(g.oh(), 2);
  ASSERT_EQ(g.ow(), 2);
  ConvRun r = runConv(g, false, 6, /*relu=*/true, 2);
  EXPECT_EQ(r.got.v, r.want.v);
  EXPECT_EQ(r.nonzeroPad, 0);
}

TEST(SimDigitalConv, TwoWeightBlocksAndWideRows) {
  // K = 20 needs two 16-channel blocks; W = 18 makes every row span two 16-byte row chunks.
  ConvGeom g{3, 20, 6, 18, 3, 3, 1, 1, 1, 1, 1, 1};
  for (bool relu : {false, true}) {
    ConvRun r = runConv(g, false, 7, relu, 3);
    EXPECT_EQ(r.got.v, r.want.v) << "relu " << relu;
    EXPECT_EQ(r.nonzeroPad, 0);
  }
}

TEST(SimDigitalConv, OneByOneKernel) {
  ConvGeom g{4, 5, 3, 7, 1, 1, 1, 1, 0, 0, 0, 0};
  ConvRun r = runConv(g, false, 5, false, 4);
  EXPECT_EQ(r.got.v, r.want.v);
  EXPECT_EQ(r.nonzeroPad, 0);
}

TEST(SimDigitalConv, Depthwise) {
  for (int stride : {1, 2}) {
    ConvGeom g{3, 3, 7, 6, 3, 3, stride, stride, 1, 1, 1, 1};
    for (bool relu : {false, true}) {
      ConvRun r = runConv(g, /*dw=*/true, 5, relu, 5);
      EXPECT_EQ(r.got.v, r.want.v) << "stride " << stride << " relu " << relu;
      EXPECT_EQ(r.nonzeroPad, 0);
    }
  }
}

TEST(SimDigitalConv, HandComputedOneChannel) {
  // C = K = 1, 2x2 input [[1, 2], [3, 4]], 3x3 kernel all ones except w[1][1] = -2, pad 1,
  // bias -1, shift 1. Output (before requant) = sum of the 2x2 inputs inside the window minus 3x
  // the centre, plus bias:
  //   (0,0): centre 1: 1+2+3+4 - 3*1 - 1 = 6  -> 6 >> 1 = 3
  //   (0,1): centre 2: 10 - 6 - 1 = 3          -> floor(1.5) = 1
  //   (1,0): centre 3: 10 - 9 - 1 = 0          -> 0
  //   (1,1): centre 4: 10 - 12 - 1 = -3        -> floor(-1.5) = -2
  T8 x({1, 2, 2});
  x.v = {1, 2, 3, 4};
  T8 w({1, 1, 3, 3});
  w.v = {1, 1, 1, 1, -2, 1, 1, 1, 1};
  T32 bias({1});
  bias.v = {-1};
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  toL1(kDigital, 0, encodeChw(x));
  std::vector<int8_t> stream = convStream(w, bias);
  ASSERT_EQ(stream.size(), 16u * 9 + 64);
  htvm_digital_conv_cfg cfg{};
  cfg.out_off = 64;
  cfg.weights = stream.data();
  cfg.c = cfg.k = 1;
  cfg.ih = cfg.iw = cfg.oh = cfg.ow = 2;
  cfg.kh = cfg.kw = 3;
  cfg.stride_h = cfg.stride_w = 1;
  cfg.pad_t = cfg.pad_l = cfg.pad_b = cfg.pad_r = 1;
  cfg.shift = 1;
  ASSERT_EQ(htvm_digital_conv(kDigital, &cfg), HTVM_OK);
  std::vector<uint8_t> out = fromL1(kDigital, 64, 32);
  // REV4: row 0 = {3, 1, 0 ...} lands at storage bytes 3, 2; row 1 = {0, -2} at 16+3, 16+2.
  EXPECT_EQ(out[3], 3);
  EXPECT_EQ(out[2], 1);
  EXPECT_EQ(out[19], 0);
  EXPECT_EQ(out[18], static_cast<uint8_t>(-2));
}

TEST(SimDigitalConv, CyclesFollowMatchFormula) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  // C=2, K=3, 5x5 -> 5x5, 3x3, pads 1: Kp = 16, OXp = 16, P = 1.
  //   p=0: N0 = 16*(5-2)*16 = 768 -> 3 blocks * (2*3*3 + 2*2*3 + 23 = 53) = 159
  //   p=1: N1 = 2*16*16 = 512     -> 2 blocks * (2*2*3 + 2*2*2 + 23 = 43) = 86
  // compute 245; stream 16*2*9 + 64 = 352 bytes -> 22 cycles; setup 150.
  ConvRun r = runConv({2, 3, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1}, false, 6, false, 6);
  EXPECT_EQ(r.got.v, r.want.v);
  htvm_perf_t p = perf(kDigital);
  EXPECT_EQ(p.compute_cycles, 245u);
  EXPECT_EQ(p.weight_cycles, 22u);
  EXPECT_EQ(p.setup_cycles, 150u);
  EXPECT_EQ(p.jobs, 1u);
}

TEST(SimDigitalConv, CyclesWithTwoPaddingDepths) {
  // C=3, K=20, 8x20 -> 8x20, 5x5, pads 2: Kp = 32, OXp = 32, P = 2.
  //   p=0: N0 = 32*(8-4)*32 = 4096 -> 16 * (3*5*5 + 2*3*5 + 23 = 128) = 2048
  //   p=1: N1 = 2*32*32 = 2048     ->  8 * (3*4*5 + 2*3*4 + 23 = 107) =  856
  //   p=2:                         ->  8 * (3*3*5 + 2*3*3 + 23 =  86) =  688
  // compute 3592; stream 2 blocks * (16*3*25 + 64 = 1264) = 2528 bytes -> 158 cycles.
  ConvRun r = runConv({3, 20, 8, 20, 5, 5, 1, 1, 2, 2, 2, 2}, false, 8, false, 7);
  EXPECT_EQ(r.got.v, r.want.v);
  htvm_perf_t p = perf(kDigital);
  EXPECT_EQ(p.compute_cycles, 3592u);
  EXPECT_EQ(p.weight_cycles, 158u);
  EXPECT_EQ(p.setup_cycles, 150u);
  EXPECT_EQ(p.jobs, 1u);
}

TEST(SimDigitalConv, DepthwiseCyclesAreOneJobPerChannel) {
  // C=3, 5x5 -> 5x5, 3x3, pads 1; each job is the conv formula with C=1, K=16:
  //   p=0: N0 = 16*3*16 = 768 -> 3 * (1*3*3 + 2*1*3 + 23 = 38) = 114
  //   p=1: N1 = 512           -> 2 * (1*2*3 + 2*1*2 + 23 = 33) =  66   => 180 per job
  // stream per job 16*9 + 64 = 208 bytes -> 13 cycles.
  ConvRun r = runConv({3, 3, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1}, true, 5, false, 8);
  EXPECT_EQ(r.got.v, r.want.v);
  htvm_perf_t p = perf(kDigital);
  EXPECT_EQ(p.compute_cycles, 3u * 180);
  EXPECT_EQ(p.weight_cycles, 3u * 13);
  EXPECT_EQ(p.setup_cycles, 3u * 150);
  EXPECT_EQ(p.jobs, 3u);
}

// ---- dense
// ----------------------------------------------------------------------------------------

TEST(SimDigitalDense, CAndKNotMultiplesOf16) {
  const int c = 20, k = 18;
  std::mt19937 rng(11);
  T8 x({c}), w({k, c});
  T32 bias({k});
  fillRandom(x, rng, -128, 127);
  fillRandom(w, rng, -128, 127);
  fillRandom(bias, rng, -5000, 5000);
  std::vector<int8_t> stream = denseStream(w, bias);
  ASSERT_EQ(stream.size(), 32u * 32 + 16 * 32);

  for (bool relu : {false, true}) {
    ASSERT_EQ(htvm_hal_init(), HTVM_OK);
    toL1(kDigital, 0, encodeVec(x));
    toL1(kDigital, 64, std::vector<uint8_t>(32, 0xA5));
    htvm_digital_dense_cfg cfg{};
    cfg.in_off = 0;
    cfg.out_off = 64;
    cfg.weights = stream.data();
    cfg.c = c;
    cfg.k = k;
    cfg.shift = 7;
    cfg.relu = relu;
    ASSERT_EQ(htvm_digital_dense(kDigital, &cfg), HTVM_OK);
    int nonzeroPad = 0;
    T8 got = decodeVec(fromL1(kDigital, 64, 32), k, &nonzeroPad);
    for (int ko = 0; ko < k; ++ko) {
      int64_t acc = bias.v[static_cast<size_t>(ko)];
      for (int ci = 0; ci < c; ++ci)
        acc += static_cast<int64_t>(x.v[ci]) * w.at({ko, ci});
      EXPECT_EQ(got.v[static_cast<size_t>(ko)], clip8(floorShift(acc, 7), relu ? 0 : -128, 127))
          << "k " << ko << " relu " << relu;
    }
    EXPECT_EQ(nonzeroPad, 0);
    // ceil(20/16) * ceil(18/16) * 16 = 64 compute; stream 1536 bytes -> 96 cycles.
    htvm_perf_t p = perf(kDigital);
    EXPECT_EQ(p.compute_cycles, 64u);
    EXPECT_EQ(p.weight_cycles, 96u);
    EXPECT_EQ(p.setup_cycles, 150u);
    EXPECT_EQ(p.jobs, 1u);
  }
}

TEST(SimDigitalDense, HandComputed) {
  // x = [1, 2, 3, 4], w = [1, -1, 2, -3], bias -5: acc = 1 - 2 + 6 - 12 = -7, v = -12;
  // shift 3: floor(-1.5) = -2 without ReLU, 0 with ReLU.
  T8 x({4}), w({1, 4});
  x.v = {1, 2, 3, 4};
  w.v = {1, -1, 2, -3};
  T32 bias({1});
  bias.v = {-5};
  std::vector<int8_t> stream = denseStream(w, bias);
  for (int relu = 0; relu < 2; ++relu) {
    ASSERT_EQ(htvm_hal_init(), HTVM_OK);
    // VEC16_REV4 by hand: x[0] sits at storage byte 3, x[3] at byte 0.
    std::vector<uint8_t> storage(16, 0);
    storage[3] = 1;
    storage[2] = 2;
    storage[1] = 3;
    storage[0] = 4;
    toL1(kDigital, 0, storage);
    htvm_digital_dense_cfg cfg{};
    cfg.out_off = 32;
    cfg.weights = stream.data();
    cfg.c = 4;
    cfg.k = 1;
    cfg.shift = 3;
    cfg.relu = static_cast<uint8_t>(relu);
    ASSERT_EQ(htvm_digital_dense(kDigital, &cfg), HTVM_OK);
    std::vector<uint8_t> out = fromL1(kDigital, 32, 16);
    EXPECT_EQ(static_cast<int8_t>(out[3]), relu ? 0 : -2);
    for (int i = 0; i < 16; ++i) {
      if (i != 3) {
        EXPECT_EQ(out[static_cast<size_t>(i)], 0) << "padding byte " << i;
      }
    }
  }
}

// ---- add
// ------------------------------------------------------------------------------------------

TEST(SimDigitalAdd, ElementwiseOverStorage) {
  const int c = 2, h = 3, w = 5;
  std::mt19937 rng(21);
  T8 a({c, h, w}), b({c, h, w});
  fillRandom(a, rng, -128, 127);
  fillRandom(b, rng, -128, 127);
  const uint32_t bytes = c * h * 16;
  for (bool relu : {false, true}) {
    ASSERT_EQ(htvm_hal_init(), HTVM_OK);
    toL1(kDigital, 0, encodeChw(a));
    toL1(kDigital, 128, encodeChw(b));
    toL1(kDigital, 256, std::vector<uint8_t>(bytes, 0xA5));
    htvm_digital_add_cfg cfg{};
    cfg.a_off = 0;
    cfg.b_off = 128;
    cfg.out_off = 256;
    cfg.bytes = bytes;
    cfg.shift = 1;
    cfg.relu = relu;
    ASSERT_EQ(htvm_digital_add(kDigital, &cfg), HTVM_OK);
    int nonzeroPad = 0;
    T8 got = decodeChw(fromL1(kDigital, 256, bytes), c, h, w, &nonzeroPad);
    for (size_t i = 0; i < a.v.size(); ++i)
      EXPECT_EQ(got.v[i], clip8(floorShift(a.v[i] + b.v[i], 1), relu ? 0 : -128, 127)) << i;
    EXPECT_EQ(nonzeroPad, 0);
    // ceil(96 / 16) + 23 = 29.
    htvm_perf_t p = perf(kDigital);
    EXPECT_EQ(p.compute_cycles, 29u);
    EXPECT_EQ(p.weight_cycles, 0u);
    EXPECT_EQ(p.jobs, 1u);
  }
}

TEST(SimDigitalAdd, HandComputedSaturationAndFloor) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  // Storage words; the op is elementwise, so REV4 does not matter here.
  std::vector<uint8_t> a = {100, static_cast<uint8_t>(-100), static_cast<uint8_t>(-3), 7};
  std::vector<uint8_t> b = {100, static_cast<uint8_t>(-100), 0, static_cast<uint8_t>(-2)};
  toL1(kDigital, 0, a);
  toL1(kDigital, 32, b);
  htvm_digital_add_cfg cfg{};
  cfg.a_off = 0;
  cfg.b_off = 32;
  cfg.out_off = 0; // in place over a is allowed
  cfg.bytes = 4;
  cfg.shift = 1;
  ASSERT_EQ(htvm_digital_add(kDigital, &cfg), HTVM_OK);
  std::vector<uint8_t> out = fromL1(kDigital, 0, 4);
  // 200 >> 1 = 100; -200 >> 1 = -100; -3 >> 1 = floor(-1.5) = -2; 5 >> 1 = 2.
  EXPECT_EQ(static_cast<int8_t>(out[0]), 100);
  EXPECT_EQ(static_cast<int8_t>(out[1]), -100);
  EXPECT_EQ(static_cast<int8_t>(out[2]), -2);
  EXPECT_EQ(static_cast<int8_t>(out[3]), 2);
  cfg.shift = 0; // now saturate: 100 + 100 = 200 -> 127; -100 - 100 -> -128
  cfg.out_off = 64;
  cfg.a_off = 32;
  cfg.b_off = 32;
  ASSERT_EQ(htvm_digital_add(kDigital, &cfg), HTVM_OK);
  out = fromL1(kDigital, 64, 4);
  EXPECT_EQ(static_cast<int8_t>(out[0]), 127);
  EXPECT_EQ(static_cast<int8_t>(out[1]), -128);
}

} // namespace
} // namespace simtest
