/* sim_toy.c: the simulator of the test-only toy kind (htvm_toy.h), on the shared simulator state
 * (runtime/hal/sim/sim_internal.h): bounds- and race-checked L1 access, the job timeline. Its cycle
 * model is job_setup_cycles + ceil(bytes / simd_lanes) per job, which the toy backend predicts. */
#include "hal/sim/sim_internal.h"
#include "htvm_toy.h"

static int toy_add(const char* fn, uint32_t accel, const htvm_toy_add_cfg* cfg) {
  const htvm_accel_desc* d = sim_accel(fn, accel, HTVM_KIND_TOY);
  if (cfg == NULL) sim_fail(fn, accel, "cfg is NULL");
  if (d->simd_lanes == 0) sim_fail(fn, accel, "simd_lanes is 0");
  if (cfg->bytes == 0 || cfg->bytes % 4u != 0)
    sim_fail(fn, accel, "operand size %u is not a positive multiple of 4", (unsigned)cfg->bytes);
  if (cfg->shift > 31u) sim_fail(fn, accel, "shift %u > 31", (unsigned)cfg->shift);
  sim_check_aligned(fn, accel, "a", cfg->a_off);
  sim_check_aligned(fn, accel, "b", cfg->b_off);
  sim_check_aligned(fn, accel, "output", cfg->out_off);
  const uint64_t n = cfg->bytes;
  const uint8_t* a = sim_l1_span(fn, accel, "a", cfg->a_off, n);
  const uint8_t* b = sim_l1_span(fn, accel, "b", cfg->b_off, n);
  uint8_t* out = sim_l1_span(fn, accel, "output", cfg->out_off, n);
  if (cfg->out_off != cfg->a_off)
    sim_check_disjoint(fn, accel, "output", cfg->out_off, n, "a", cfg->a_off, n);
  if (cfg->out_off != cfg->b_off)
    sim_check_disjoint(fn, accel, "output", cfg->out_off, n, "b", cfg->b_off, n);
  for (uint64_t i = 0; i < n; ++i)
    out[i] = sim_u8(sim_clip(sim_asr(sim_s8(a[i]) + sim_s8(b[i]), cfg->shift),
                             cfg->relu ? 0 : -128, 127));
  const sim_range rin[2] = {{cfg->a_off, n}, {cfg->b_off, n}}, rout = {cfg->out_off, n};
  sim_job_begin(fn, accel, rin, 2, rout);
  sim_account_job(accel, sim_ceil_div(n, d->simd_lanes), 0);
  sim_job_end(fn, accel);
  return HTVM_OK;
}

int htvm_toy_add(uint32_t accel, const htvm_toy_add_cfg* cfg) {
  int rc = toy_add("htvm_toy_add", accel, cfg);
  return rc == HTVM_OK ? htvm_accel_wait(accel) : rc;
}

int htvm_toy_add_start(uint32_t accel, const htvm_toy_add_cfg* cfg) {
  return toy_add("htvm_toy_add_start", accel, cfg);
}
