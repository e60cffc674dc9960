/* The demo program of a generated project (copied by htvm from runtime/project/demo/main.c; the
 * project's demo_config.h and include/htvm_model.h carry what differs per model). It reads N
 * samples of raw little-endian float32, runs htvm_model_run() on each and writes the N outputs:
 *   host:  htvm_demo IN.bin OUT.bin [TRACE.bin]
 *   rv32:  (semihosting, no arguments) htvm_in.bin -> htvm_out.bin [htvm_trace.bin]
 * IN holds N samples of HTVM_INPUT_ELEMS values back to back; OUT receives N outputs of
 * HTVM_OUTPUT_ELEMS. Exit 0 on success, 2 on bad arguments or input, 1 on a write or model
 * failure. Assumes a little-endian target. Build options (the Makefile sets them):
 *   HTVM_TARGET_RV32  bare metal under QEMU semihosting, which passes no argv: fixed file names
 *                     in QEMU's working directory, read and written with picolibc's semihosting
 *                     open/read/write (its stdio FILEs would allocate buffers with malloc); main
 *                     also paints the stack at startup and reports its high-water mark;
 *   HTVM_TRACE        implements htvm_trace_tensor(): one record per layer and sample, int32
 *                     node index, uint32 byte count, then the layer output's raw bytes (written
 *                     only with HTVM_TRACE_RECORDS, i.e. make trace);
 *   HTVM_PROFILE 1|2  global|individual counts of the first sample, after one warm-up run so
 *                     that one-time setup is excluded: rdcycle/rdinstret on rv32,
 *                     CLOCK_MONOTONIC nanoseconds on the host, plus the simulator's modeled
 *                     accelerator cycles; printed as `htvm_profile:` lines that the driver
 *                     parses (src/driver/profile.cpp). Per layer it uses HTVM_PROFILE_BEGIN/END
 *                     when network.c brackets its layers with them, otherwise the trace hook
 *                     after each layer marks the boundary (individual builds add HTVM_TRACE);
 *   HTVM_INDEFINITE   keeps running the last sample forever (power measurement).
 * Kept as one translation unit: the counter reads and the trace hook inline into the code around
 * the measured runs; split into files of their own they would become calls and shift every count
 * by their overhead. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, and POSIX I/O on rv32 */
#ifndef HTVM_TARGET_RV32
#define HTVM_TARGET_RV32 0
#endif
#ifndef HTVM_INDEFINITE
#define HTVM_INDEFINITE 0
#endif

#include <stdint.h>
#include <stdio.h>
#if HTVM_TARGET_RV32
#include <fcntl.h>
#include <unistd.h>
#endif
#include <time.h>

#include "demo_config.h"
#include "htvm_model.h"
#include "htvm_profile.h"
#if HTVM_HAS_ACCEL && HTVM_PROFILE
#include "htvm_hal.h"
#endif

static float htvm_in[HTVM_INPUT_ELEMS];
static float htvm_out[HTVM_OUTPUT_ELEMS];

#if HTVM_TARGET_RV32
/* Semihosting passes no arguments: fixed names, relative to the directory QEMU runs in.
 * picolibc's semihosting open/read/write need no FILE buffers (those come from malloc). */
#define HTVM_IN_FILE "htvm_in.bin"
#define HTVM_OUT_FILE "htvm_out.bin"
#define HTVM_TRACE_FILE "htvm_trace.bin"
typedef int htvm_file;
#define HTVM_NO_FILE (-1)
static htvm_file htvm_open(const char* path, int for_write) {
  return for_write ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : open(path, O_RDONLY);
}
static long htvm_size(htvm_file f) {
  const off_t n = lseek(f, 0, SEEK_END);
  return n < 0 || lseek(f, 0, SEEK_SET) != 0 ? -1l : (long)n;
}
static unsigned long htvm_read(htvm_file f, void* p, unsigned long n) {
  unsigned long done = 0;
  while (done < n) {
    const ssize_t r = read(f, (char*)p + done, n - done);
    if (r <= 0) break;
    done += (unsigned long)r;
  }
  return done;
}
static int htvm_write(htvm_file f, const void* p, unsigned long n) {
  unsigned long done = 0;
  while (done < n) {
    const ssize_t r = write(f, (const char*)p + done, n - done);
    if (r <= 0) return -1;
    done += (unsigned long)r;
  }
  return 0;
}
static int htvm_close(htvm_file f) { return close(f); }
#else
typedef FILE* htvm_file;
#define HTVM_NO_FILE NULL
static htvm_file htvm_open(const char* path, int for_write) {
  return fopen(path, for_write ? "wb" : "rb");
}
static long htvm_size(htvm_file f) {
  long n;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) return -1l;
  return n;
}
static unsigned long htvm_read(htvm_file f, void* p, unsigned long n) {
  return (unsigned long)fread(p, 1, n, f);
}
static int htvm_write(htvm_file f, const void* p, unsigned long n) {
  return fwrite(p, 1, n, f) == n ? 0 : -1;
}
static int htvm_close(htvm_file f) { return fclose(f); }
#endif

#if HTVM_TARGET_RV32
/* Stack high-water mark. htvm_rv32.ld reserves [__htvm_stack_bottom, __stack); main paints
 * the part below its own frame at startup and, after the run, counts from the bottom the
 * words still painted. The peak includes crt0's and main's frames. */
extern uint8_t __htvm_stack_bottom[];
extern uint8_t __stack[];
#define HTVM_STACK_PAINT 0xA5C3F00Du
static void htvm_stack_paint(void) {
  uintptr_t sp;
  volatile uint32_t* p = (volatile uint32_t*)(uintptr_t)__htvm_stack_bottom;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  while ((uintptr_t)p + 64u < sp) *p++ = HTVM_STACK_PAINT; /* 64 bytes clear of sp */
}
static unsigned long htvm_stack_size(void) {
  return (unsigned long)((uintptr_t)__stack - (uintptr_t)__htvm_stack_bottom);
}
static unsigned long htvm_stack_peak(void) {
  const volatile uint32_t* p = (const volatile uint32_t*)(uintptr_t)__htvm_stack_bottom;
  const uintptr_t top = (uintptr_t)__stack;
  while ((uintptr_t)p < top && *p == HTVM_STACK_PAINT) ++p;
  return (unsigned long)(top - (uintptr_t)p);
}
#endif

#if HTVM_PROFILE
typedef struct { uint64_t cycles, instret, accel; } htvm_counts;

#if defined(__riscv) && __riscv_xlen == 32
#define HTVM_COUNTER_UNIT "cycles"
/* csrr from cycle (0xc00), cycleh (0xc80), instret (0xc02), instreth (0xc82), spelled with
 * .insn (the immediate is the CSR number as a signed 12-bit value): gcc >= 12 accepts the
 * csrr mnemonic only with Zicsr in -march, and the Makefile asks for plain rv32imac. */
#define HTVM_CSR(imm, v) __asm__ volatile(".insn i 0x73, 2, %0, x0, " #imm : "=r"(v))
static void htvm_counts_cpu(htvm_counts* c) {
  uint32_t hi, lo, hi2;
  do {
    HTVM_CSR(-896, hi);
    HTVM_CSR(-1024, lo);
    HTVM_CSR(-896, hi2);
  } while (hi != hi2);
  c->cycles = ((uint64_t)hi << 32) | lo;
  do {
    HTVM_CSR(-894, hi);
    HTVM_CSR(-1022, lo);
    HTVM_CSR(-894, hi2);
  } while (hi != hi2);
  c->instret = ((uint64_t)hi << 32) | lo;
}
#else
/* Host fallback: no cycle counter, CLOCK_MONOTONIC nanoseconds; no instruction count. */
#define HTVM_COUNTER_UNIT "ns"
static void htvm_counts_cpu(htvm_counts* c) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  c->cycles = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  c->instret = 0;
}
#endif

#if HTVM_HAS_ACCEL
/* Modeled cycles of all accelerators so far: the span of each accelerator's timeline,
 * where DMA overlaps jobs (the serial counters would count hidden copies too); on rv32
 * the simulator's own instructions are not the accelerator's time. */
static uint64_t htvm_accel_cycles(void) {
  uint64_t sum = 0;
  htvm_perf_t p;
  uint32_t a;
  for (a = 0; a < htvm_num_accels; ++a) {
    htvm_perf_read(a, &p);
    sum += p.elapsed_cycles;
  }
  return sum;
}
#else
static uint64_t htvm_accel_cycles(void) { return 0; }
#endif

/* An interval opens after reading the accelerators' counters and closes before it, so the
 * reading (on rv32: about 150 instructions through the simulator's perf counters) is not charged
 * to the CPU work between the two. */
static void htvm_counts_open(htvm_counts* c) {
  c->accel = htvm_accel_cycles();
  htvm_counts_cpu(c);
}
static void htvm_counts_close(htvm_counts* c) {
  htvm_counts_cpu(c);
  c->accel = htvm_accel_cycles();
}
static void htvm_counts_add(htvm_counts* acc, const htvm_counts* from, const htvm_counts* to) {
  acc->cycles += to->cycles - from->cycles;
  acc->instret += to->instret - from->instret;
  acc->accel += to->accel - from->accel;
}
static int htvm_prof_recording; /* 1 while the profiled run executes */
static int htvm_prof_warm_up;   /* 1 during the warm-up run (no trace records) */
static htvm_counts htvm_prof_total;

#if HTVM_PROFILE == 2
static htvm_counts htvm_prof_layer[HTVM_NUM_LAYERS];
static htvm_counts htvm_prof_begin_at;
static htvm_counts htvm_prof_mark_at;
static int htvm_prof_hooks; /* network.c brackets its layers with HTVM_PROFILE_BEGIN/END */
void htvm_profile_begin(int layer) {
  (void)layer;
  if (!htvm_prof_recording) return;
  htvm_prof_hooks = 1;
  htvm_counts_open(&htvm_prof_begin_at);
}
void htvm_profile_end(int layer) {
  htvm_counts now;
  if (!htvm_prof_recording || layer < 0 || layer >= HTVM_NUM_LAYERS) return;
  htvm_counts_close(&now);
  htvm_counts_add(&htvm_prof_layer[layer], &htvm_prof_begin_at, &now);
}
#ifdef HTVM_TRACE
/* Without the network.c hooks, the trace hook after each layer marks the boundary: layer i
 * is charged everything since the previous boundary. */
static void htvm_profile_mark(int layer) {
  htvm_counts now;
  if (!htvm_prof_recording || htvm_prof_hooks || layer < 0 || layer >= HTVM_NUM_LAYERS) return;
  htvm_counts_close(&now);
  htvm_counts_add(&htvm_prof_layer[layer], &htvm_prof_mark_at, &now);
  htvm_counts_open(&htvm_prof_mark_at);
}
#endif
#endif

static int htvm_profile_run(void) {
  htvm_counts start, end;
  int rc;
  htvm_prof_recording = 1;
  htvm_counts_open(&start);
#if HTVM_PROFILE == 2
  htvm_prof_mark_at = start;
#endif
  rc = htvm_model_run(htvm_in, htvm_out);
  htvm_counts_close(&end);
  htvm_prof_recording = 0;
  htvm_counts_add(&htvm_prof_total, &start, &end);
  return rc;
}
static void htvm_profile_print(void) {
  printf("htvm_profile: mode %s, unit %s\n", HTVM_PROFILE == 2 ? "individual" : "global",
         HTVM_COUNTER_UNIT);
#if HTVM_PROFILE == 2
  for (int i = 0; i < HTVM_NUM_LAYERS; ++i) {
    printf("htvm_profile: layer %d cycles %llu instret %llu accel_cycles %llu\n", i,
           (unsigned long long)htvm_prof_layer[i].cycles,
           (unsigned long long)htvm_prof_layer[i].instret,
           (unsigned long long)htvm_prof_layer[i].accel);
  }
#endif
  printf("htvm_profile: total cycles %llu instret %llu accel_cycles %llu\n",
         (unsigned long long)htvm_prof_total.cycles, (unsigned long long)htvm_prof_total.instret,
         (unsigned long long)htvm_prof_total.accel);
}
#endif

#ifdef HTVM_TRACE
#if HTVM_TRACE_RECORDS
static htvm_file htvm_trace_file = HTVM_NO_FILE;
static int htvm_trace_failed;
#endif

void htvm_trace_tensor(int node_index, const char* node_name, const void* data, unsigned bytes) {
  (void)node_name;
#if HTVM_PROFILE == 2
  htvm_profile_mark(node_index);
#endif
#if HTVM_TRACE_RECORDS
  const int32_t index = (int32_t)node_index;
  const uint32_t size = (uint32_t)bytes;
#if HTVM_PROFILE
  if (htvm_prof_warm_up) return;
#endif
  if (htvm_trace_file == HTVM_NO_FILE) return;
  if (htvm_write(htvm_trace_file, &index, sizeof index) != 0 ||
      htvm_write(htvm_trace_file, &size, sizeof size) != 0 ||
      (bytes > 0u && htvm_write(htvm_trace_file, data, bytes) != 0))
    htvm_trace_failed = 1;
#else
  (void)node_index;
  (void)data;
  (void)bytes;
#endif
}
#endif

int main(int argc, char** argv) {
  const char* in_path;
  const char* out_path;
#if HTVM_TRACE_RECORDS
  const char* trace_path = NULL;
#endif
  htvm_file in;
  htvm_file out;
  long in_bytes;
  unsigned long samples;
  unsigned long s;
  const unsigned long sample_bytes = (unsigned long)HTVM_INPUT_ELEMS * 4ul;
#if HTVM_TARGET_RV32
  (void)argc;
  (void)argv;
  htvm_stack_paint();
  in_path = HTVM_IN_FILE;
  out_path = HTVM_OUT_FILE;
#if HTVM_TRACE_RECORDS
  trace_path = HTVM_TRACE_FILE;
#endif
#else
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: htvm_demo IN.bin OUT.bin [TRACE.bin]\n");
    return 2;
  }
  in_path = argv[1];
  out_path = argv[2];
  if (argc == 4) {
#if HTVM_TRACE_RECORDS
    trace_path = argv[3];
#else
    fprintf(stderr, "htvm_demo: TRACE.bin needs the trace build (make trace)\n");
    return 2;
#endif
  }
#endif
  in = htvm_open(in_path, 0);
  if (in == HTVM_NO_FILE) {
    fprintf(stderr, "htvm_demo: cannot open %s\n", in_path);
    return 2;
  }
  if ((in_bytes = htvm_size(in)) < 0) {
    fprintf(stderr, "htvm_demo: cannot size %s\n", in_path);
    htvm_close(in);
    return 2;
  }
  if ((unsigned long)in_bytes % sample_bytes != 0ul) {
    fprintf(stderr, "htvm_demo: %s has %ld bytes, not a multiple of %lu (one sample)\n", in_path,
            in_bytes, sample_bytes);
    htvm_close(in);
    return 2;
  }
  samples = (unsigned long)in_bytes / sample_bytes;
#if HTVM_INDEFINITE
  if (samples == 0ul) {
    fprintf(stderr, "htvm_demo: running indefinitely needs one sample in %s\n", in_path);
    htvm_close(in);
    return 2;
  }
#endif
  out = htvm_open(out_path, 1);
  if (out == HTVM_NO_FILE) {
    fprintf(stderr, "htvm_demo: cannot create %s\n", out_path);
    htvm_close(in);
    return 1;
  }
#if HTVM_TRACE_RECORDS
  if (trace_path != NULL && (htvm_trace_file = htvm_open(trace_path, 1)) == HTVM_NO_FILE) {
    fprintf(stderr, "htvm_demo: cannot create %s\n", trace_path);
    htvm_close(in);
    htvm_close(out);
    return 1;
  }
#endif
  for (s = 0; s < samples; ++s) {
    int rc;
    if (htvm_read(in, htvm_in, sizeof htvm_in) != sizeof htvm_in) {
      fprintf(stderr, "htvm_demo: short read in sample %lu\n", s);
      return 2;
    }
#if HTVM_PROFILE
    /* Sample 0 is profiled, after a warm-up run that takes one-time setup (HAL init) and
     * writes no trace records. */
    htvm_prof_warm_up = s == 0ul;
    rc = htvm_model_run(htvm_in, htvm_out);
    htvm_prof_warm_up = 0;
    if (rc == 0 && s == 0ul) rc = htvm_profile_run();
#else
    rc = htvm_model_run(htvm_in, htvm_out);
#endif
    if (rc != 0) {
      fprintf(stderr, "htvm_demo: model failed on sample %lu\n", s);
      return 1;
    }
    if (htvm_write(out, htvm_out, sizeof htvm_out) != 0) {
      fprintf(stderr, "htvm_demo: cannot write %s\n", out_path);
      return 1;
    }
  }
  htvm_close(in);
  if (htvm_close(out) != 0) {
    fprintf(stderr, "htvm_demo: cannot write %s\n", out_path);
    return 1;
  }
#if HTVM_TRACE_RECORDS
  if (htvm_trace_file != HTVM_NO_FILE && (htvm_close(htvm_trace_file) != 0 || htvm_trace_failed)) {
    fprintf(stderr, "htvm_demo: cannot write %s\n", trace_path);
    return 1;
  }
#endif
#if HTVM_PROFILE
  if (samples > 0ul) htvm_profile_print();
#endif
#if HTVM_TARGET_RV32
  const unsigned long stack_peak = htvm_stack_peak(), stack_size = htvm_stack_size();
  printf("htvm_demo: stack peak %lu of %lu bytes\n", stack_peak, stack_size);
  if (stack_peak >= stack_size) {
    fprintf(stderr, "htvm_demo: stack overflow (%lu bytes reserved): raise STACK_BYTES\n",
            stack_size);
    return 1;
  }
#endif
  printf("htvm_demo: %lu samples\n", samples);
#if HTVM_INDEFINITE
  /* Power measurement: the last sample again and again, until the process is stopped. */
  for (s = 1;; ++s) {
    if (htvm_model_run(htvm_in, htvm_out) != 0) {
      fprintf(stderr, "htvm_demo: model failed in iteration %lu\n", s);
      return 1;
    }
    printf("htvm_demo: iteration %lu\n", s);
  }
#else
  return 0;
#endif
}
