/* sim_internal.h: private interface shared by the files of the simulator HAL (runtime/hal/sim/).
 * sim_state.c owns the single static L1 pool and the per-accelerator state; the DMA, digital and
 * analog files reach L1 only through sim_l1_span(), which bounds-checks every range before handing
 * out a pointer, so no job or copy can touch memory outside its accelerator's activation L1.
 * Every contract violation goes through sim_fail(), which prints one line and aborts: with
 * generated code a violation is always a compiler bug, never something to recover from. The small
 * arithmetic helpers below are written to be free of implementation-defined behaviour (signed
 * shifts, narrowing conversions) so results are identical on x86-64 and rv32. */
#ifndef HTVM_SIM_INTERNAL_H
#define HTVM_SIM_INTERNAL_H

#include <stdint.h>

#include "htvm_hal.h"

/* Per-accelerator state is static (no malloc), so its capacity is a compile-time bound. The
 * platform table's count is checked against it at htvm_hal_init. */
#ifndef HTVM_SIM_MAX_ACCELS
#define HTVM_SIM_MAX_ACCELS 8
#endif

/* Passed to sim_fail() when the failure is not about one accelerator (platform table, init). */
#define SIM_NO_ACCEL UINT32_MAX

#if defined(__GNUC__)
#define SIM_PRINTF_LIKE(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#else
#define SIM_PRINTF_LIKE(fmt_idx, arg_idx)
#endif

/* Copies queued on one accelerator's DMA engine that may still be in flight on its timeline. */
#ifndef HTVM_SIM_MAX_INFLIGHT
#define HTVM_SIM_MAX_INFLIGHT 16
#endif

/* An L1 byte range [off, off + len). */
typedef struct {
  uint64_t off, len;
} sim_range;

/* One queued copy on the timeline: its L1 range and the interval the engine spends on it. */
typedef struct {
  uint64_t start, end;
  sim_range l1;
  int to_l1; /* 1: writes L1, 0: reads L1 */
} sim_dma_rec;

/* The accelerator's timeline (docs/ACCELERATOR_FORMATS.md, "Timeline"), in host cycles since init
 * or the last perf reset. */
typedef struct {
  uint64_t host;     /* where the host program is */
  uint64_t job_end;  /* when the last job finishes */
  uint64_t dma_free; /* when the DMA engine has finished everything queued */
  /* The current (or last) job call: its L1 ranges and [call_start, job_end). */
  sim_range job_in[2];
  uint32_t job_nin;
  sim_range job_out;
  uint64_t call_start, call_ready;
  int in_call;
  sim_dma_rec dmas[HTVM_SIM_MAX_INFLIGHT];
  uint32_t ndmas;
} sim_timeline;

typedef struct {
  htvm_perf_t perf;
  uint32_t act_base;    /* pool offset of the activation L1 */
  uint32_t array_base;  /* pool offset of the analog array storage (analog accelerators only) */
  uint16_t loaded_rows; /* shape of the weights in the analog array; 0 rows = nothing loaded */
  uint16_t loaded_cols;
  sim_timeline tl;
} sim_accel_state;

/* Prints "htvm_sim: <fn>: accel <i> '<name>': <message>" to stderr and aborts. */
_Noreturn void sim_fail(const char* fn, uint32_t accel, const char* fmt, ...) SIM_PRINTF_LIKE(3, 4);

/* Aborts unless an L1 offset a job reads or writes is 4-byte aligned (whole words). */
void sim_check_aligned(const char* fn, uint32_t accel, const char* what, uint32_t off);

/* Aborts unless the last output's window of a conv job (oh x ow outputs, kernel kh x kw, strides
 * sh x sw) ends inside its padded ih x iw input tile; the job would read past the tile otherwise. */
void sim_check_window(const char* fn, uint32_t accel, uint32_t oh, uint32_t ow, uint32_t kh,
                      uint32_t kw, uint32_t sh, uint32_t sw, uint32_t ih, uint32_t iw,
                      uint32_t pad_t, uint32_t pad_l, uint32_t pad_b, uint32_t pad_r);

/* Aborts unless htvm_hal_init has run. */
void sim_check_init(const char* fn);

/* Checks that htvm_hal_init has run, that `accel` is a valid index and, when kind != 0, that the
 * accelerator is of that kind; returns its descriptor. */
const htvm_accel_desc* sim_accel(const char* fn, uint32_t accel, uint32_t kind);

/* State of an accelerator already validated by sim_accel(). */
sim_accel_state* sim_state(uint32_t accel);

/* Pointer to bytes [off, off + len) of the accelerator's activation L1, after checking that the
 * whole range lies inside it. `what` names the buffer in the error message. */
uint8_t* sim_l1_span(const char* fn, uint32_t accel, const char* what, uint64_t off, uint64_t len);

/* Aborts when [a_off, a_off + a_len) and [b_off, b_off + b_len) overlap: a job whose output
 * overwrites an input it still has to read would make the result depend on the write order. */
void sim_check_disjoint(const char* fn, uint32_t accel, const char* a_what, uint64_t a_off,
                        uint64_t a_len, const char* b_what, uint64_t b_off, uint64_t b_len);

/* The analog array storage (array_rows * array_cols plain ternary bytes, row stride array_cols). */
uint8_t* sim_array(uint32_t accel);

/* A job call (one HAL job function) on the timeline: sim_job_begin registers the L1 ranges it
 * reads (up to 2) and writes, then sim_account_job runs once per hardware job (a depthwise call
 * has one per channel), then sim_job_end checks the whole call against in-flight copies. */
void sim_job_begin(const char* fn, uint32_t accel, const sim_range* in, uint32_t nin,
                   sim_range out);
/* Adds one job's setup and the given cycles to the accelerator's counters and its timeline: the
 * host waits for the previous job and configures this one; the job starts when its inputs'
 * in-flight copies have completed. */
void sim_account_job(uint32_t accel, uint64_t compute_cycles, uint64_t weight_cycles);
void sim_job_end(const char* fn, uint32_t accel);

/* Queues a copy of `cycles` on the accelerator's DMA engine, touching L1 range `l1` (to_l1: it
 * writes it, else reads it); aborts if it races with the current job; returns its end. */
uint64_t sim_dma_queue(const char* fn, uint32_t accel, int to_l1, sim_range l1, uint64_t cycles);
/* Advances the host to `until` (a copy's end). */
void sim_host_wait(uint32_t accel, uint64_t until);

/* ---- arithmetic helpers ------------------------------------------------------------------------
 */

static inline uint64_t sim_ceil_div(uint64_t a, uint64_t b) { return (a + b - 1u) / b; }

static inline uint64_t sim_round_up(uint64_t a, uint64_t b) { return sim_ceil_div(a, b) * b; }

/* A stored byte read as int8 without relying on the implementation-defined narrowing cast. */
static inline int32_t sim_s8(uint8_t b) { return b < 128u ? (int32_t)b : (int32_t)b - 256; }

/* The int8 value v as a stored byte. */
static inline uint8_t sim_u8(int32_t v) { return (uint8_t)(v & 0xFF); }

/* Two's-complement wrap to int32, as the hardware's 32-bit accumulator does on overflow. */
static inline int32_t sim_wrap32(int64_t v) {
  uint32_t u = (uint32_t)v; /* conversion to unsigned is modulo 2^32 by definition */
  return u <= 0x7FFFFFFFu ? (int32_t)u : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

/* Arithmetic right shift, i.e. floor(v / 2^s), without the implementation-defined `>>` on a
 * negative operand. */
static inline int32_t sim_asr(int32_t v, unsigned s) {
  return v >= 0 ? (int32_t)((uint32_t)v >> s) : -1 - (int32_t)((uint32_t)(-1 - v) >> s);
}

static inline int32_t sim_clip(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* REV4: storage position p holds byte p ^ 3 of the plain array (an involution). */
static inline uint64_t sim_rev4(uint64_t plain_index) { return plain_index ^ 3u; }

/* Little-endian int32 from a REV4'd weight stream whose byte i sits at plain index q + i * step
 * (step 16 for the byte-plane bias of conv blocks, 1 for the contiguous dense bias slots). */
static inline int32_t sim_stream_i32(const int8_t* stream, uint64_t q, uint64_t step) {
  uint32_t u = 0;
  for (unsigned i = 0; i < 4u; ++i)
    u |= (uint32_t)(uint8_t)stream[sim_rev4(q + i * step)] << (8u * i);
  return sim_wrap32((int64_t)u);
}

#endif /* HTVM_SIM_INTERNAL_H */
