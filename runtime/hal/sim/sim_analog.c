/* sim_analog.c: the analog in-memory-compute core: loading ternary weights into the array and
 * running a conv job on them.
 * The array is stored as plain ternary int8 (docs/ACCELERATOR_FORMATS.md, "Analog weights"; the
 * chip's +/- bit-row encoding is electrical detail that does not change results), in the pool
 * region sim_state.c reserves after the accelerator's activation L1. A conv job must match the
 * shape of the last load, because on the chip the array keeps whatever was loaded last. The ADC
 * step is computed in float exactly as specified, floorf(fl32(acc) / fl32(gain)), and clipped while
 * still a float so that an extreme quotient never reaches an out-of-range float-to-int conversion.
 * Activations use HWC_C64_REV4; channel padding of the output is written as 0. */
#include <math.h>

#include "sim_internal.h"

/* HWC_C64_REV4 pads every pixel's channels to a multiple of this (fixed by the layout). */
enum { LINE = 64 };

int htvm_analog_load_weights(uint32_t accel, const int8_t* weights, uint16_t rows, uint16_t cols) {
  static const char fn[] = "htvm_analog_load_weights";
  const htvm_accel_desc* d = sim_accel(fn, accel, HTVM_KIND_ANALOG);
  if (weights == NULL)
    sim_fail(fn, accel, "weight pointer is NULL");
  if (rows == 0 || cols == 0 || rows > d->array_rows || cols > d->array_cols)
    sim_fail(fn, accel, "weights %ux%u do not fit the %ux%u array", (unsigned)rows, (unsigned)cols,
             (unsigned)d->array_rows, (unsigned)d->array_cols);
  uint8_t* array = sim_array(accel);
  for (uint32_t r = 0; r < rows; ++r) {
    for (uint32_t c = 0; c < cols; ++c) {
      int8_t v = weights[(uint64_t)r * cols + c];
      if (v < -1 || v > 1)
        sim_fail(fn, accel, "weight [%u][%u] = %d is not ternary", (unsigned)r, (unsigned)c, v);
      array[(uint64_t)r * d->array_cols + c] = sim_u8(v);
    }
  }
  sim_state(accel)->loaded_rows = rows;
  sim_state(accel)->loaded_cols = cols;

  /* Only the bit-rows in use are streamed: two per logical row, rounded up to 32, each as wide as
   * the whole array. */
  uint64_t bit_rows = sim_round_up(2u * (uint64_t)rows, 32);
  const sim_range none = {0, 0};
  sim_job_begin(fn, accel, NULL, 0, none);
  sim_account_job(accel, 0,
                  sim_ceil_div(bit_rows * d->array_cols / 8u, d->weight_fill_bytes_per_cycle));
  sim_job_end(fn, accel);
  return htvm_accel_wait(accel);
}

static void check_conv_cfg(const char* fn, uint32_t accel, const htvm_analog_conv_cfg* cfg) {
  if (cfg == NULL)
    sim_fail(fn, accel, "cfg is NULL");
  if (cfg->bn_k == NULL || cfg->bn_l == NULL)
    sim_fail(fn, accel, "bn_k or bn_l pointer is NULL");
  if (!cfg->c || !cfg->k || !cfg->ih || !cfg->iw || !cfg->oh || !cfg->ow || !cfg->kh || !cfg->kw ||
      !cfg->stride_h || !cfg->stride_w)
    sim_fail(fn, accel, "zero size: c %u k %u in %ux%u out %ux%u kernel %ux%u stride %ux%u", cfg->c,
             cfg->k, cfg->ih, cfg->iw, cfg->oh, cfg->ow, cfg->kh, cfg->kw, cfg->stride_h,
             cfg->stride_w);
  if (cfg->shift > 31u)
    sim_fail(fn, accel, "shift %u out of range [0, 31]", cfg->shift);
  /* isfinite is not needed: !(gain > 0) also rejects NaN, and an infinite gain is merely odd. */
  if (!(cfg->gain > 0.0f))
    sim_fail(fn, accel, "gain %g is not positive", (double)cfg->gain);
  if (cfg->adc_lo > cfg->adc_hi || cfg->lo > cfg->hi)
    sim_fail(fn, accel, "empty clip range: adc [%d, %d], out [%d, %d]", cfg->adc_lo, cfg->adc_hi,
             cfg->lo, cfg->hi);
  sim_check_window(fn, accel, cfg->oh, cfg->ow, cfg->kh, cfg->kw, cfg->stride_h, cfg->stride_w,
                   cfg->ih, cfg->iw, cfg->pad_t, cfg->pad_l, cfg->pad_b, cfg->pad_r);
  sim_check_aligned(fn, accel, "input", cfg->in_off);
  sim_check_aligned(fn, accel, "output", cfg->out_off);
}

/* The 6-bit ADC: floor(fl32(acc) / fl32(gain)), clipped to [lo, hi]. */
static int32_t adc(int32_t acc, float gain, int32_t lo, int32_t hi) {
  float q = floorf((float)acc / gain);
  if (q <= (float)lo)
    return lo; /* clip in float: q may be far outside the int32 range */
  if (q >= (float)hi)
    return hi;
  return (int32_t)q;
}

static int analog_conv(const char* fn, uint32_t accel, const htvm_analog_conv_cfg* cfg) {
  const htvm_accel_desc* d = sim_accel(fn, accel, HTVM_KIND_ANALOG);
  check_conv_cfg(fn, accel, cfg);

  const sim_accel_state* st = sim_state(accel);
  const uint32_t c = cfg->c, k = cfg->k, ih = cfg->ih, iw = cfg->iw, oh = cfg->oh, ow = cfg->ow;
  const uint32_t kh = cfg->kh, kw = cfg->kw;
  const uint64_t rows = (uint64_t)c * kh * kw;
  if (st->loaded_rows == 0)
    sim_fail(fn, accel, "no weights loaded (conv needs %llux%u)", (unsigned long long)rows,
             (unsigned)k);
  if (rows != st->loaded_rows || k != st->loaded_cols)
    sim_fail(fn, accel,
             "conv needs %llux%u weights (c %u, kernel %ux%u, k %u) but %ux%u are loaded",
             (unsigned long long)rows, (unsigned)k, (unsigned)c, (unsigned)kh, (unsigned)kw,
             (unsigned)k, (unsigned)st->loaded_rows, (unsigned)st->loaded_cols);

  const uint64_t cpi = sim_round_up(c, LINE), cpo = sim_round_up(k, LINE);
  const uint64_t in_len = (uint64_t)ih * iw * cpi, out_len = (uint64_t)oh * ow * cpo;
  const uint8_t* in = sim_l1_span(fn, accel, "input", cfg->in_off, in_len);
  uint8_t* out = sim_l1_span(fn, accel, "output", cfg->out_off, out_len);
  sim_check_disjoint(fn, accel, "output", cfg->out_off, out_len, "input", cfg->in_off, in_len);

  const uint8_t* array = sim_array(accel);
  const uint64_t acols = d->array_cols;
  for (uint32_t oy = 0; oy < oh; ++oy) {
    for (uint32_t ox = 0; ox < ow; ++ox) {
      const uint64_t pix = ((uint64_t)oy * ow + ox) * cpo;
      for (uint32_t ko = 0; ko < cpo; ++ko) {
        if (ko >= k) {
          out[sim_rev4(pix + ko)] = 0;
          continue;
        }
        int32_t acc = 0; /* |acc| <= 128 * array_rows: no overflow for any real array */
        for (uint32_t ci = 0; ci < c; ++ci) {
          for (uint32_t ky = 0; ky < kh; ++ky) {
            int32_t iy = (int32_t)(oy * cfg->stride_h + ky) - (int32_t)cfg->pad_t;
            if (iy < 0 || iy >= (int32_t)ih)
              continue;
            for (uint32_t kx = 0; kx < kw; ++kx) {
              int32_t ix = (int32_t)(ox * cfg->stride_w + kx) - (int32_t)cfg->pad_l;
              if (ix < 0 || ix >= (int32_t)iw)
                continue;
              uint64_t src = ((uint64_t)(uint32_t)iy * iw + (uint32_t)ix) * cpi + ci;
              uint64_t row = ((uint64_t)ci * kh + ky) * kw + kx;
              acc += sim_s8(in[sim_rev4(src)]) * sim_s8(array[row * acols + ko]);
            }
          }
        }
        int32_t a = adc(acc, cfg->gain, cfg->adc_lo, cfg->adc_hi);
        int32_t v = a * cfg->bn_k[ko] + cfg->bn_l[ko]; /* |v| < 2^23: int8 a, int16 k and l */
        out[sim_rev4(pix + ko)] = sim_u8(sim_clip(sim_asr(v, cfg->shift), cfg->lo, cfg->hi));
      }
    }
  }

  /* One array pass per output pixel plus the SIMD post-processing of K channels, and the SIMD
   * pipeline filling once per job. */
  uint64_t passes = (uint64_t)oh * ow;
  const sim_range rin = {cfg->in_off, in_len}, rout = {cfg->out_off, out_len};
  sim_job_begin(fn, accel, &rin, 1, rout);
  sim_account_job(accel, passes * (d->mvm_cycles + sim_ceil_div(k, d->simd_lanes)) + d->simd_stages,
                  0);
  sim_job_end(fn, accel);
  return HTVM_OK;
}

int htvm_analog_conv(uint32_t accel, const htvm_analog_conv_cfg* cfg) {
  int rc = analog_conv("htvm_analog_conv", accel, cfg);
  return rc == HTVM_OK ? htvm_accel_wait(accel) : rc;
}

int htvm_analog_conv_start(uint32_t accel, const htvm_analog_conv_cfg* cfg) {
  return analog_conv("htvm_analog_conv_start", accel, cfg);
}
