/* sim_dma.c: the L2 <-> activation-L1 DMA of each accelerator.
 * The modelled engine is 1-D: a 3-D copy is count*rows calls of row_bytes each, and every call is
 * charged dma_setup_cycles + ceil(round_up(n, granule) / dma_bytes_per_cycle) (docs/
 * ACCELERATOR_FORMATS.md, "DMA"). Because the real engine writes whole granules, the L1 range that
 * must fit is the granule-rounded one, even though the simulator copies exactly n bytes so that it
 * never reads or writes L2 past the caller's buffer. The copy happens at start; on the timeline it
 * is queued on the engine (sim_dma_queue, which also catches races with a running job) and wait
 * advances the host to its end and closes the handle, which lets the simulator catch a wait
 * without a matching start. */
#include <string.h>

#include "sim_internal.h"

enum { TO_L1, TO_L2 };

static int sim_dma(const char* fn, htvm_dma_t* h, uint32_t accel, int dir, uint32_t l1_off,
                   const void* l2_src, void* l2_dst, uint32_t count, uint32_t rows,
                   uint32_t row_bytes, uint32_t l1_row_stride, uint32_t l1_block_stride,
                   uint32_t l2_row_stride, uint32_t l2_block_stride) {
  const htvm_accel_desc* d = sim_accel(fn, accel, 0);
  if (h == NULL)
    sim_fail(fn, accel, "handle is NULL");
  if ((dir == TO_L1 ? l2_src : (const void*)l2_dst) == NULL)
    sim_fail(fn, accel, "L2 pointer is NULL");
  if (count == 0 || rows == 0 || row_bytes == 0)
    sim_fail(fn, accel, "empty transfer (count %u, rows %u, row_bytes %u)", (unsigned)count,
             (unsigned)rows, (unsigned)row_bytes);

  /* Strides are unsigned, so the last row ends furthest into L1: checking it covers all rows. */
  uint64_t granular = sim_round_up(row_bytes, d->dma_granule_bytes);
  uint64_t last = (uint64_t)l1_off + (uint64_t)(count - 1u) * l1_block_stride +
                  (uint64_t)(rows - 1u) * l1_row_stride;
  if (last + granular > d->act_l1_bytes)
    sim_fail(fn, accel,
             "L1 range [%llu, %llu) (%u bytes rounded up to the %u-byte granule) exceeds the "
             "activation L1 of %u bytes",
             (unsigned long long)last, (unsigned long long)(last + granular), (unsigned)row_bytes,
             (unsigned)d->dma_granule_bytes, (unsigned)d->act_l1_bytes);
  uint8_t* l1 = sim_l1_span(fn, accel, "DMA", l1_off, 0);

  for (uint32_t b = 0; b < count; ++b) {
    for (uint32_t r = 0; r < rows; ++r) {
      uint64_t l1_pos = (uint64_t)b * l1_block_stride + (uint64_t)r * l1_row_stride;
      uint64_t l2_pos = (uint64_t)b * l2_block_stride + (uint64_t)r * l2_row_stride;
      if (dir == TO_L1)
        memcpy(l1 + l1_pos, (const uint8_t*)l2_src + l2_pos, row_bytes);
      else
        memcpy((uint8_t*)l2_dst + l2_pos, l1 + l1_pos, row_bytes);
    }
  }

  uint64_t calls = (uint64_t)count * rows;
  uint64_t cycles = calls * (d->dma_setup_cycles + sim_ceil_div(granular, d->dma_bytes_per_cycle));
  htvm_perf_t* p = &sim_state(accel)->perf;
  p->dma_cycles += cycles;
  p->dma_calls += calls;
  sim_range range = {l1_off, last + granular - l1_off};
  h->done_at = sim_dma_queue(fn, accel, dir == TO_L1, range, cycles);
  h->accel = accel;
  h->pending = 1;
  h->cycles = cycles;
  return HTVM_OK;
}

int htvm_dma_to_l1(htvm_dma_t* h, uint32_t accel, uint32_t l1_off, const void* l2, uint32_t bytes) {
  return sim_dma("htvm_dma_to_l1", h, accel, TO_L1, l1_off, l2, NULL, 1, 1, bytes, 0, 0, 0, 0);
}

int htvm_dma_to_l2(htvm_dma_t* h, uint32_t accel, void* l2, uint32_t l1_off, uint32_t bytes) {
  return sim_dma("htvm_dma_to_l2", h, accel, TO_L2, l1_off, NULL, l2, 1, 1, bytes, 0, 0, 0, 0);
}

int htvm_dma_to_l1_3d(htvm_dma_t* h, uint32_t accel, uint32_t l1_off, const void* l2,
                      uint32_t count, uint32_t rows, uint32_t row_bytes, uint32_t l1_row_stride,
                      uint32_t l1_block_stride, uint32_t l2_row_stride, uint32_t l2_block_stride) {
  return sim_dma("htvm_dma_to_l1_3d", h, accel, TO_L1, l1_off, l2, NULL, count, rows, row_bytes,
                 l1_row_stride, l1_block_stride, l2_row_stride, l2_block_stride);
}

int htvm_dma_to_l2_3d(htvm_dma_t* h, uint32_t accel, void* l2, uint32_t l1_off, uint32_t count,
                      uint32_t rows, uint32_t row_bytes, uint32_t l2_row_stride,
                      uint32_t l2_block_stride, uint32_t l1_row_stride, uint32_t l1_block_stride) {
  return sim_dma("htvm_dma_to_l2_3d", h, accel, TO_L2, l1_off, NULL, l2, count, rows, row_bytes,
                 l1_row_stride, l1_block_stride, l2_row_stride, l2_block_stride);
}

int htvm_dma_wait(htvm_dma_t* h) {
  static const char fn[] = "htvm_dma_wait";
  sim_check_init(fn);
  if (h == NULL)
    sim_fail(fn, SIM_NO_ACCEL, "handle is NULL");
  /* pending first: a never-started handle may hold any accel value */
  if (h->pending != 1)
    sim_fail(fn, h->accel, "wait without a started transfer (pending = %u)", (unsigned)h->pending);
  sim_accel(fn, h->accel, 0);
  h->pending = 0;
  sim_host_wait(h->accel, h->done_at);
  return HTVM_OK;
}
