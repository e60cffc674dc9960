/* htvm_hal.h: the hardware abstraction layer that generated code calls to move data between L2 and
 * an accelerator's L1 scratchpad and to run accelerator jobs. A board driver and the simulator
 * (runtime/hal/sim/) implement the same functions; the compiler cannot tell them apart.
 *
 * Accelerators are numbered 0..htvm_num_accels-1 in the order of the platform file. Each sees only
 * its own memories: an activation L1 (addressed here by byte offset) and, for weight-streaming
 * cores, a weight memory filled by the job itself from an L2 pointer. Data formats (activation
 * layouts, weight streams, requantization) are specified in docs/ACCELERATOR_FORMATS.md. Every
 * function returns HTVM_OK or an error code; the simulator also prints the reason and aborts on an
 * out-of-bounds access, because that is always a compiler bug. */
#ifndef HTVM_HAL_H
#define HTVM_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "htvm_platform.h" /* generated per platform: HTVM_L1_POOL_BYTES, accelerator table */

#ifdef __cplusplus
extern "C" {
#endif

enum { HTVM_OK = 0, HTVM_ERR_ARG = 1, HTVM_ERR_BOUNDS = 2, HTVM_ERR_STATE = 3 };

enum { HTVM_KIND_DIGITAL = 1, HTVM_KIND_ANALOG = 2 };

/* One accelerator instance as described by the platform file (generated into platform.c). Cycle
 * parameters drive the simulator's cycle model; a board driver ignores them. */
typedef struct {
  const char* name;
  uint32_t kind;                /* HTVM_KIND_* */
  uint32_t act_l1_bytes;        /* activation scratchpad */
  uint32_t weight_l1_bytes;     /* digital weight memory, or the analog array's bytes */
  /* DMA engine of this accelerator */
  uint32_t dma_setup_cycles;    /* per 1-D transfer call */
  uint32_t dma_bytes_per_cycle;
  uint32_t dma_granule_bytes;   /* lengths are rounded up to this */
  uint32_t job_setup_cycles;    /* host cycles to configure and trigger one job */
  /* digital PE array */
  uint32_t pe_k, pe_ox;         /* spatial unrolling: output channels x output columns */
  uint32_t block_cycles;        /* per pe_k x pe_ox output block */
  uint32_t fifo_cycles;         /* per (input channel, kernel row) */
  uint32_t weight_fill_bytes_per_cycle;
  /* analog array */
  uint32_t array_rows, array_cols;
  uint32_t mvm_cycles;          /* per array pass */
  uint32_t simd_lanes, simd_stages;
  uint32_t act_line_bytes;      /* analog activation line (channels per pixel line) */
} htvm_accel_desc;

extern const htvm_accel_desc htvm_accels[];
extern const uint32_t htvm_num_accels;

/* Must be called once before any other HAL function (boots the analog core on a board). */
int htvm_hal_init(void);

/* ---- DMA between L2 and an accelerator's activation L1 --------------------------------------
 * A 3-D copy moves `count` blocks of `rows` rows of `row_bytes` bytes; strides are in bytes on
 * each side. The engine itself is 1-D: a 3-D copy costs one 1-D call per row (count*rows calls),
 * each rounded up to the engine's granule. `start` only queues the copy; `wait` completes it
 * (the simulator performs the copy at start and accounts its cycles; on its timeline the copy
 * runs when the engine is free and `wait` advances the host to the copy's end). */
typedef struct {
  uint32_t accel;
  uint32_t pending;  /* 1 between start and wait */
  uint64_t cycles;   /* modeled cycles of this transfer */
  uint64_t done_at;  /* timeline cycle at which the transfer completes (simulator) */
} htvm_dma_t;

int htvm_dma_to_l1(htvm_dma_t* h, uint32_t accel, uint32_t l1_off, const void* l2, uint32_t bytes);
int htvm_dma_to_l2(htvm_dma_t* h, uint32_t accel, void* l2, uint32_t l1_off, uint32_t bytes);
int htvm_dma_to_l1_3d(htvm_dma_t* h, uint32_t accel, uint32_t l1_off, const void* l2, uint32_t count,
                      uint32_t rows, uint32_t row_bytes, uint32_t l1_row_stride, uint32_t l1_block_stride,
                      uint32_t l2_row_stride, uint32_t l2_block_stride);
int htvm_dma_to_l2_3d(htvm_dma_t* h, uint32_t accel, void* l2, uint32_t l1_off, uint32_t count,
                      uint32_t rows, uint32_t row_bytes, uint32_t l2_row_stride, uint32_t l2_block_stride,
                      uint32_t l1_row_stride, uint32_t l1_block_stride);
int htvm_dma_wait(htvm_dma_t* h);

/* ---- Digital accelerator jobs (int8 in, int8 out, requantized) ------------------------------
 * out = clip((acc + bias) >> shift, relu ? 0 : -128, 127), arithmetic shift (floor). */
typedef struct {
  uint32_t in_off, out_off;     /* activation L1 offsets, layout CHW_W16_REV4 */
  const int8_t* weights;        /* L2 weight+bias stream (conv or depthwise format) */
  uint16_t c, k;                /* input / output channels (depthwise: c == k) */
  uint16_t ih, iw, oh, ow;      /* logical sizes (L1 rows are padded to 16) */
  uint8_t kh, kw, stride_h, stride_w;
  uint8_t pad_t, pad_l, pad_b, pad_r;
  uint8_t depthwise, shift, relu;
} htvm_digital_conv_cfg;

typedef struct {
  uint32_t in_off, out_off;     /* layout VEC16_REV4 */
  const int8_t* weights;        /* L2 weight+bias stream (dense format) */
  uint16_t c, k;
  uint8_t shift, relu;
} htvm_digital_dense_cfg;

typedef struct {
  uint32_t a_off, b_off, out_off; /* same layout for all three; the op is elementwise */
  uint32_t bytes;                 /* storage bytes of each operand (a multiple of 4) */
  uint8_t shift, relu;
} htvm_digital_add_cfg;

int htvm_digital_conv(uint32_t accel, const htvm_digital_conv_cfg* cfg);
int htvm_digital_dense(uint32_t accel, const htvm_digital_dense_cfg* cfg);
int htvm_digital_add(uint32_t accel, const htvm_digital_add_cfg* cfg);

/* ---- Analog in-memory-compute core -----------------------------------------------------------
 * Weights are ternary, loaded once per layer into the array (rows = c*kh*kw, cols = k) and stay
 * there until the next load. A conv job then computes, per output pixel and channel:
 *   a = clip(floor(fl32(acc) / fl32(gain)), adc_lo, adc_hi)       (6-bit ADC)
 *   out = clip((a * bn_k[ch] + bn_l[ch]) >> shift, lo, hi)         (int8 result) */
int htvm_analog_load_weights(uint32_t accel, const int8_t* weights, uint16_t rows, uint16_t cols);

typedef struct {
  uint32_t in_off, out_off;     /* activation L1 offsets, layout HWC_C64_REV4 */
  uint16_t c, k, ih, iw, oh, ow;
  uint8_t kh, kw, stride_h, stride_w;
  uint8_t pad_t, pad_l, pad_b, pad_r;
  float gain;
  int8_t adc_lo, adc_hi;
  const int16_t* bn_k;          /* L2, k entries */
  const int16_t* bn_l;          /* L2, k entries */
  uint8_t shift;
  int8_t lo, hi;
} htvm_analog_conv_cfg;

int htvm_analog_conv(uint32_t accel, const htvm_analog_conv_cfg* cfg);

/* ---- Asynchronous jobs (double buffering) -----------------------------------------------------
 * The calls above block until their job has finished. The `_start` variants return once the job
 * is triggered, so the host can queue DMA copies for other L1 buffers while it runs;
 * htvm_accel_wait blocks until the accelerator's last job has finished. A job must not read or
 * write L1 bytes that a copy still in flight writes, nor write bytes a copy still reads: the
 * simulator aborts on such a race (and a job whose input a queued copy is still writing starts
 * after that copy). A depthwise call is one job per channel, each triggered by the host when the
 * previous one finishes, so it returns after triggering the last channel's job. */
int htvm_digital_conv_start(uint32_t accel, const htvm_digital_conv_cfg* cfg);
int htvm_digital_dense_start(uint32_t accel, const htvm_digital_dense_cfg* cfg);
int htvm_digital_add_start(uint32_t accel, const htvm_digital_add_cfg* cfg);
int htvm_analog_conv_start(uint32_t accel, const htvm_analog_conv_cfg* cfg);
int htvm_accel_wait(uint32_t accel);

/* ---- Profiling counters (modeled cycles per accelerator) ------------------------------------
 * The first four are serial sums (what the work costs one thing after another); elapsed_cycles is
 * the span of the accelerator's timeline since init or the last reset, where DMA copies overlap
 * jobs (docs/ACCELERATOR_FORMATS.md, "Timeline"). With blocking calls only, elapsed equals the sum
 * of the four. */
typedef struct {
  uint64_t compute_cycles;
  uint64_t dma_cycles;
  uint64_t setup_cycles;        /* job configuration by the host */
  uint64_t weight_cycles;       /* weight streaming / analog array loading */
  uint64_t jobs, dma_calls;
  uint64_t elapsed_cycles;      /* timeline span: host, DMA engine and accelerator overlapping */
} htvm_perf_t;

void htvm_perf_read(uint32_t accel, htvm_perf_t* out);
void htvm_perf_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* HTVM_HAL_H */
