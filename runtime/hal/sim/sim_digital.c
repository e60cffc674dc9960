/* sim_digital.c: jobs of the digital PE-array accelerator (conv, depthwise, dense, element-wise
 * add). Each job validates its configuration, bounds-checks every L1 buffer it touches, computes
 * the bit-exact result of docs/ACCELERATOR_FORMATS.md ("Job semantics") and charges the cycle model
 * of the same page to the accelerator's counters. Activations are read and written through the REV4
 * layouts (CHW_W16_REV4, dense VEC16_REV4); weights and biases are read in place from the caller's
 * L2 stream, as the hardware streams them, after checking that one job's stream fits the weight
 * memory. Only logical positions are read (the hardware skips padded taps, and the L1 tile is not
 * zero-filled); every storage position of an output, including row padding, is written, padding
 * as 0, so padded storage stays deterministic. Every job is registered on the accelerator's
 * timeline with the L1 ranges it reads and writes (sim_job_begin/sim_job_end), which catches races
 * with copies still in flight; the blocking entry points are the `_start` ones plus a wait. */
#include "sim_internal.h"

/* The stream formats and the W16/VEC16 layouts are fixed at 16 lanes by the format document,
 * independent of the cycle model's pe_k x pe_ox. */
enum { LANES = 16, BIAS_BYTES = 4 * LANES };

static void check_shift(const char* fn, uint32_t accel, unsigned shift) {
  if (shift > 31u)
    sim_fail(fn, accel, "shift %u out of range [0, 31]", shift);
}

/* REV4 is defined on aligned 32-bit words, so a job buffer must start on one. */
static void check_stream_fits(const char* fn, uint32_t accel, const htvm_accel_desc* d,
                              uint64_t bytes) {
  if (bytes > d->weight_l1_bytes)
    sim_fail(fn, accel, "weight stream of %llu bytes exceeds the weight memory of %u bytes",
             (unsigned long long)bytes, (unsigned)d->weight_l1_bytes);
}

static uint8_t requant(int64_t acc, int32_t bias, unsigned shift, unsigned relu) {
  int32_t v = sim_wrap32(acc + bias); /* the hardware adds in a 32-bit accumulator */
  return sim_u8(sim_clip(sim_asr(v, shift), relu ? 0 : -128, 127));
}

/* MATCH's innermost-loop cost of one conv job (DIANA.md section 2, with the PE array, FIFO and
 * block costs taken from the platform). Border output rows lose the padded kernel rows, so each
 * padding depth p contributes its own term. */
static uint64_t conv_compute_cycles(const htvm_accel_desc* d, uint64_t c, uint64_t k, uint64_t oy,
                                    uint64_t ox, uint64_t fy, uint64_t fx, unsigned pad_t,
                                    unsigned pad_b) {
  uint64_t kp = sim_round_up(k, d->pe_k), oxp = sim_round_up(ox, d->pe_ox);
  uint64_t pes = (uint64_t)d->pe_k * d->pe_ox;
  uint64_t pmax = pad_t > pad_b ? pad_t : pad_b;
  uint64_t total = 0;
  for (uint64_t p = 0; p <= pmax && p < fy; ++p) { /* terms with FY - p < 1 are skipped */
    uint64_t n = p == 0 ? kp * (oy > 2 * pmax ? oy - 2 * pmax : 0) * oxp : 2 * kp * oxp;
    uint64_t rows = fy - p;
    total += sim_ceil_div(n, pes) *
             (c * rows * fx + (uint64_t)d->fifo_cycles * c * rows + d->block_cycles);
  }
  return total;
}

static void check_conv_cfg(const char* fn, uint32_t accel, const htvm_digital_conv_cfg* cfg) {
  if (cfg == NULL)
    sim_fail(fn, accel, "cfg is NULL");
  if (cfg->weights == NULL)
    sim_fail(fn, accel, "weight stream pointer is NULL");
  if (!cfg->c || !cfg->k || !cfg->ih || !cfg->iw || !cfg->oh || !cfg->ow || !cfg->kh || !cfg->kw ||
      !cfg->stride_h || !cfg->stride_w)
    sim_fail(fn, accel, "zero size: c %u k %u in %ux%u out %ux%u kernel %ux%u stride %ux%u", cfg->c,
             cfg->k, cfg->ih, cfg->iw, cfg->oh, cfg->ow, cfg->kh, cfg->kw, cfg->stride_h,
             cfg->stride_w);
  if (cfg->depthwise && cfg->c != cfg->k)
    sim_fail(fn, accel, "depthwise needs c == k, got c %u k %u", cfg->c, cfg->k);
  check_shift(fn, accel, cfg->shift);
  /* The last output's window must end inside the padded input, or the job would read past it. */
  sim_check_window(fn, accel, cfg->oh, cfg->ow, cfg->kh, cfg->kw, cfg->stride_h, cfg->stride_w,
                   cfg->ih, cfg->iw, cfg->pad_t, cfg->pad_l, cfg->pad_b, cfg->pad_r);
  sim_check_aligned(fn, accel, "input", cfg->in_off);
  sim_check_aligned(fn, accel, "output", cfg->out_off);
}

static int digital_conv(const char* fn, uint32_t accel, const htvm_digital_conv_cfg* cfg) {
  const htvm_accel_desc* d = sim_accel(fn, accel, HTVM_KIND_DIGITAL);
  check_conv_cfg(fn, accel, cfg);

  const uint32_t c = cfg->c, k = cfg->k, ih = cfg->ih, iw = cfg->iw, oh = cfg->oh, ow = cfg->ow;
  const uint32_t kh = cfg->kh, kw = cfg->kw, taps = kh * kw;
  const uint32_t wpi = (uint32_t)sim_round_up(iw, LANES), wpo = (uint32_t)sim_round_up(ow, LANES);
  const uint64_t in_len = (uint64_t)c * ih * wpi, out_len = (uint64_t)k * oh * wpo;
  const uint8_t* in = sim_l1_span(fn, accel, "input", cfg->in_off, in_len);
  uint8_t* out = sim_l1_span(fn, accel, "output", cfg->out_off, out_len);
  sim_check_disjoint(fn, accel, "output", cfg->out_off, out_len, "input", cfg->in_off, in_len);

  /* Depthwise streams one block per channel and runs one job per channel; a conv job streams
   * ceil(K/16) blocks. Either way a single job's stream must fit the weight memory. */
  const uint64_t block = cfg->depthwise ? (uint64_t)LANES * taps + BIAS_BYTES
                                        : (uint64_t)LANES * c * taps + BIAS_BYTES;
  const uint64_t job_stream = cfg->depthwise ? block : sim_ceil_div(k, LANES) * block;
  check_stream_fits(fn, accel, d, job_stream);

  const int8_t* w = cfg->weights;
  for (uint32_t ko = 0; ko < k; ++ko) {
    /* Plain stream index of (ci = first input channel, ky = 0, kx = 0) for this output channel;
     * consecutive taps are LANES bytes apart, consecutive input channels LANES*taps. */
    uint64_t wbase, bias_at;
    uint32_t ci_lo, ci_hi;
    if (cfg->depthwise) {
      wbase = ko * block;
      bias_at = wbase + (uint64_t)LANES * taps;
      ci_lo = ko;
      ci_hi = ko + 1;
    } else {
      wbase = (ko / LANES) * block + ko % LANES;
      bias_at = wbase + (uint64_t)LANES * c * taps;
      ci_lo = 0;
      ci_hi = c;
    }
    const int32_t bias = sim_stream_i32(w, bias_at, LANES);
    for (uint32_t oy = 0; oy < oh; ++oy) {
      for (uint32_t ox = 0; ox < wpo; ++ox) {
        uint64_t dst = sim_rev4(((uint64_t)ko * oh + oy) * wpo + ox);
        if (ox >= ow) {
          out[dst] = 0;
          continue;
        }
        int64_t acc = 0;
        for (uint32_t ci = ci_lo; ci < ci_hi; ++ci) {
          uint64_t wci = wbase + (uint64_t)(ci - ci_lo) * LANES * taps;
          for (uint32_t ky = 0; ky < kh; ++ky) {
            int32_t iy = (int32_t)(oy * cfg->stride_h + ky) - (int32_t)cfg->pad_t;
            if (iy < 0 || iy >= (int32_t)ih)
              continue;
            for (uint32_t kx = 0; kx < kw; ++kx) {
              int32_t ix = (int32_t)(ox * cfg->stride_w + kx) - (int32_t)cfg->pad_l;
              if (ix < 0 || ix >= (int32_t)iw)
                continue;
              uint64_t src = ((uint64_t)ci * ih + (uint32_t)iy) * wpi + (uint32_t)ix;
              acc += (int64_t)sim_s8(in[sim_rev4(src)]) *
                     w[sim_rev4(wci + (uint64_t)(ky * kw + kx) * LANES)];
            }
          }
        }
        out[dst] = requant(acc, bias, cfg->shift, cfg->relu);
      }
    }
  }

  const sim_range rin = {cfg->in_off, in_len}, rout = {cfg->out_off, out_len};
  sim_job_begin(fn, accel, &rin, 1, rout);
  if (cfg->depthwise) {
    uint64_t per_job = conv_compute_cycles(d, 1, d->pe_k, oh, ow, kh, kw, cfg->pad_t, cfg->pad_b);
    uint64_t fill = sim_ceil_div(block, d->weight_fill_bytes_per_cycle);
    for (uint32_t ch = 0; ch < c; ++ch)
      sim_account_job(accel, per_job, fill);
  } else {
    sim_account_job(accel, conv_compute_cycles(d, c, k, oh, ow, kh, kw, cfg->pad_t, cfg->pad_b),
                    sim_ceil_div(job_stream, d->weight_fill_bytes_per_cycle));
  }
  sim_job_end(fn, accel);
  return HTVM_OK;
}

static int digital_dense(const char* fn, uint32_t accel, const htvm_digital_dense_cfg* cfg) {
  const htvm_accel_desc* d = sim_accel(fn, accel, HTVM_KIND_DIGITAL);
  if (cfg == NULL)
    sim_fail(fn, accel, "cfg is NULL");
  if (cfg->weights == NULL)
    sim_fail(fn, accel, "weight stream pointer is NULL");
  if (!cfg->c || !cfg->k)
    sim_fail(fn, accel, "zero size: c %u k %u", cfg->c, cfg->k);
  check_shift(fn, accel, cfg->shift);
  sim_check_aligned(fn, accel, "input", cfg->in_off);
  sim_check_aligned(fn, accel, "output", cfg->out_off);

  const uint64_t c = cfg->c, k = cfg->k;
  const uint64_t cp = sim_round_up(c, LANES), kp = sim_round_up(k, LANES);
  const uint8_t* in = sim_l1_span(fn, accel, "input", cfg->in_off, cp);
  uint8_t* out = sim_l1_span(fn, accel, "output", cfg->out_off, kp);
  sim_check_disjoint(fn, accel, "output", cfg->out_off, kp, "input", cfg->in_off, cp);
  const uint64_t stream = kp * cp + LANES * kp; /* 16x16 weight blocks, then 16-byte bias slots */
  check_stream_fits(fn, accel, d, stream);

  const int8_t* w = cfg->weights;
  const uint64_t cblocks = cp / LANES;
  for (uint64_t ko = 0; ko < kp; ++ko) {
    if (ko >= k) {
      out[sim_rev4(ko)] = 0;
      continue;
    }
    uint64_t row = (ko / LANES) * cblocks * LANES * LANES + (ko % LANES) * LANES;
    int64_t acc = 0;
    for (uint64_t ci = 0; ci < c; ++ci)
      acc += (int64_t)sim_s8(in[sim_rev4(ci)]) *
             w[sim_rev4(row + (ci / LANES) * LANES * LANES + ci % LANES)];
    out[sim_rev4(ko)] =
        requant(acc, sim_stream_i32(w, kp * cp + LANES * ko, 1), cfg->shift, cfg->relu);
  }

  const sim_range rin = {cfg->in_off, cp}, rout = {cfg->out_off, kp};
  sim_job_begin(fn, accel, &rin, 1, rout);
  sim_account_job(accel, sim_ceil_div(c, LANES) * sim_ceil_div(k, LANES) * LANES,
                  sim_ceil_div(stream, d->weight_fill_bytes_per_cycle));
  sim_job_end(fn, accel);
  return HTVM_OK;
}

static int digital_add(const char* fn, uint32_t accel, const htvm_digital_add_cfg* cfg) {
  const htvm_accel_desc* d = sim_accel(fn, accel, HTVM_KIND_DIGITAL);
  if (cfg == NULL)
    sim_fail(fn, accel, "cfg is NULL");
  if (cfg->bytes == 0 || cfg->bytes % 4u != 0)
    sim_fail(fn, accel, "operand size %u is not a positive multiple of 4", (unsigned)cfg->bytes);
  check_shift(fn, accel, cfg->shift);
  sim_check_aligned(fn, accel, "a", cfg->a_off);
  sim_check_aligned(fn, accel, "b", cfg->b_off);
  sim_check_aligned(fn, accel, "output", cfg->out_off);

  const uint64_t n = cfg->bytes;
  const uint8_t* a = sim_l1_span(fn, accel, "a", cfg->a_off, n);
  const uint8_t* b = sim_l1_span(fn, accel, "b", cfg->b_off, n);
  uint8_t* out = sim_l1_span(fn, accel, "output", cfg->out_off, n);
  /* Element i reads a[i], b[i] before writing out[i], so computing in place is exact; only a
   * partial overlap would feed already-written results back in. */
  if (cfg->out_off != cfg->a_off)
    sim_check_disjoint(fn, accel, "output", cfg->out_off, n, "a", cfg->a_off, n);
  if (cfg->out_off != cfg->b_off)
    sim_check_disjoint(fn, accel, "output", cfg->out_off, n, "b", cfg->b_off, n);

  /* Element-wise over the storage: both operands share the layout, so REV4 and padding line up
   * (padding is 0 + 0, which stays 0 under any shift and clip). */
  for (uint64_t i = 0; i < n; ++i) {
    int32_t v = sim_s8(a[i]) + sim_s8(b[i]);
    out[i] = sim_u8(sim_clip(sim_asr(v, cfg->shift), cfg->relu ? 0 : -128, 127));
  }

  const sim_range rin[2] = {{cfg->a_off, n}, {cfg->b_off, n}}, rout = {cfg->out_off, n};
  sim_job_begin(fn, accel, rin, 2, rout);
  sim_account_job(accel, sim_ceil_div(n, LANES) + d->block_cycles, 0);
  sim_job_end(fn, accel);
  return HTVM_OK;
}

/* Blocking calls are the asynchronous ones followed by a wait for the job. */
static int finish(int rc, uint32_t accel) { return rc == HTVM_OK ? htvm_accel_wait(accel) : rc; }

int htvm_digital_conv(uint32_t accel, const htvm_digital_conv_cfg* cfg) {
  return finish(digital_conv("htvm_digital_conv", accel, cfg), accel);
}

int htvm_digital_dense(uint32_t accel, const htvm_digital_dense_cfg* cfg) {
  return finish(digital_dense("htvm_digital_dense", accel, cfg), accel);
}

int htvm_digital_add(uint32_t accel, const htvm_digital_add_cfg* cfg) {
  return finish(digital_add("htvm_digital_add", accel, cfg), accel);
}

int htvm_digital_conv_start(uint32_t accel, const htvm_digital_conv_cfg* cfg) {
  return digital_conv("htvm_digital_conv_start", accel, cfg);
}

int htvm_digital_dense_start(uint32_t accel, const htvm_digital_dense_cfg* cfg) {
  return digital_dense("htvm_digital_dense_start", accel, cfg);
}

int htvm_digital_add_start(uint32_t accel, const htvm_digital_add_cfg* cfg) {
  return digital_add("htvm_digital_add_start", accel, cfg);
}
