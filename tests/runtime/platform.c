/* platform.c (test-only): the accelerator table htvm generates into platform.c, written by hand for
 * the simulator tests. Accelerator 0 is DIANA-like digital, accelerator 1 DIANA-like analog; the
 * numbers follow ../shared/docs/DIANA.md section 6 so hand-computed cycle counts in the tests
 * match the documented model. */
#include "htvm_hal.h"

const htvm_accel_desc htvm_accels[] = {
    {
        .name = "digital",
        .kind = HTVM_KIND_DIGITAL,
        .act_l1_bytes = 256000,
        .weight_l1_bytes = 64000,
        .dma_setup_cycles = 70,
        .dma_bytes_per_cycle = 16,
        .dma_granule_bytes = 32,
        .job_setup_cycles = 150,
        .pe_k = 16,
        .pe_ox = 16,
        .block_cycles = 23,
        .fifo_cycles = 2,
        .weight_fill_bytes_per_cycle = 16,
    },
    {
        .name = "analog",
        .kind = HTVM_KIND_ANALOG,
        .act_l1_bytes = 147456,
        .weight_l1_bytes = 147456, /* 1152 x 512 ternary weights at 2 bits each */
        .dma_setup_cycles = 70,
        .dma_bytes_per_cycle = 16,
        .dma_granule_bytes = 32,
        .job_setup_cycles = 150,
        .weight_fill_bytes_per_cycle = 16,
        .array_rows = 1152,
        .array_cols = 512,
        .mvm_cycles = 16,
        .simd_lanes = 64,
        .simd_stages = 6,
        .act_line_bytes = 64,
    },
};

const uint32_t htvm_num_accels = sizeof htvm_accels / sizeof htvm_accels[0];
