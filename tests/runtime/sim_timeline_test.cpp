// tests/runtime/sim_timeline_test.cpp: the simulator's timeline (docs/ACCELERATOR_FORMATS.md,
// "Timeline"): copies queue on the DMA engine and overlap jobs started with the `_start` calls;
// blocking calls keep elapsed == the serial sum; races between a running job and a copy on the
// same L1 bytes abort. Cycle counts by hand: a 1-D call of n bytes is 70 + ceil(round_up(n, 32) /
// 16); an add job of n bytes is 150 setup + ceil(n / 16) + 23.
#include <gtest/gtest.h>

#include "sim_test_util.h"

namespace simtest {
namespace {

htvm_digital_add_cfg addCfg(uint32_t a, uint32_t b, uint32_t out, uint32_t bytes) {
  htvm_digital_add_cfg c{};
  c.a_off = a;
  c.b_off = b;
  c.out_off = out;
  c.bytes = bytes;
  return c;
}

TEST(SimTimeline, BlockingCallsAddUp) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  toL1(kDigital, 0, std::vector<uint8_t>(1024, 1)); // 70 + 64
  htvm_digital_add_cfg c = addCfg(0, 0, 1024, 1024);
  ASSERT_EQ(htvm_digital_add(kDigital, &c), HTVM_OK); // 150 + 64 + 23
  fromL1(kDigital, 1024, 1024);                       // 70 + 64
  htvm_perf_t p = perf(kDigital);
  EXPECT_EQ(p.elapsed_cycles, 134u + 237 + 134);
  EXPECT_EQ(p.elapsed_cycles, p.compute_cycles + p.setup_cycles + p.weight_cycles + p.dma_cycles);
}

TEST(SimTimeline, CopiesOverlapAStartedJob) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  std::vector<uint8_t> src(4096, 2);
  htvm_digital_add_cfg c = addCfg(0, 0, 4096, 4096); // 150 + 256 + 23: the job ends at 429
  ASSERT_EQ(htvm_digital_add_start(kDigital, &c), HTVM_OK);
  htvm_dma_t h{}; // queued at 150 (after the host's setup), 70 + 64 cycles: ends at 284
  ASSERT_EQ(htvm_dma_to_l1(&h, kDigital, 8192, src.data(), 1024), HTVM_OK);
  EXPECT_EQ(h.done_at, 150u + 134);
  ASSERT_EQ(htvm_accel_wait(kDigital), HTVM_OK);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  htvm_perf_t p = perf(kDigital);
  EXPECT_EQ(p.elapsed_cycles, 429u);
  EXPECT_EQ(p.dma_cycles + p.compute_cycles + p.setup_cycles, 134u + 429);
}

TEST(SimTimeline, ACopyLongerThanTheJobIsExposed) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  std::vector<uint8_t> src(16384, 3);
  htvm_dma_t h{};
  ASSERT_EQ(htvm_dma_to_l1(&h, kDigital, 8192, src.data(), 16384), HTVM_OK); // 70 + 1024: [0, 1094)
  htvm_digital_add_cfg c = addCfg(0, 0, 4096, 64); // 150 + 4 + 23: [150, 327)
  ASSERT_EQ(htvm_digital_add_start(kDigital, &c), HTVM_OK);
  ASSERT_EQ(htvm_accel_wait(kDigital), HTVM_OK);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  EXPECT_EQ(perf(kDigital).elapsed_cycles, 1094u);
}

TEST(SimTimeline, AJobWaitsForTheCopyIntoItsInput) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  std::vector<uint8_t> src(1024, 4);
  htvm_dma_t h{};
  ASSERT_EQ(htvm_dma_to_l1(&h, kDigital, 0, src.data(), 1024), HTVM_OK); // [0, 134), not waited
  htvm_digital_add_cfg c = addCfg(0, 0, 1024, 1024); // triggered at 150 anyway: 150 > 134
  ASSERT_EQ(htvm_digital_add_start(kDigital, &c), HTVM_OK);
  ASSERT_EQ(htvm_accel_wait(kDigital), HTVM_OK);
  EXPECT_EQ(perf(kDigital).elapsed_cycles, 150u + 64 + 23);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);

  ASSERT_EQ(htvm_hal_init(), HTVM_OK); // a longer copy: the job starts when it lands
  std::vector<uint8_t> big(8192, 4);
  ASSERT_EQ(htvm_dma_to_l1(&h, kDigital, 0, big.data(), 8192), HTVM_OK); // [0, 582)
  c = addCfg(0, 0, 8192, 8192);
  ASSERT_EQ(htvm_digital_add_start(kDigital, &c), HTVM_OK);
  ASSERT_EQ(htvm_accel_wait(kDigital), HTVM_OK);
  EXPECT_EQ(perf(kDigital).elapsed_cycles, 582u + 512 + 23);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
}

TEST(SimTimeline, AccelWaitAndDmaWaitAdvanceTheHost) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  htvm_digital_add_cfg c = addCfg(0, 0, 1024, 1024);
  ASSERT_EQ(htvm_digital_add_start(kDigital, &c), HTVM_OK); // ends at 237
  ASSERT_EQ(htvm_accel_wait(kDigital), HTVM_OK);
  std::vector<uint8_t> src(32, 1);
  htvm_dma_t h{};
  ASSERT_EQ(htvm_dma_to_l1(&h, kDigital, 0, src.data(), 32), HTVM_OK); // after the wait: [237, 309)
  EXPECT_EQ(h.done_at, 237u + 72);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  htvm_perf_reset();
  EXPECT_EQ(perf(kDigital).elapsed_cycles, 0u);
}

TEST(SimTimeline, AcceleratorsHaveTheirOwnTimelines) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  toL1(kAnalog, 0, std::vector<uint8_t>(32, 1));
  EXPECT_EQ(perf(kAnalog).elapsed_cycles, 72u);
  EXPECT_EQ(perf(kDigital).elapsed_cycles, 0u);
}

using SimTimelineDeathTest = ::testing::Test;

TEST(SimTimelineDeathTest, ACopyIntoTheInputOfARunningJobIsARace) {
  EXPECT_DEATH(
      {
        htvm_hal_init();
        htvm_digital_add_cfg c = addCfg(0, 1024, 2048, 1024);
        htvm_digital_add_start(kDigital, &c);
        std::vector<uint8_t> src(64, 1);
        htvm_dma_t h{};
        htvm_dma_to_l1(&h, kDigital, 1024 + 512, src.data(), 64);
      },
      "htvm_dma_to_l1: accel 0 'digital': race: a copy writes L1 \\[1536, 1600\\)");
}

TEST(SimTimelineDeathTest, CopyingOutAnOutputStillBeingWrittenIsARace) {
  EXPECT_DEATH(
      {
        htvm_hal_init();
        htvm_digital_add_cfg c = addCfg(0, 0, 2048, 1024);
        htvm_digital_add_start(kDigital, &c);
        std::vector<uint8_t> dst(1024);
        htvm_dma_t h{};
        htvm_dma_to_l2(&h, kDigital, dst.data(), 2048, 1024); // no htvm_accel_wait first
      },
      "race: a copy reads L1 \\[2048, 3072\\)");
}

TEST(SimTimelineDeathTest, AJobWritingWhereACopyStillReadsIsARace) {
  EXPECT_DEATH(
      {
        htvm_hal_init();
        std::vector<uint8_t> dst(8192);
        htvm_dma_t h{};
        htvm_dma_to_l2(&h, kDigital, dst.data(), 0, 8192);  // in flight until 582
        htvm_digital_add_cfg c = addCfg(8192, 8192, 0, 64); // writes [0, 64) from 150
        htvm_digital_add_start(kDigital, &c);
      },
      "htvm_digital_add_start: accel 0 'digital': race: the job writes L1 \\[0, 64\\)");
}

TEST(SimTimelineDeathTest, TooManyCopiesInFlight) {
  EXPECT_DEATH(
      {
        htvm_hal_init();
        std::vector<uint8_t> src(32, 1);
        htvm_dma_t h[20];
        for (int i = 0; i < 20; ++i)
          htvm_dma_to_l1(&h[i], kDigital, 32u * static_cast<uint32_t>(i), src.data(), 32);
      },
      "more than 16 copies in flight");
}

} // namespace
} // namespace simtest
