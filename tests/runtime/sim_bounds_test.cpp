// tests/runtime/sim_bounds_test.cpp: contract violations abort the simulator with one stderr line
// naming the function, the accelerator and the offending numbers (GoogleTest death tests). With
// generated code each of these is a compiler bug, so the simulator never returns an error code.
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace simtest {
namespace {

class SimBoundsDeathTest : public ::testing::Test {
protected:
  void SetUp() override {
    // Re-execute the binary for each death test, so every child starts from fresh static state.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  }
  std::vector<uint8_t> buf = std::vector<uint8_t>(4096, 0);
  htvm_dma_t h{};
};

htvm_digital_conv_cfg convCfg(const std::vector<int8_t>& stream, int c, int k, int hw, int kk) {
  htvm_digital_conv_cfg cfg{};
  cfg.in_off = 0;
  cfg.out_off = 65536;
  cfg.weights = stream.data();
  cfg.c = static_cast<uint16_t>(c);
  cfg.k = static_cast<uint16_t>(k);
  cfg.ih = cfg.iw = cfg.oh = cfg.ow = static_cast<uint16_t>(hw);
  cfg.kh = cfg.kw = static_cast<uint8_t>(kk);
  cfg.stride_h = cfg.stride_w = 1;
  cfg.pad_t = cfg.pad_l = cfg.pad_b = cfg.pad_r = static_cast<uint8_t>(kk / 2);
  return cfg;
}

TEST_F(SimBoundsDeathTest, DmaGranuleRoundUpPastEndOfL1) {
  // 16 bytes at 255984 fit exactly, but the engine writes a whole 32-byte granule.
  EXPECT_DEATH(htvm_dma_to_l1(&h, kDigital, 256000 - 16, buf.data(), 16),
               "htvm_dma_to_l1: accel 0 'digital': L1 range \\[255984, 256016\\) \\(16 bytes "
               "rounded up to the 32-byte granule\\) exceeds the activation L1 of 256000 bytes");
  EXPECT_DEATH(htvm_dma_to_l2(&h, kDigital, buf.data(), 255990, 100),
               "htvm_dma_to_l2: accel 0 'digital': L1 range \\[255990, 256118\\)");
  EXPECT_DEATH(htvm_dma_to_l1(&h, kAnalog, 147456, buf.data(), 1),
               "htvm_dma_to_l1: accel 1 'analog': L1 range \\[147456, 147488\\)");
}

TEST_F(SimBoundsDeathTest, Dma3dLastRowPastEndOfL1) {
  // The last of 2x4 rows starts at 255000 + 1*900 + 3*32 = 255996.
  EXPECT_DEATH(htvm_dma_to_l1_3d(&h, kDigital, 255000, buf.data(), 2, 4, 8, 32, 900, 8, 32),
               "htvm_dma_to_l1_3d: accel 0 'digital': L1 range \\[255996, 256028\\)");
}

TEST_F(SimBoundsDeathTest, BadAcceleratorIndex) {
  EXPECT_DEATH(htvm_dma_to_l1(&h, 2, 0, buf.data(), 16),
               "htvm_dma_to_l1: accel 2: index out of range \\(platform has 2 accelerators\\)");
  htvm_digital_add_cfg add{};
  add.bytes = 4;
  EXPECT_DEATH(htvm_digital_add(7, &add), "htvm_digital_add: accel 7: index out of range");
  htvm_perf_t p;
  EXPECT_DEATH(htvm_perf_read(5, &p), "htvm_perf_read: accel 5: index out of range");
}

TEST_F(SimBoundsDeathTest, JobOnWrongKindOfAccelerator) {
  htvm_digital_add_cfg add{};
  add.bytes = 4;
  add.out_off = 32;
  EXPECT_DEATH(htvm_digital_add(kAnalog, &add),
               "htvm_digital_add: accel 1 'analog': is analog, this call needs a digital "
               "accelerator");
  int8_t w = 1;
  EXPECT_DEATH(htvm_analog_load_weights(kDigital, &w, 1, 1),
               "htvm_analog_load_weights: accel 0 'digital'");
}

TEST_F(SimBoundsDeathTest, ConvWeightStreamLargerThanWeightMemory) {
  // C=64, K=48, 5x5: 3 blocks of 16*64*25 + 64 = 25664 bytes = 76992 > 64000.
  std::vector<int8_t> stream(76992, 0);
  htvm_digital_conv_cfg cfg = convCfg(stream, 64, 48, 5, 5);
  EXPECT_DEATH(htvm_digital_conv(kDigital, &cfg),
               "htvm_digital_conv: accel 0 'digital': weight stream of 76992 bytes exceeds the "
               "weight memory of 64000 bytes");
  // The same layer with K=32 (51328 bytes) fits.
  cfg.k = 32;
  EXPECT_EQ(htvm_digital_conv(kDigital, &cfg), HTVM_OK);
}

TEST_F(SimBoundsDeathTest, DenseWeightStreamLargerThanWeightMemory) {
  // C=256, K=240: 240*256 + 16*240 = 65280 > 64000.
  std::vector<int8_t> stream(65280, 0);
  htvm_digital_dense_cfg cfg{};
  cfg.out_off = 256;
  cfg.weights = stream.data();
  cfg.c = 256;
  cfg.k = 240;
  EXPECT_DEATH(htvm_digital_dense(kDigital, &cfg), "weight stream of 65280 bytes exceeds");
}

TEST_F(SimBoundsDeathTest, JobBufferPastEndOfL1) {
  std::vector<int8_t> stream(16 * 2 * 9 + 64, 0);
  htvm_digital_conv_cfg cfg = convCfg(stream, 2, 3, 5, 3);
  cfg.out_off = 256000 - 224; // output needs 3 * 5 * 16 = 240 bytes
  EXPECT_DEATH(htvm_digital_conv(kDigital, &cfg),
               "htvm_digital_conv: accel 0 'digital': output L1 range \\[255776, 256016\\) "
               "exceeds the activation L1 of 256000 bytes");
  htvm_digital_add_cfg add{};
  add.b_off = 255996;
  add.out_off = 64;
  add.bytes = 8;
  EXPECT_DEATH(htvm_digital_add(kDigital, &add), "b L1 range \\[255996, 256004\\)");
}

TEST_F(SimBoundsDeathTest, OutputOverlappingInput) {
  std::vector<int8_t> stream(16 * 2 * 9 + 64, 0);
  htvm_digital_conv_cfg cfg = convCfg(stream, 2, 3, 5, 3);
  cfg.out_off = 64; // input occupies [0, 160)
  EXPECT_DEATH(htvm_digital_conv(kDigital, &cfg),
               "output L1 range \\[64, 304\\) overlaps input L1 range \\[0, 160\\)");
}

TEST_F(SimBoundsDeathTest, BadShiftAndGeometry) {
  std::vector<int8_t> stream(16 * 2 * 9 + 64, 0);
  htvm_digital_conv_cfg cfg = convCfg(stream, 2, 3, 5, 3);
  cfg.shift = 32;
  EXPECT_DEATH(htvm_digital_conv(kDigital, &cfg), "shift 32 out of range \\[0, 31\\]");
  cfg.shift = 0;
  cfg.oh = 6; // 6 rows of a 3x3 window need 8 padded rows; 5 + 1 + 1 = 7
  EXPECT_DEATH(htvm_digital_conv(kDigital, &cfg), "needs a 8x7 padded input, have 7x7");
  cfg.oh = 5;
  cfg.in_off = 2;
  EXPECT_DEATH(htvm_digital_conv(kDigital, &cfg), "input L1 offset 2 is not 4-byte aligned");
}

TEST_F(SimBoundsDeathTest, DmaWaitWithoutStart) {
  EXPECT_DEATH(htvm_dma_wait(&h),
               "htvm_dma_wait: accel 0 'digital': wait without a started transfer");
  ASSERT_EQ(htvm_dma_to_l1(&h, kAnalog, 0, buf.data(), 4), HTVM_OK);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  EXPECT_DEATH(htvm_dma_wait(&h), "htvm_dma_wait: accel 1 'analog': wait without a started");
}

TEST_F(SimBoundsDeathTest, AnalogConvWithoutLoadedWeights) {
  int16_t bn[4] = {1, 1, 1, 1};
  htvm_analog_conv_cfg cfg{};
  cfg.out_off = 4096;
  cfg.c = 2;
  cfg.k = 4;
  cfg.ih = cfg.iw = cfg.oh = cfg.ow = 3;
  cfg.kh = cfg.kw = 3;
  cfg.stride_h = cfg.stride_w = 1;
  cfg.pad_t = cfg.pad_l = cfg.pad_b = cfg.pad_r = 1;
  cfg.gain = 1.0f;
  cfg.adc_lo = -32;
  cfg.adc_hi = 31;
  cfg.bn_k = bn;
  cfg.bn_l = bn;
  cfg.lo = -128;
  cfg.hi = 127;
  EXPECT_DEATH(htvm_analog_conv(kAnalog, &cfg),
               "htvm_analog_conv: accel 1 'analog': no weights loaded \\(conv needs 18x4\\)");
  std::vector<int8_t> w(18 * 5, 0);
  ASSERT_EQ(htvm_analog_load_weights(kAnalog, w.data(), 18, 5), HTVM_OK);
  EXPECT_DEATH(htvm_analog_conv(kAnalog, &cfg),
               "conv needs 18x4 weights \\(c 2, kernel 3x3, k 4\\) but 18x5 are loaded");
  ASSERT_EQ(htvm_analog_load_weights(kAnalog, w.data(), 18, 4), HTVM_OK);
  EXPECT_EQ(htvm_analog_conv(kAnalog, &cfg), HTVM_OK);
  cfg.gain = 0.0f;
  EXPECT_DEATH(htvm_analog_conv(kAnalog, &cfg), "gain 0 is not positive");
}

TEST_F(SimBoundsDeathTest, AnalogWeightsMustFitTheArrayAndBeTernary) {
  std::vector<int8_t> w(1153 * 4, 0);
  EXPECT_DEATH(htvm_analog_load_weights(kAnalog, w.data(), 1153, 4),
               "htvm_analog_load_weights: accel 1 'analog': weights 1153x4 do not fit the "
               "1152x512 array");
  EXPECT_DEATH(htvm_analog_load_weights(kAnalog, w.data(), 8, 513), "weights 8x513 do not fit");
  w[5] = 2;
  EXPECT_DEATH(htvm_analog_load_weights(kAnalog, w.data(), 2, 4),
               "weight \\[1\\]\\[1\\] = 2 is not ternary");
}

// No fixture: this child must never have called htvm_hal_init.
TEST(SimInitDeathTest, UseBeforeInit) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::vector<uint8_t> src(16, 0);
  htvm_dma_t h{};
  EXPECT_DEATH(htvm_dma_to_l1(&h, 0, 0, src.data(), 16),
               "htvm_dma_to_l1: called before htvm_hal_init");
  htvm_perf_t p;
  EXPECT_DEATH(htvm_perf_read(0, &p), "htvm_perf_read: called before htvm_hal_init");
}

} // namespace
} // namespace simtest
