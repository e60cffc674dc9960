// tests/runtime/sim_dma_test.cpp: DMA and profiling counters of the simulator HAL. Cycle counts are
// computed by hand from docs/ACCELERATOR_FORMATS.md, "DMA": setup 70 + ceil(round_up(n, 32) / 16)
// per 1-D call on the test platform.
#include <gtest/gtest.h>

#include <numeric>

#include "sim_test_util.h"

namespace simtest {
namespace {

uint64_t dmaCycles(uint32_t bytes) {
  std::vector<uint8_t> src(bytes, 1);
  htvm_dma_t h{};
  EXPECT_EQ(htvm_dma_to_l1(&h, kDigital, 0, src.data(), bytes), HTVM_OK);
  EXPECT_EQ(h.pending, 1u);
  EXPECT_EQ(h.accel, kDigital);
  EXPECT_EQ(htvm_dma_wait(&h), HTVM_OK);
  EXPECT_EQ(h.pending, 0u);
  return h.cycles;
}

TEST(SimDma, CyclesPerCall) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  EXPECT_EQ(dmaCycles(1), 72u);   // 32 bytes: 70 + 2
  EXPECT_EQ(dmaCycles(32), 72u);  // 70 + 2
  EXPECT_EQ(dmaCycles(33), 74u);  // 64 bytes: 70 + 4
  EXPECT_EQ(dmaCycles(100), 78u); // 128 bytes: 70 + 8
  htvm_perf_t p = perf(kDigital);
  EXPECT_EQ(p.dma_cycles, 72u + 72 + 74 + 78);
  EXPECT_EQ(p.dma_calls, 4u);
  EXPECT_EQ(p.jobs, 0u);
}

TEST(SimDma, CopiesExactlyTheRequestedBytes) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  toL1(kDigital, 0, std::vector<uint8_t>(64, 0xEE));
  std::vector<uint8_t> src(5);
  std::iota(src.begin(), src.end(), 1);
  toL1(kDigital, 0, src); // the engine's granule is 32, but only 5 bytes change
  // Read back into a larger L2 buffer: nothing past the 12 requested bytes is written.
  std::vector<uint8_t> dst(16, 0x11);
  htvm_dma_t h{};
  ASSERT_EQ(htvm_dma_to_l2(&h, kDigital, dst.data(), 0, 12), HTVM_OK);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  std::vector<uint8_t> want = {1,    2,    3,    4,    5,    0xEE, 0xEE, 0xEE,
                               0xEE, 0xEE, 0xEE, 0xEE, 0x11, 0x11, 0x11, 0x11};
  EXPECT_EQ(dst, want);
}

TEST(SimDma, ThreeDimensionalCopyIsOneCallPerRow) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  // L2: 2 blocks of 3 rows of 5 bytes, rows 8 apart, blocks 32 apart. L1: rows 16 apart, blocks 64.
  std::vector<uint8_t> l2(64, 0);
  for (int b = 0; b < 2; ++b)
    for (int r = 0; r < 3; ++r)
      for (int i = 0; i < 5; ++i)
        l2[static_cast<size_t>(b * 32 + r * 8 + i)] = uint8_t(b * 100 + r * 10 + i);
  htvm_dma_t h{};
  ASSERT_EQ(htvm_dma_to_l1_3d(&h, kDigital, 256, l2.data(), 2, 3, 5, /*l1 row*/ 16, /*l1 block*/ 64,
                              /*l2 row*/ 8, /*l2 block*/ 32),
            HTVM_OK);
  EXPECT_EQ(h.cycles, 6u * 72); // 6 calls of 5 bytes, each 70 + ceil(32/16)
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  std::vector<uint8_t> l1 = fromL1(kDigital, 256, 128);
  for (int b = 0; b < 2; ++b)
    for (int r = 0; r < 3; ++r)
      for (int i = 0; i < 5; ++i)
        EXPECT_EQ(l1[static_cast<size_t>(b * 64 + r * 16 + i)], b * 100 + r * 10 + i);

  // And back to a differently strided L2 buffer: rows 5 apart (packed), blocks 15 apart.
  std::vector<uint8_t> back(30, 0);
  ASSERT_EQ(htvm_dma_to_l2_3d(&h, kDigital, back.data(), 256, 2, 3, 5, /*l2 row*/ 5,
                              /*l2 block*/ 15, /*l1 row*/ 16, /*l1 block*/ 64),
            HTVM_OK);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  for (int b = 0; b < 2; ++b)
    for (int r = 0; r < 3; ++r)
      for (int i = 0; i < 5; ++i)
        EXPECT_EQ(back[static_cast<size_t>(b * 15 + r * 5 + i)], b * 100 + r * 10 + i);
  EXPECT_EQ(perf(kDigital).dma_calls, 1u + 6 + 6); // fromL1 is one more call
}

TEST(SimDma, LastGranuleOfL1IsUsable) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  std::vector<uint8_t> src(20, 9);
  htvm_dma_t h{};
  // [255968, 256000): 20 bytes round up to exactly the end of L1.
  ASSERT_EQ(htvm_dma_to_l1(&h, kDigital, 256000 - 32, src.data(), 20), HTVM_OK);
  ASSERT_EQ(htvm_dma_wait(&h), HTVM_OK);
  EXPECT_EQ(fromL1(kDigital, 256000 - 32, 20), src);
}

TEST(SimPerf, CountersAccumulatePerAcceleratorAndReset) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  std::vector<uint8_t> buf(100, 0);
  toL1(kDigital, 0, buf);
  toL1(kDigital, 128, buf);
  toL1(kAnalog, 0, std::vector<uint8_t>(33, 0));
  htvm_digital_add_cfg add{};
  add.a_off = 0;
  add.b_off = 128;
  add.out_off = 256;
  add.bytes = 96;
  ASSERT_EQ(htvm_digital_add(kDigital, &add), HTVM_OK);
  ASSERT_EQ(htvm_digital_add(kDigital, &add), HTVM_OK);

  htvm_perf_t d = perf(kDigital), a = perf(kAnalog);
  EXPECT_EQ(d.dma_calls, 2u);
  EXPECT_EQ(d.dma_cycles, 2u * 78);
  EXPECT_EQ(d.jobs, 2u);
  EXPECT_EQ(d.compute_cycles, 2u * 29); // ceil(96/16) + 23 each
  EXPECT_EQ(d.setup_cycles, 2u * 150);
  EXPECT_EQ(a.dma_calls, 1u);
  EXPECT_EQ(a.dma_cycles, 74u);
  EXPECT_EQ(a.jobs, 0u);

  htvm_perf_reset();
  for (uint32_t acc : {kDigital, kAnalog}) {
    htvm_perf_t p = perf(acc);
    EXPECT_EQ(p.compute_cycles + p.dma_cycles + p.setup_cycles + p.weight_cycles + p.jobs +
                  p.dma_calls,
              0u);
  }
  // Counting starts again from zero.
  toL1(kDigital, 0, std::vector<uint8_t>(1, 0));
  EXPECT_EQ(perf(kDigital).dma_cycles, 72u);
}

TEST(SimPerf, InitClearsCountersAndMemory) {
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  toL1(kDigital, 0, std::vector<uint8_t>(32, 0xFF));
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  EXPECT_EQ(perf(kDigital).dma_calls, 0u);
  EXPECT_EQ(fromL1(kDigital, 0, 32), std::vector<uint8_t>(32, 0));
}

} // namespace
} // namespace simtest
