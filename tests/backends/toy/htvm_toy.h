/* htvm_toy.h: the HAL of the test-only "toy" accelerator kind (tests/backends/toy): an element-wise
 * unit with `simd_lanes` byte lanes that adds two int8 operands stored in the same layout and
 * requantizes, out = clip((a + b) >> shift, relu ? 0 : -128, 127) per byte. It exists to show what a
 * new accelerator kind takes: this header, its simulator (sim_toy.c) and its backend
 * (toy_backend.cpp). */
#ifndef HTVM_TOY_H
#define HTVM_TOY_H

#include "htvm_hal.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { HTVM_KIND_TOY = 3 };

typedef struct {
  uint32_t a_off, b_off, out_off; /* activation L1 offsets, 4-byte aligned */
  uint32_t bytes;                 /* storage bytes of each operand (a multiple of 4) */
  uint8_t shift, relu;
} htvm_toy_add_cfg;

int htvm_toy_add(uint32_t accel, const htvm_toy_add_cfg* cfg);
int htvm_toy_add_start(uint32_t accel, const htvm_toy_add_cfg* cfg);

#ifdef __cplusplus
}
#endif

#endif /* HTVM_TOY_H */
