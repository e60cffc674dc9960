// Test inputs for quantize_f32 and the chain it replaces (tests/passes, tests/interp,
// tests/codegen): the float32 values where its definition changes behaviour, and seeded random bit
// patterns over the whole float32 space (NaNs, infinities, subnormals included).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace htvm::testing {

inline float floatFromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// v and its two float32 neighbours.
inline void pushWithNeighbours(std::vector<float>& out, float v) {
  out.push_back(v);
  out.push_back(std::nextafter(v, std::numeric_limits<float>::infinity()));
  out.push_back(std::nextafter(v, -std::numeric_limits<float>::infinity()));
}

// +-0, +-inf, NaNs (quiet, signalling, negative, payloads), the smallest and largest subnormals
// and normals of both signs, every power of two (both signs) with its neighbours, and for every
// integer j in [lo - 2, hi + 2] the inputs x with x * 2^k at j and j + 1/2, with their neighbours.
inline std::vector<float> quantizeSpecialValues(int k, int64_t lo, int64_t hi) {
  std::vector<float> v;
  for (uint32_t u : {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u,
                     0x7f800001u, 0xff800001u, 0x7fffffffu, 0xffffffffu, 0x7fa00000u,
                     0x00000001u, 0x80000001u, 0x007fffffu, 0x807fffffu, 0x00800000u, 0x80800000u,
                     0x7f7fffffu, 0xff7fffffu, 0x00400000u, 0x80400000u})
    v.push_back(floatFromBits(u));
  for (int e = -149; e <= 127; ++e)
    for (float s : {1.0f, -1.0f}) pushWithNeighbours(v, s * std::ldexp(1.0f, e));
  for (int64_t j = lo - 2; j <= hi + 2; ++j) {
    pushWithNeighbours(v, std::ldexp(static_cast<float>(j), -k));
    pushWithNeighbours(v, std::ldexp(static_cast<float>(j) + 0.5f, -k));
  }
  return v;
}

// `n` uniformly random float32 bit patterns.
inline std::vector<float> randomFloatBits(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v(n);
  for (float& f : v) f = floatFromBits(static_cast<uint32_t>(rng()));
  return v;
}

}  // namespace htvm::testing
