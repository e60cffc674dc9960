// Reference kernels for the fused integer layers (qconv2d, qdense, qadd, analog_conv2d) and for
// relayout, from the definitions in op_kind.h: requant(v) = clip(floor(v / 2^shift), lo, hi), and
// the analog ADC step a = clip(floor(fl32(acc) / fl32(gain)), adc_lo, adc_hi) in float32 exactly as
// floor_div_f32 computes it. Values are exact int64. The conv/dense accumulator (bias included) is
// an i32 tensor in the unfused graph, so a value outside int32 is reported here as it would be
// there. Relayout is the identity on logical values; only the output's storage layout differs.
#include <algorithm>
#include <cmath>

#include "interp/kernels.h"
#include "ir/layout.h"

namespace htvm::interp {
namespace {

struct Requant {
  int64_t shift = 0, lo = 0, hi = 0;
  int64_t apply(int64_t v) const {
    return std::min(std::max(floorDiv(v, int64_t{1} << shift), lo), hi);
  }
};

Result<Requant> requantAttrs(const KernelArgs& a) {
  Requant r{a.node.attrInt("shift"), a.node.attrInt("lo"), a.node.attrInt("hi")};
  if (r.shift < 0 || r.shift > 62)
    return nodeError(a.node) << "shift " << r.shift << " is outside [0, 62]";
  return r;
}

Status checkInt32Accumulator(const KernelArgs& a, const std::vector<int64_t>& acc) {
  for (size_t i = 0; i < acc.size(); ++i)
    if (acc[i] < dtypeMin(DType::I32) || acc[i] > dtypeMax(DType::I32))
      return nodeError(a.node) << "accumulator " << acc[i] << " at element " << i
                               << " does not fit i32";
  return ok();
}

// requant over an int32 accumulator, stored in the output dtype.
Status requantLinear(const KernelArgs& a, Result<std::vector<int64_t>> acc, Buffer& out) {
  if (!acc.ok()) return acc.diag();
  HTVM_TRY(checkInt32Accumulator(a, acc.value()));
  Result<Requant> r = requantAttrs(a);
  if (!r.ok()) return r.diag();
  std::vector<int64_t>& y = acc.value();
  for (int64_t& v : y) v = r->apply(v);
  return storeInts(a, y, out);
}

}  // namespace

Status qconv2dKernel(const KernelArgs& a, Buffer& out) {
  return requantLinear(a, integerConv2D(a, true), out);
}

Status qdenseKernel(const KernelArgs& a, Buffer& out) {
  return requantLinear(a, integerDense(a, true), out);
}

Status qaddKernel(const KernelArgs& a, Buffer& out) {
  Result<Requant> r = requantAttrs(a);
  if (!r.ok()) return r.diag();
  const std::vector<int64_t> p = toInts(a.in(0)), q = toInts(a.in(1));  // equal shapes (shape rule)
  std::vector<int64_t> y(p.size());
  for (size_t i = 0; i < y.size(); ++i) y[i] = r->apply(p[i] + q[i]);
  return storeInts(a, y, out);
}

Status analogConv2dKernel(const KernelArgs& a, Buffer& out) {
  Result<std::vector<int64_t>> acc = integerConv2D(a, false);
  if (!acc.ok()) return acc.diag();
  HTVM_TRY(checkInt32Accumulator(a, acc.value()));
  Result<Requant> r = requantAttrs(a);
  if (!r.ok()) return r.diag();
  for (size_t i = 2; i < 4; ++i)
    if (!isInteger(a.inType(i).dtype))
      return nodeError(a.node) << "per-channel operand " << i << " is "
                               << dtypeName(a.inType(i).dtype) << ", expected an integer type";
  const float gain = static_cast<float>(a.node.attrFloat("gain"));
  const double adcLo = static_cast<double>(a.node.attrInt("adc_lo"));
  const double adcHi = static_cast<double>(a.node.attrInt("adc_hi"));
  const std::vector<int64_t> k = toInts(a.in(2)), l = toInts(a.in(3));
  const Shape& ys = a.outType().shape;
  const int64_t plane = ys[2] * ys[3], channels = ys[1];
  std::vector<int64_t>& y = acc.value();
  for (size_t i = 0; i < y.size(); ++i) {
    const float q = std::floor(static_cast<float>(y[i]) / gain);  // all three steps in float32
    if (!(std::fabs(q) < 0x1p62f))
      return nodeError(a.node) << "floor(" << y[i] << " / " << gain << ") in float32 gives " << q
                               << ", not a representable integer";
    const int64_t adc =
        static_cast<int64_t>(std::min(std::max(static_cast<double>(q), adcLo), adcHi));
    const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / plane) % channels);
    y[i] = r->apply(adc * k[c] + l[c]);  // |adc|, |k|, |l| < 2^31: exact in int64
  }
  return storeInts(a, y, out);
}

Status relayoutKernel(const KernelArgs& a, Buffer& out) {
  const TensorType& from = a.inType(0);
  const TensorType& to = a.outType();
  if (from.dtype != to.dtype)
    return nodeError(a.node) << "relayout changes the element type from " << dtypeName(from.dtype)
                             << " to " << dtypeName(to.dtype);
  if (!layoutApplies(to, to.layout))
    return nodeError(a.node) << "layout " << layoutName(to.layout) << " does not apply to "
                             << to.str();
  if (!isInteger(to.dtype)) {
    storeFloats(toFloats(a.in(0)), out);
    return ok();
  }
  return storeInts(a, toInts(a.in(0)), out);
}

}  // namespace htvm::interp
