// tests/runtime/sim_test_util.h: independent encoders and naive references for the simulator tests.
// Everything here is written from docs/ACCELERATOR_FORMATS.md alone (layouts, weight streams, job
// semantics) and shares no code with runtime/hal/sim, so a test that compares the simulator with
// these functions checks the simulator against the document, not against itself. The references
// use the plainest possible arithmetic (int64 sums, floor via double division) on purpose.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "htvm_hal.h"

namespace simtest {

// Accelerator indices of the test platform (tests/runtime/platform.c).
constexpr uint32_t kDigital = 0;
constexpr uint32_t kAnalog = 1;

inline uint32_t roundUp(uint32_t v, uint32_t m) { return (v + m - 1) / m * m; }

// A batch-1 activation or weight tensor of up to 4 dimensions, row-major int8 or int32 values.
template <typename T> struct Tensor {
  std::vector<int> dims;
  std::vector<T> v;
  explicit Tensor(std::vector<int> d = {}) : dims(std::move(d)) {
    size_t n = 1;
    for (int x : dims)
      n *= static_cast<size_t>(x);
    v.assign(n, T{0});
  }
  size_t index(std::initializer_list<int> idx) const {
    size_t i = 0, k = 0;
    for (int x : idx)
      i = i * static_cast<size_t>(dims[k++]) + static_cast<size_t>(x);
    return i;
  }
  T& at(std::initializer_list<int> idx) { return v[index(idx)]; }
  T at(std::initializer_list<int> idx) const { return v[index(idx)]; }
};
using T8 = Tensor<int8_t>;
using T32 = Tensor<int32_t>;

template <typename T> void fillRandom(Tensor<T>& t, std::mt19937& rng, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  for (auto& x : t.v)
    x = static_cast<T>(dist(rng));
}

// REV4 over a whole buffer: storage byte p is plain byte p ^ 3.
inline std::vector<uint8_t> rev4(const std::vector<uint8_t>& plain) {
  std::vector<uint8_t> s(plain.size());
  for (size_t p = 0; p < plain.size(); ++p)
    s[p] = plain[p ^ 3u];
  return s;
}

inline std::vector<int8_t> asSigned(const std::vector<uint8_t>& b) {
  std::vector<int8_t> s(b.size());
  for (size_t i = 0; i < b.size(); ++i)
    s[i] = static_cast<int8_t>(b[i]);
  return s;
}

// CHW_W16_REV4: [C][H][ceil(W/16)*16], then REV4. `padFill` lets a test put garbage in the padding.
inline std::vector<uint8_t> encodeChw(const T8& t, uint8_t padFill = 0) {
  int c = t.dims[0], h = t.dims[1], w = t.dims[2], wp = static_cast<int>(roundUp(w, 16));
  std::vector<uint8_t> plain(static_cast<size_t>(c * h * wp), padFill);
  for (int ci = 0; ci < c; ++ci)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        plain[static_cast<size_t>((ci * h + y) * wp + x)] = static_cast<uint8_t>(t.at({ci, y, x}));
  return rev4(plain);
}

// Inverse of encodeChw; counts nonzero padding bytes into *nonzeroPad.
inline T8 decodeChw(const std::vector<uint8_t>& storage, int c, int h, int w, int* nonzeroPad) {
  std::vector<uint8_t> plain = rev4(storage); // REV4 is its own inverse
  int wp = static_cast<int>(roundUp(w, 16));
  T8 t({c, h, w});
  *nonzeroPad = 0;
  for (int ci = 0; ci < c; ++ci)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < wp; ++x) {
        uint8_t b = plain[static_cast<size_t>((ci * h + y) * wp + x)];
        if (x < w)
          t.at({ci, y, x}) = static_cast<int8_t>(b);
        else
          *nonzeroPad += b != 0;
      }
  return t;
}

// HWC_C64_REV4: [H][W][ceil(C/64)*64], then REV4. Tensors are still given as [C][H][W].
inline std::vector<uint8_t> encodeHwc(const T8& t) {
  int c = t.dims[0], h = t.dims[1], w = t.dims[2], cp = static_cast<int>(roundUp(c, 64));
  std::vector<uint8_t> plain(static_cast<size_t>(h * w * cp), 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ci = 0; ci < c; ++ci)
        plain[static_cast<size_t>((y * w + x) * cp + ci)] = static_cast<uint8_t>(t.at({ci, y, x}));
  return rev4(plain);
}

inline T8 decodeHwc(const std::vector<uint8_t>& storage, int c, int h, int w, int* nonzeroPad) {
  std::vector<uint8_t> plain = rev4(storage);
  int cp = static_cast<int>(roundUp(c, 64));
  T8 t({c, h, w});
  *nonzeroPad = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ci = 0; ci < cp; ++ci) {
        uint8_t b = plain[static_cast<size_t>((y * w + x) * cp + ci)];
        if (ci < c)
          t.at({ci, y, x}) = static_cast<int8_t>(b);
        else
          *nonzeroPad += b != 0;
      }
  return t;
}

// VEC16_REV4: [ceil(N/16)*16], then REV4.
inline std::vector<uint8_t> encodeVec(const T8& t) {
  std::vector<uint8_t> plain(roundUp(static_cast<uint32_t>(t.v.size()), 16), 0);
  for (size_t i = 0; i < t.v.size(); ++i)
    plain[i] = static_cast<uint8_t>(t.v[i]);
  return rev4(plain);
}

inline T8 decodeVec(const std::vector<uint8_t>& storage, int n, int* nonzeroPad) {
  std::vector<uint8_t> plain = rev4(storage);
  T8 t({n});
  *nonzeroPad = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    if (static_cast<int>(i) < n)
      t.v[i] = static_cast<int8_t>(plain[i]);
    else
      *nonzeroPad += plain[i] != 0;
  }
  return t;
}

inline uint8_t byteOf(int32_t v, int b) {
  return static_cast<uint8_t>((static_cast<uint32_t>(v) >> (8 * b)) & 0xFF);
}

// Conv (groups 1) stream: per 16-channel block, w[16b+j][ci][ky][kx] for ci, ky, kx, j, then the
// 64 bias bytes for byte 0..3, j 0..15. `w` is [K][C][Kh][Kw].
inline std::vector<int8_t> convStream(const T8& w, const T32& bias) {
  int k = w.dims[0], c = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  std::vector<uint8_t> plain;
  for (int b = 0; b < static_cast<int>(roundUp(k, 16)) / 16; ++b) {
    for (int ci = 0; ci < c; ++ci)
      for (int ky = 0; ky < kh; ++ky)
        for (int kx = 0; kx < kw; ++kx)
          for (int j = 0; j < 16; ++j) {
            int ko = 16 * b + j;
            plain.push_back(ko < k ? static_cast<uint8_t>(w.at({ko, ci, ky, kx})) : 0);
          }
    for (int byte = 0; byte < 4; ++byte)
      for (int j = 0; j < 16; ++j) {
        int ko = 16 * b + j;
        plain.push_back(ko < k ? byteOf(bias.v[static_cast<size_t>(ko)], byte) : 0);
      }
  }
  return asSigned(rev4(plain));
}

// Depthwise stream: per channel, (j == 0 ? w[ch][0][ky][kx] : 0), then bias[ch] in slot 0.
// `w` is [C][1][Kh][Kw].
inline std::vector<int8_t> dwStream(const T8& w, const T32& bias) {
  int c = w.dims[0], kh = w.dims[2], kw = w.dims[3];
  std::vector<uint8_t> plain;
  for (int ch = 0; ch < c; ++ch) {
    for (int ky = 0; ky < kh; ++ky)
      for (int kx = 0; kx < kw; ++kx)
        for (int j = 0; j < 16; ++j)
          plain.push_back(j == 0 ? static_cast<uint8_t>(w.at({ch, 0, ky, kx})) : 0);
    for (int byte = 0; byte < 4; ++byte)
      for (int j = 0; j < 16; ++j)
        plain.push_back(j == 0 ? byteOf(bias.v[static_cast<size_t>(ch)], byte) : 0);
  }
  return asSigned(rev4(plain));
}

// Dense stream: 16x16 blocks W[16kb+j][16cb+i] for kb, cb, j, i, then a 16-byte bias slot per
// padded output channel (int32 little-endian, then 12 zeros). `w` is [K][C].
inline std::vector<int8_t> denseStream(const T8& w, const T32& bias) {
  int k = w.dims[0], c = w.dims[1];
  int kp = static_cast<int>(roundUp(k, 16)), cp = static_cast<int>(roundUp(c, 16));
  std::vector<uint8_t> plain;
  for (int kb = 0; kb < kp / 16; ++kb)
    for (int cb = 0; cb < cp / 16; ++cb)
      for (int j = 0; j < 16; ++j)
        for (int i = 0; i < 16; ++i) {
          int ko = 16 * kb + j, ci = 16 * cb + i;
          plain.push_back(ko < k && ci < c ? static_cast<uint8_t>(w.at({ko, ci})) : 0);
        }
  for (int ko = 0; ko < kp; ++ko)
    for (int byte = 0; byte < 16; ++byte)
      plain.push_back(ko < k && byte < 4 ? byteOf(bias.v[static_cast<size_t>(ko)], byte) : 0);
  return asSigned(rev4(plain));
}

// Analog array contents: row (c*Kh + ky)*Kw + kx, column k. `w` is [K][C][Kh][Kw], ternary.
inline std::vector<int8_t> analogRows(const T8& w) {
  int k = w.dims[0], c = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  std::vector<int8_t> rows(static_cast<size_t>(c * kh * kw * k));
  for (int ko = 0; ko < k; ++ko)
    for (int ci = 0; ci < c; ++ci)
      for (int ky = 0; ky < kh; ++ky)
        for (int kx = 0; kx < kw; ++kx)
          rows[static_cast<size_t>(((ci * kh + ky) * kw + kx) * k + ko)] = w.at({ko, ci, ky, kx});
  return rows;
}

struct ConvGeom {
  int c, k, ih, iw, kh, kw, sh, sw, pt, pl, pb, pr;
  int oh() const { return (ih + pt + pb - kh) / sh + 1; }
  int ow() const { return (iw + pl + pr - kw) / sw + 1; }
};

// floor(v / 2^s), computed as a real division (exact in double for these magnitudes).
inline int64_t floorShift(int64_t v, int s) {
  return static_cast<int64_t>(std::floor(static_cast<double>(v) / std::ldexp(1.0, s)));
}

inline int8_t clip8(int64_t v, int64_t lo, int64_t hi) {
  return static_cast<int8_t>(v < lo ? lo : (v > hi ? hi : v));
}

// Naive integer conv sum at one output position; `dw` uses input channel == output channel.
inline int64_t convSum(const T8& x, const T8& w, const ConvGeom& g, bool dw, int ko, int oy,
                       int ox) {
  int64_t acc = 0;
  for (int ci = 0; ci < g.c; ++ci) {
    if (dw && ci != ko)
      continue;
    for (int ky = 0; ky < g.kh; ++ky)
      for (int kx = 0; kx < g.kw; ++kx) {
        int iy = oy * g.sh - g.pt + ky, ix = ox * g.sw - g.pl + kx;
        if (iy < 0 || iy >= g.ih || ix < 0 || ix >= g.iw)
          continue; // zero padding
        acc += static_cast<int64_t>(x.at({ci, iy, ix})) * w.at({ko, dw ? 0 : ci, ky, kx});
      }
  }
  return acc;
}

// Digital conv or depthwise reference: clip(floor((acc + bias) / 2^shift), relu ? 0 : -128, 127).
inline T8 refDigitalConv(const T8& x, const T8& w, const T32& bias, const ConvGeom& g, bool dw,
                         int shift, bool relu) {
  T8 y({g.k, g.oh(), g.ow()});
  for (int ko = 0; ko < g.k; ++ko)
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox) {
        int64_t v = convSum(x, w, g, dw, ko, oy, ox) + bias.v[static_cast<size_t>(ko)];
        y.at({ko, oy, ox}) = clip8(floorShift(v, shift), relu ? 0 : -128, 127);
      }
  return y;
}

struct AnalogParams {
  float gain;
  int adcLo, adcHi;
  std::vector<int16_t> bnK, bnL;
  int shift, lo, hi;
};

// Analog reference: a = clip(floorf((float)acc / gain), adc_lo, adc_hi);
// out = clip(floor((a*k + l) / 2^shift), lo, hi).
inline T8 refAnalogConv(const T8& x, const T8& w, const ConvGeom& g, const AnalogParams& p) {
  T8 y({g.k, g.oh(), g.ow()});
  for (int ko = 0; ko < g.k; ++ko)
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox) {
        int32_t acc = static_cast<int32_t>(convSum(x, w, g, false, ko, oy, ox));
        float q = std::floor(static_cast<float>(acc) / p.gain); // float overload: floorf
        int64_t a = q < p.adcLo ? p.adcLo : (q > p.adcHi ? p.adcHi : static_cast<int64_t>(q));
        int64_t v = a * p.bnK[static_cast<size_t>(ko)] + p.bnL[static_cast<size_t>(ko)];
        y.at({ko, oy, ox}) = clip8(floorShift(v, p.shift), p.lo, p.hi);
      }
  return y;
}

// ---- HAL plumbing shared by the tests -----------------------------------------------------------

inline void toL1(uint32_t accel, uint32_t off, const std::vector<uint8_t>& bytes) {
  htvm_dma_t h{};
  htvm_dma_to_l1(&h, accel, off, bytes.data(), static_cast<uint32_t>(bytes.size()));
  htvm_dma_wait(&h);
}

inline std::vector<uint8_t> fromL1(uint32_t accel, uint32_t off, size_t n) {
  std::vector<uint8_t> bytes(n);
  htvm_dma_t h{};
  htvm_dma_to_l2(&h, accel, bytes.data(), off, static_cast<uint32_t>(n));
  htvm_dma_wait(&h);
  return bytes;
}

inline htvm_perf_t perf(uint32_t accel) {
  htvm_perf_t p{};
  htvm_perf_read(accel, &p);
  return p;
}

} // namespace simtest
