// The definition of quantize_f32 (op_kind.h) for one element, written literally in float32: the
// interpreter's kernel (kernels_quantize.cpp) is a loop over it, and the generated-C tests use it
// as their oracle. Header-only so that a test can use the oracle without linking the interpreter;
// the C emitter must not include it (the generated kernel is integer-only and tested against this).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace htvm::interp {

// y = nan if x is NaN, else clamp(floor(fl32(x * 2^k)), lo, hi). For 0 <= k <= 149 the product is
// exact or overflows to +-inf (scaling by a power of two only moves the exponent); std::ldexp in
// float rounds the same way and, unlike a multiply by the float 2^k, also covers k > 127. The
// clamp is in double, where the float result and any int32 bound are exact (a float bound would
// round 2^31 - 1 up), and +-inf compare as the extremes they are.
inline int64_t quantizeF32(float x, int64_t k, int64_t lo, int64_t hi, int64_t nan) {
  if (std::isnan(x)) return nan;
  const float v = std::floor(std::ldexp(x, static_cast<int>(k)));  // the float overloads
  const double c = std::min(std::max(static_cast<double>(v), static_cast<double>(lo)),
                            static_cast<double>(hi));
  return static_cast<int64_t>(c);
}

}  // namespace htvm::interp
