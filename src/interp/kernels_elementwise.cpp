// Reference kernels for elementwise ops: numpy-broadcasting binary arithmetic, floor, clip, the
// integer divisions (shift_right, floor_div, floor_div_f32) and cast. Float results are computed in
// `float` (one IEEE float32 rounding per operation); integer results in int64, range-checked on store.
#include <algorithm>
#include <cmath>

#include "interp/kernels.h"

namespace htvm::interp {
namespace {

// True if v is an integer small enough to convert to int64 safely; anything that passes and does
// not fit the output dtype is then reported by storeInts with its value.
bool isSafeInteger(double v) { return std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 0x1p62; }

// Applies f elementwise with numpy broadcasting: each input's stride is 0 along the axes it
// broadcasts over, and an odometer over the output index walks both inputs.
template <typename T, typename F>
void broadcastLoop(const Shape& as, const Shape& bs, const Shape& os, const T* a, const T* b, T* y, F f) {
  const size_t rank = os.size();
  auto strides = [rank](const Shape& s) {
    std::vector<int64_t> st(rank, 0);
    int64_t step = 1;
    for (size_t i = s.size(); i-- > 0;) {
      st[rank - s.size() + i] = s[i] == 1 ? 0 : step;
      step *= s[i];
    }
    return st;
  };
  const std::vector<int64_t> sa = strides(as), sb = strides(bs);
  std::vector<int64_t> idx(rank, 0);
  const int64_t total = numElements(os);
  int64_t ia = 0, ib = 0;
  for (int64_t e = 0; e < total; ++e) {
    y[e] = f(a[ia], b[ib]);
    for (size_t ax = rank; ax-- > 0;) {  // advance the odometer, innermost axis first
      ++idx[ax];
      ia += sa[ax];
      ib += sb[ax];
      if (idx[ax] < os[ax]) break;
      ia -= sa[ax] * os[ax];
      ib -= sb[ax] * os[ax];
      idx[ax] = 0;
    }
  }
}

template <typename FloatOp, typename IntOp>
Status binary(const KernelArgs& a, Buffer& out, FloatOp ff, IntOp fi) {
  const Shape& as = a.inType(0).shape;
  const Shape& bs = a.inType(1).shape;
  const Shape& os = a.outType().shape;
  if (!isInteger(a.outType().dtype)) {
    std::vector<float> x = toFloats(a.in(0)), z = toFloats(a.in(1));
    std::vector<float> y(static_cast<size_t>(numElements(os)));
    broadcastLoop<float>(as, bs, os, x.data(), z.data(), y.data(), ff);
    storeFloats(y, out);
    return ok();
  }
  // Operands are at most int32, so sums and products are exact in int64.
  std::vector<int64_t> x = toInts(a.in(0)), z = toInts(a.in(1));
  std::vector<int64_t> y(static_cast<size_t>(numElements(os)));
  broadcastLoop<int64_t>(as, bs, os, x.data(), z.data(), y.data(), fi);
  return storeInts(a, y, out);
}

// An integer-only unary op: f maps each int64 input to its exact int64 result.
template <typename F>
Status unaryInt(const KernelArgs& a, Buffer& out, F f) {
  std::vector<int64_t> x = toInts(a.in(0));
  for (int64_t& v : x) v = f(v);
  return storeInts(a, x, out);
}

}  // namespace

Status addKernel(const KernelArgs& a, Buffer& out) {
  return binary(a, out, [](float p, float q) { return p + q; }, [](int64_t p, int64_t q) { return p + q; });
}

Status subKernel(const KernelArgs& a, Buffer& out) {
  return binary(a, out, [](float p, float q) { return p - q; }, [](int64_t p, int64_t q) { return p - q; });
}

Status mulKernel(const KernelArgs& a, Buffer& out) {
  return binary(a, out, [](float p, float q) { return p * q; }, [](int64_t p, int64_t q) { return p * q; });
}

Status maxKernel(const KernelArgs& a, Buffer& out) {
  return binary(a, out, [](float p, float q) { return std::max(p, q); },
                [](int64_t p, int64_t q) { return std::max(p, q); });
}

Status minKernel(const KernelArgs& a, Buffer& out) {
  return binary(a, out, [](float p, float q) { return std::min(p, q); },
                [](int64_t p, int64_t q) { return std::min(p, q); });
}

Status divKernel(const KernelArgs& a, Buffer& out) {
  HTVM_CHECK(!isInteger(a.outType().dtype)) << nodeRef(a.node) << ": verifier admitted integer div";
  return binary(a, out, [](float p, float q) { return p / q; },
                [](int64_t, int64_t) -> int64_t { return 0; });  // unreachable: div is float-only
}

Status floorKernel(const KernelArgs& a, Buffer& out) {
  std::vector<float> x = toFloats(a.in(0));
  for (float& v : x) v = std::floor(v);  // the float overload: floorf
  storeFloats(x, out);
  return ok();
}

Status clipKernel(const KernelArgs& a, Buffer& out) {
  const double lo = a.node.attrFloat("lo"), hi = a.node.attrFloat("hi");
  if (!isInteger(a.outType().dtype)) {
    const float flo = static_cast<float>(lo), fhi = static_cast<float>(hi);
    std::vector<float> x = toFloats(a.in(0));
    for (float& v : x) v = std::min(std::max(v, flo), fhi);
    storeFloats(x, out);
    return ok();
  }
  // In double, where every int32 input and the bounds are exact; a non-integral bound that ends up
  // selected has no integer result and is reported.
  const Buffer& in = a.in(0);
  std::vector<int64_t> y(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    double r = std::min(std::max(in[i], lo), hi);
    if (!isSafeInteger(r))
      return nodeError(a.node) << "clip of " << in[i] << " to [" << lo << ", " << hi << "] at element "
                               << i << " gives " << r << ", not an integer in range";
    y[i] = static_cast<int64_t>(r);
  }
  return storeInts(a, y, out);
}

Status shiftRightKernel(const KernelArgs& a, Buffer& out) {
  const int64_t shift = a.node.attrInt("shift");
  if (shift < 0 || shift > 62) return nodeError(a.node) << "shift " << shift << " is outside [0, 62]";
  const int64_t d = int64_t{1} << shift;
  return unaryInt(a, out, [d](int64_t v) { return floorDiv(v, d); });
}

Status floorDivKernel(const KernelArgs& a, Buffer& out) {
  const int64_t d = a.node.attrInt("divisor");
  if (d <= 0) return nodeError(a.node) << "divisor " << d << " must be positive";
  return unaryInt(a, out, [d](int64_t v) { return floorDiv(v, d); });
}

Status floorDivF32Kernel(const KernelArgs& a, Buffer& out) {
  const float d = static_cast<float>(a.node.attrFloat("divisor"));
  const Buffer& in = a.in(0);
  std::vector<int64_t> y(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const float q = std::floor(static_cast<float>(in[i]) / d);  // all three steps in float32
    if (!isSafeInteger(static_cast<double>(q)))
      return nodeError(a.node) << "floor(" << in[i] << " / " << d << ") in float32 gives " << q
                               << ", not a representable integer";
    y[i] = static_cast<int64_t>(q);
  }
  return storeInts(a, y, out);
}

Status castKernel(const KernelArgs& a, Buffer& out) {
  const DType from = a.inType(0).dtype, to = a.outType().dtype;
  const Buffer& in = a.in(0);
  if (!isInteger(to)) {
    std::vector<float> y(in.size());
    for (size_t i = 0; i < in.size(); ++i) y[i] = static_cast<float>(in[i]);  // int -> nearest float32
    storeFloats(y, out);
    return ok();
  }
  std::vector<int64_t> y(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    // Float -> int must be lossless; the range against `to` is checked by storeInts.
    if (!isInteger(from) && !isSafeInteger(in[i]))
      return nodeError(a.node) << "cast of " << in[i] << " at element " << i << " to "
                               << dtypeName(to) << ": not an integer in range";
    y[i] = static_cast<int64_t>(in[i]);
  }
  return storeInts(a, y, out);
}

}  // namespace htvm::interp
