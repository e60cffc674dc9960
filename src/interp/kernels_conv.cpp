// Reference kernels for conv2d and dense, and the exact integer conv/dense that the fused layers
// (kernels_fused.cpp) build on. One templated loop serves float32 and integer data; the
// only difference is the multiply-accumulate step (`mac`). The float summation order is part of the
// IR semantics (ci, then kh, then kw; bias added last), so the loops must not be reordered.
#include <algorithm>
#include <cmath>

#include "interp/kernels.h"

namespace htvm::interp {
namespace {

// acc + fl32(x * w): the product is rounded to float32 before the add, exactly as `acc += x * w`
// in float32 without fused multiply-add. The product is formed in double, where it is exact (24 + 24
// significand bits fit in 53), and rounded once; this keeps the result right even if the compiler is
// allowed to contract a float `a * b + c` into an FMA (GCC's default -ffp-contract=fast).
inline float mac(float acc, float x, float w) {
  float p = static_cast<float>(static_cast<double>(x) * static_cast<double>(w));
  return acc + p;
}
// Exact: operands are at most int32 and checkAccumulatorBound rules out int64 overflow.
inline int64_t mac(int64_t acc, int64_t x, int64_t w) { return acc + x * w; }

// Operands of conv2d/dense must all be float (float output) or all integer (integer output); the
// verifier checks only the data input, so weights and bias are checked here.
Status checkOperandKinds(const KernelArgs& a) {
  bool intOut = isInteger(a.outType().dtype);
  for (size_t i = 0; i < a.node.inputs.size(); ++i) {
    if (!a.has(i)) continue;
    if (isInteger(a.inType(i).dtype) != intOut)
      return nodeError(a.node) << "operand " << i << " '" << a.g.tensor(a.node.inputs[i]).name
                               << "' is " << dtypeName(a.inType(i).dtype) << " but the output is "
                               << dtypeName(a.outType().dtype);
  }
  return ok();
}

int64_t maxAbs(const std::vector<int64_t>& v) {
  int64_t m = 0;
  for (int64_t e : v) m = std::max(m, e < 0 ? -e : e);
  return m;
}

// The int64 accumulator cannot overflow if max|x| * max|w| * terms + max|b| < 2^62 (a conservative
// bound evaluated in double, whose rounding is far below the margin). With int8/int16 data this
// always holds; only absurd int32 operands can trip it.
Status checkAccumulatorBound(const KernelArgs& a, const std::vector<int64_t>& x,
                             const std::vector<int64_t>& w, const std::vector<int64_t>& b, int64_t terms) {
  double bound = static_cast<double>(maxAbs(x)) * static_cast<double>(maxAbs(w)) *
                     static_cast<double>(terms) +
                 static_cast<double>(maxAbs(b));
  if (bound >= std::ldexp(1.0, 62))
    return nodeError(a.node) << "accumulator bound " << bound << " exceeds the interpreter's int64 range";
  return ok();
}

struct ConvDims {
  int64_t N, C, H, W;      // input
  int64_t M, Cg, KH, KW;   // weights [M, C/group, KH, KW]
  int64_t OH, OW;          // output spatial dims (from the registry shape rule)
  int64_t sh, sw, pt, pl;  // strides, top/left pads
  int64_t dh, dw, group;
};

template <typename T>
void convLoop(const ConvDims& d, const T* x, const T* w, const T* b, T* y) {
  const int64_t Mg = d.M / d.group;  // output channels per group
  for (int64_t n = 0; n < d.N; ++n) {
    for (int64_t m = 0; m < d.M; ++m) {
      const int64_t grp = m / Mg;
      const T* xg = x + (n * d.C + grp * d.Cg) * d.H * d.W;  // first input channel of the group
      const T* wm = w + m * d.Cg * d.KH * d.KW;
      T* ym = y + (n * d.M + m) * d.OH * d.OW;
      for (int64_t oh = 0; oh < d.OH; ++oh) {
        for (int64_t ow = 0; ow < d.OW; ++ow) {
          T acc = 0;
          for (int64_t ci = 0; ci < d.Cg; ++ci) {
            const T* xc = xg + ci * d.H * d.W;
            const T* wc = wm + ci * d.KH * d.KW;
            for (int64_t kh = 0; kh < d.KH; ++kh) {
              const int64_t ih = oh * d.sh - d.pt + kh * d.dh;
              // Padded taps are skipped. That equals adding 0 * w for finite w: acc starts at +0
              // and can never become -0, so acc + (+-0) == acc.
              if (ih < 0 || ih >= d.H) continue;
              const T* xrow = xc + ih * d.W;
              const T* wrow = wc + kh * d.KW;
              for (int64_t kw = 0; kw < d.KW; ++kw) {
                const int64_t iw = ow * d.sw - d.pl + kw * d.dw;
                if (iw < 0 || iw >= d.W) continue;
                acc = mac(acc, xrow[iw], wrow[kw]);
              }
            }
          }
          if (b) acc = acc + b[m];
          ym[oh * d.OW + ow] = acc;
        }
      }
    }
  }
}

template <typename T>
void denseLoop(int64_t N, int64_t K, int64_t M, bool transB, const T* x, const T* w, const T* b, T* y) {
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t m = 0; m < M; ++m) {
      T acc = 0;
      for (int64_t k = 0; k < K; ++k) {
        const T wv = transB ? w[m * K + k] : w[k * M + m];
        acc = mac(acc, x[n * K + k], wv);
      }
      if (b) acc = acc + b[m];
      y[n * M + m] = acc;
    }
  }
}

ConvDims convDims(const KernelArgs& a) {
  const Shape& xs = a.inType(0).shape;
  const Shape& ws = a.inType(1).shape;
  const Shape& ys = a.outType().shape;
  const Ints& s = a.node.attrInts("strides");
  const Ints& p = a.node.attrInts("pads");
  const Ints& dl = a.node.attrInts("dilations");
  return ConvDims{xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], ws[3], ys[2], ys[3],
                  s[0],  s[1],  p[0],  p[1],  dl[0], dl[1], a.node.attrInt("group")};
}

// x, w (and the bias when `withBias`) of a fused layer must be integers.
Status checkIntegerOperands(const KernelArgs& a, bool withBias) {
  for (size_t i = 0; i < (withBias ? 3u : 2u); ++i) {
    if (!a.has(i)) continue;
    if (!isInteger(a.inType(i).dtype))
      return nodeError(a.node) << "operand " << i << " '" << a.g.tensor(a.node.inputs[i]).name
                               << "' is " << dtypeName(a.inType(i).dtype)
                               << ", expected an integer type";
  }
  return ok();
}

}  // namespace

Result<std::vector<int64_t>> integerConv2D(const KernelArgs& a, bool withBias) {
  HTVM_TRY(checkIntegerOperands(a, withBias));
  const ConvDims d = convDims(a);
  const bool bias = withBias && a.has(2);
  std::vector<int64_t> x = toInts(a.in(0)), w = toInts(a.in(1));
  std::vector<int64_t> b = bias ? toInts(a.in(2)) : std::vector<int64_t>{};
  HTVM_TRY(checkAccumulatorBound(a, x, w, b, d.Cg * d.KH * d.KW));
  std::vector<int64_t> y(static_cast<size_t>(a.outType().elements()));
  convLoop<int64_t>(d, x.data(), w.data(), bias ? b.data() : nullptr, y.data());
  return y;
}

Result<std::vector<int64_t>> integerDense(const KernelArgs& a, bool withBias) {
  HTVM_TRY(checkIntegerOperands(a, withBias));
  const int64_t N = a.inType(0).shape[0], K = a.inType(0).shape[1];
  const int64_t M = a.outType().shape[1];
  const bool bias = withBias && a.has(2);
  std::vector<int64_t> x = toInts(a.in(0)), w = toInts(a.in(1));
  std::vector<int64_t> b = bias ? toInts(a.in(2)) : std::vector<int64_t>{};
  HTVM_TRY(checkAccumulatorBound(a, x, w, b, K));
  std::vector<int64_t> y(static_cast<size_t>(N * M));
  const bool transB = a.node.attrInt("trans_b") != 0;
  denseLoop<int64_t>(N, K, M, transB, x.data(), w.data(), bias ? b.data() : nullptr, y.data());
  return y;
}

Status conv2dKernel(const KernelArgs& a, Buffer& out) {
  HTVM_TRY(checkOperandKinds(a));
  const ConvDims d = convDims(a);
  const bool hasBias = a.has(2);

  if (!isInteger(a.outType().dtype)) {
    std::vector<float> x = toFloats(a.in(0)), w = toFloats(a.in(1));
    std::vector<float> b = hasBias ? toFloats(a.in(2)) : std::vector<float>{};
    std::vector<float> y(static_cast<size_t>(a.outType().elements()));
    convLoop<float>(d, x.data(), w.data(), hasBias ? b.data() : nullptr, y.data());
    storeFloats(y, out);
    return ok();
  }
  std::vector<int64_t> x = toInts(a.in(0)), w = toInts(a.in(1));
  std::vector<int64_t> b = hasBias ? toInts(a.in(2)) : std::vector<int64_t>{};
  HTVM_TRY(checkAccumulatorBound(a, x, w, b, d.Cg * d.KH * d.KW));
  std::vector<int64_t> y(static_cast<size_t>(a.outType().elements()));
  convLoop<int64_t>(d, x.data(), w.data(), hasBias ? b.data() : nullptr, y.data());
  return storeInts(a, y, out);
}

Status denseKernel(const KernelArgs& a, Buffer& out) {
  HTVM_TRY(checkOperandKinds(a));
  const int64_t N = a.inType(0).shape[0], K = a.inType(0).shape[1];
  const int64_t M = a.outType().shape[1];
  const bool transB = a.node.attrInt("trans_b") != 0;
  const bool hasBias = a.has(2);

  if (!isInteger(a.outType().dtype)) {
    std::vector<float> x = toFloats(a.in(0)), w = toFloats(a.in(1));
    std::vector<float> b = hasBias ? toFloats(a.in(2)) : std::vector<float>{};
    std::vector<float> y(static_cast<size_t>(N * M));
    denseLoop<float>(N, K, M, transB, x.data(), w.data(), hasBias ? b.data() : nullptr, y.data());
    storeFloats(y, out);
    return ok();
  }
  std::vector<int64_t> x = toInts(a.in(0)), w = toInts(a.in(1));
  std::vector<int64_t> b = hasBias ? toInts(a.in(2)) : std::vector<int64_t>{};
  HTVM_TRY(checkAccumulatorBound(a, x, w, b, K));
  std::vector<int64_t> y(static_cast<size_t>(N * M));
  denseLoop<int64_t>(N, K, M, transB, x.data(), w.data(), hasBias ? b.data() : nullptr, y.data());
  return storeInts(a, y, out);
}

}  // namespace htvm::interp
