/* sim_state.c: the simulator's memory, lifecycle, checks, profiling counters and timeline (the
 * overlap model of docs/ACCELERATOR_FORMATS.md, "Timeline", with its race checks).
 * All accelerator memories live in one static pool of HTVM_L1_POOL_BYTES bytes (from the generated
 * htvm_platform.h) so the simulator never allocates and every L1 byte has a fixed home. The layout
 * is, for each accelerator in platform order: its activation L1, then, for analog accelerators
 * only, the array storage (array_rows * array_cols plain ternary bytes). Digital weight memories
 * are not stored: a digital job reads its stream straight from L2 and only its size is checked.
 * htvm_hal_init validates the platform table against this layout once; every other entry point
 * goes through sim_accel() and sim_l1_span(), which abort (via sim_fail) on anything out of
 * contract. The single stderr write is isolated in sim_emit_line so a bare-metal port only has to
 * provide stdio (picolibc does). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

static uint8_t pool[HTVM_L1_POOL_BYTES];
static sim_accel_state states[HTVM_SIM_MAX_ACCELS];
static int initialized;

static void reset_timeline(sim_timeline* tl);

static void sim_emit_line(const char* line) {
  fputs(line, stderr);
  fputc('\n', stderr);
  fflush(stderr);
}

_Noreturn void sim_fail(const char* fn, uint32_t accel, const char* fmt, ...) {
  char line[320];
  int n;
  if (accel == SIM_NO_ACCEL)
    n = snprintf(line, sizeof line, "htvm_sim: %s: ", fn);
  else if (accel < htvm_num_accels && accel < HTVM_SIM_MAX_ACCELS)
    n = snprintf(line, sizeof line, "htvm_sim: %s: accel %u '%s': ", fn, (unsigned)accel,
                 htvm_accels[accel].name ? htvm_accels[accel].name : "?");
  else
    n = snprintf(line, sizeof line, "htvm_sim: %s: accel %u: ", fn, (unsigned)accel);
  if (n > 0 && (size_t)n < sizeof line) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
  }
  sim_emit_line(line);
  abort();
}

/* Rejects descriptor values that would make the cycle model divide by zero or the pool layout
 * meaningless; these come from the platform file, so they are checked once here, not per call. */
static void check_desc(uint32_t i, const htvm_accel_desc* d) {
  static const char fn[] = "htvm_hal_init";
  /* Kinds beyond these two bring their own simulator file (a backend's runtime files), whose jobs
   * check the kind through sim_accel(); here only the fields every kind uses are checked. */
  if (d->kind == 0) sim_fail(fn, i, "kind 0 is no accelerator kind");
  if (d->act_l1_bytes == 0 || d->dma_bytes_per_cycle == 0 || d->dma_granule_bytes == 0 ||
      d->weight_fill_bytes_per_cycle == 0)
    sim_fail(fn, i,
             "act_l1_bytes %u, dma_bytes_per_cycle %u, dma_granule_bytes %u and "
             "weight_fill_bytes_per_cycle %u must all be nonzero",
             (unsigned)d->act_l1_bytes, (unsigned)d->dma_bytes_per_cycle,
             (unsigned)d->dma_granule_bytes, (unsigned)d->weight_fill_bytes_per_cycle);
  if (d->kind == HTVM_KIND_DIGITAL && (d->pe_k == 0 || d->pe_ox == 0))
    sim_fail(fn, i, "pe_k %u and pe_ox %u must be nonzero", (unsigned)d->pe_k, (unsigned)d->pe_ox);
  if (d->kind == HTVM_KIND_ANALOG &&
      (d->array_rows == 0 || d->array_cols == 0 || d->simd_lanes == 0))
    sim_fail(fn, i, "array %ux%u and simd_lanes %u must be nonzero", (unsigned)d->array_rows,
             (unsigned)d->array_cols, (unsigned)d->simd_lanes);
}

int htvm_hal_init(void) {
  static const char fn[] = "htvm_hal_init";
  if (htvm_num_accels == 0 || htvm_num_accels > HTVM_SIM_MAX_ACCELS)
    sim_fail(fn, SIM_NO_ACCEL, "platform has %u accelerators; the simulator supports 1..%u",
             (unsigned)htvm_num_accels, (unsigned)HTVM_SIM_MAX_ACCELS);
  uint64_t next = 0;
  for (uint32_t i = 0; i < htvm_num_accels; ++i) {
    const htvm_accel_desc* d = &htvm_accels[i];
    check_desc(i, d);
    states[i].act_base = (uint32_t)next; /* below HTVM_L1_POOL_BYTES, checked at the end */
    next += d->act_l1_bytes;
    states[i].array_base = (uint32_t)next;
    if (d->kind == HTVM_KIND_ANALOG)
      next += (uint64_t)d->array_rows * d->array_cols;
  }
  if (next > (uint64_t)HTVM_L1_POOL_BYTES)
    sim_fail(fn, SIM_NO_ACCEL,
             "accelerator memories need %llu bytes but HTVM_L1_POOL_BYTES is %llu",
             (unsigned long long)next, (unsigned long long)HTVM_L1_POOL_BYTES);
  /* A re-init starts from a clean machine: zeroed memories, no loaded weights, cleared counters. */
  memset(pool, 0, (size_t)next);
  for (uint32_t i = 0; i < htvm_num_accels; ++i) {
    memset(&states[i].perf, 0, sizeof states[i].perf);
    reset_timeline(&states[i].tl);
    states[i].loaded_rows = 0;
    states[i].loaded_cols = 0;
  }
  initialized = 1;
  return HTVM_OK;
}

void sim_check_aligned(const char* fn, uint32_t accel, const char* what, uint32_t off) {
  if (off % 4u != 0)
    sim_fail(fn, accel, "%s L1 offset %u is not 4-byte aligned", what, (unsigned)off);
}

void sim_check_window(const char* fn, uint32_t accel, uint32_t oh, uint32_t ow, uint32_t kh,
                      uint32_t kw, uint32_t sh, uint32_t sw, uint32_t ih, uint32_t iw,
                      uint32_t pad_t, uint32_t pad_l, uint32_t pad_b, uint32_t pad_r) {
  uint32_t need_h = (oh - 1u) * sh + kh;
  uint32_t need_w = (ow - 1u) * sw + kw;
  uint32_t have_h = pad_t + ih + pad_b;
  uint32_t have_w = pad_l + iw + pad_r;
  if (need_h > have_h || need_w > have_w)
    sim_fail(fn, accel,
             "output %ux%u with kernel %ux%u, stride %ux%u needs a %ux%u padded input, "
             "have %ux%u (in %ux%u, pads t%u l%u b%u r%u)",
             (unsigned)oh, (unsigned)ow, (unsigned)kh, (unsigned)kw, (unsigned)sh, (unsigned)sw,
             (unsigned)need_h, (unsigned)need_w, (unsigned)have_h, (unsigned)have_w, (unsigned)ih,
             (unsigned)iw, (unsigned)pad_t, (unsigned)pad_l, (unsigned)pad_b, (unsigned)pad_r);
}

void sim_check_init(const char* fn) {
  if (!initialized)
    sim_fail(fn, SIM_NO_ACCEL, "called before htvm_hal_init");
}

/* The built-in kinds by name, for messages; NULL for a kind a backend added. */
static const char* kind_name(uint32_t kind) {
  return kind == HTVM_KIND_DIGITAL ? "digital" : kind == HTVM_KIND_ANALOG ? "analog" : NULL;
}

const htvm_accel_desc* sim_accel(const char* fn, uint32_t accel, uint32_t kind) {
  sim_check_init(fn);
  if (accel >= htvm_num_accels)
    sim_fail(fn, accel, "index out of range (platform has %u accelerators)",
             (unsigned)htvm_num_accels);
  const htvm_accel_desc* d = &htvm_accels[accel];
  if (kind != 0 && d->kind != kind) {
    if (kind_name(d->kind) != NULL && kind_name(kind) != NULL)
      sim_fail(fn, accel, "is %s, this call needs a %s accelerator", kind_name(d->kind),
               kind_name(kind));
    sim_fail(fn, accel, "is of kind %u, this call needs kind %u", (unsigned)d->kind,
             (unsigned)kind);
  }
  return d;
}

sim_accel_state* sim_state(uint32_t accel) { return &states[accel]; }

uint8_t* sim_l1_span(const char* fn, uint32_t accel, const char* what, uint64_t off, uint64_t len) {
  uint64_t size = htvm_accels[accel].act_l1_bytes;
  if (off > size || len > size - off)
    sim_fail(fn, accel, "%s L1 range [%llu, %llu) exceeds the activation L1 of %llu bytes", what,
             (unsigned long long)off, (unsigned long long)(off + len), (unsigned long long)size);
  return pool + states[accel].act_base + off;
}

void sim_check_disjoint(const char* fn, uint32_t accel, const char* a_what, uint64_t a_off,
                        uint64_t a_len, const char* b_what, uint64_t b_off, uint64_t b_len) {
  if (a_off < b_off + b_len && b_off < a_off + a_len)
    sim_fail(fn, accel, "%s L1 range [%llu, %llu) overlaps %s L1 range [%llu, %llu)", a_what,
             (unsigned long long)a_off, (unsigned long long)(a_off + a_len), b_what,
             (unsigned long long)b_off, (unsigned long long)(b_off + b_len));
}

uint8_t* sim_array(uint32_t accel) { return pool + states[accel].array_base; }

/* ---- timeline ---------------------------------------------------------------------------------
 * Three clocks per accelerator (host, last job end, DMA engine free); see sim_internal.h and
 * docs/ACCELERATOR_FORMATS.md, "Timeline". Copies are recorded while they may still be in flight
 * so that a job and a copy touching the same L1 bytes at overlapping times are caught: the
 * simulator performs every copy and job eagerly, in program order, so such a race would otherwise
 * go unnoticed while the hardware would compute garbage. */

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static int ranges_overlap(sim_range a, sim_range b) {
  return a.len != 0 && b.len != 0 && a.off < b.off + b.len && b.off < a.off + a.len;
}

static void update_elapsed(uint32_t accel) {
  sim_accel_state* st = &states[accel];
  st->perf.elapsed_cycles = max_u64(st->tl.host, max_u64(st->tl.job_end, st->tl.dma_free));
}

/* Copies that ended before the host's present cannot overlap anything issued from now on. */
static void retire_dmas(sim_timeline* tl) {
  uint32_t kept = 0;
  for (uint32_t i = 0; i < tl->ndmas; ++i)
    if (tl->dmas[i].end > tl->host)
      tl->dmas[kept++] = tl->dmas[i];
  tl->ndmas = kept;
}

static void reset_timeline(sim_timeline* tl) { memset(tl, 0, sizeof *tl); }

void sim_job_begin(const char* fn, uint32_t accel, const sim_range* in, uint32_t nin,
                   sim_range out) {
  sim_timeline* tl = &states[accel].tl;
  if (nin > 2)
    sim_fail(fn, accel, "internal: job with %u input ranges", (unsigned)nin);
  retire_dmas(tl);
  tl->job_nin = nin;
  for (uint32_t i = 0; i < nin; ++i)
    tl->job_in[i] = in[i];
  tl->job_out = out;
  /* A job starts once every queued copy into its inputs has landed. */
  tl->call_ready = 0;
  for (uint32_t d = 0; d < tl->ndmas; ++d)
    for (uint32_t i = 0; i < nin; ++i)
      if (tl->dmas[d].to_l1 && ranges_overlap(tl->dmas[d].l1, in[i]))
        tl->call_ready = max_u64(tl->call_ready, tl->dmas[d].end);
  tl->in_call = 1;
  tl->call_start = UINT64_MAX;
}

void sim_account_job(uint32_t accel, uint64_t compute_cycles, uint64_t weight_cycles) {
  sim_accel_state* st = &states[accel];
  htvm_perf_t* p = &st->perf;
  uint64_t setup = htvm_accels[accel].job_setup_cycles;
  p->setup_cycles += setup;
  p->compute_cycles += compute_cycles;
  p->weight_cycles += weight_cycles;
  p->jobs += 1;
  /* The host waits for the previous job, then configures and triggers this one. */
  sim_timeline* tl = &st->tl;
  tl->host = max_u64(tl->host, tl->job_end) + setup;
  uint64_t start = max_u64(tl->host, tl->in_call ? tl->call_ready : 0);
  if (tl->in_call && start < tl->call_start)
    tl->call_start = start;
  tl->job_end = start + weight_cycles + compute_cycles;
  update_elapsed(accel);
}

void sim_job_end(const char* fn, uint32_t accel) {
  sim_timeline* tl = &states[accel].tl;
  for (uint32_t d = 0; d < tl->ndmas; ++d) {
    const sim_dma_rec* r = &tl->dmas[d];
    if (r->end <= tl->call_start || r->start >= tl->job_end)
      continue; /* not in flight while the job ran */
    if (ranges_overlap(r->l1, tl->job_out))
      sim_fail(fn, accel,
               "race: the job writes L1 [%llu, %llu) during cycles [%llu, %llu) while a copy %s "
               "L1 [%llu, %llu) during cycles [%llu, %llu)",
               (unsigned long long)tl->job_out.off,
               (unsigned long long)(tl->job_out.off + tl->job_out.len),
               (unsigned long long)tl->call_start, (unsigned long long)tl->job_end,
               r->to_l1 ? "writes" : "reads", (unsigned long long)r->l1.off,
               (unsigned long long)(r->l1.off + r->l1.len), (unsigned long long)r->start,
               (unsigned long long)r->end);
  }
  tl->in_call = 0;
}

uint64_t sim_dma_queue(const char* fn, uint32_t accel, int to_l1, sim_range l1, uint64_t cycles) {
  sim_accel_state* st = &states[accel];
  sim_timeline* tl = &st->tl;
  retire_dmas(tl);
  uint64_t start = max_u64(tl->host, tl->dma_free);
  uint64_t end = start + cycles;
  /* The current job runs during [call_start, job_end); a copy overlapping it in time must not
   * write what it reads or writes, nor read what it writes. */
  if (tl->job_end > start && tl->call_start < end && tl->call_start != UINT64_MAX) {
    int hit = ranges_overlap(l1, tl->job_out);
    for (uint32_t i = 0; i < tl->job_nin && to_l1; ++i)
      hit = hit || ranges_overlap(l1, tl->job_in[i]);
    if (hit)
      sim_fail(fn, accel,
               "race: a copy %s L1 [%llu, %llu) during cycles [%llu, %llu) while the job running "
               "during [%llu, %llu) uses it (wait for the job first)",
               to_l1 ? "writes" : "reads", (unsigned long long)l1.off,
               (unsigned long long)(l1.off + l1.len), (unsigned long long)start,
               (unsigned long long)end, (unsigned long long)tl->call_start,
               (unsigned long long)tl->job_end);
  }
  if (tl->ndmas == HTVM_SIM_MAX_INFLIGHT)
    sim_fail(fn, accel, "more than %u copies in flight (wait for some first)",
             (unsigned)HTVM_SIM_MAX_INFLIGHT);
  sim_dma_rec* r = &tl->dmas[tl->ndmas++];
  r->start = start;
  r->end = end;
  r->l1 = l1;
  r->to_l1 = to_l1;
  tl->dma_free = end;
  update_elapsed(accel);
  return end;
}

void sim_host_wait(uint32_t accel, uint64_t until) {
  sim_timeline* tl = &states[accel].tl;
  tl->host = max_u64(tl->host, until);
  update_elapsed(accel);
}

int htvm_accel_wait(uint32_t accel) {
  sim_accel("htvm_accel_wait", accel, 0);
  sim_host_wait(accel, states[accel].tl.job_end);
  return HTVM_OK;
}

void htvm_perf_read(uint32_t accel, htvm_perf_t* out) {
  static const char fn[] = "htvm_perf_read";
  sim_accel(fn, accel, 0);
  if (out == NULL)
    sim_fail(fn, accel, "output pointer is NULL");
  *out = states[accel].perf;
}

void htvm_perf_reset(void) {
  sim_check_init("htvm_perf_reset");
  for (uint32_t i = 0; i < htvm_num_accels; ++i) {
    memset(&states[i].perf, 0, sizeof states[i].perf);
    reset_timeline(&states[i].tl);
  }
}
