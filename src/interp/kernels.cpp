// The kernel table (one visible list, no static-constructor registration) and the shared helpers.
#include "interp/kernels.h"

#include <array>

namespace htvm::interp {
namespace {

using KernelTable = std::array<Kernel, static_cast<size_t>(OpKind::kCount)>;

KernelTable buildTable() {
  KernelTable t{};  // entries left null fail the coverage test
  auto set = [&](OpKind k, Kernel fn) { t[static_cast<size_t>(k)] = fn; };
  set(OpKind::Conv2D, conv2dKernel);
  set(OpKind::Dense, denseKernel);
  set(OpKind::Add, addKernel);
  set(OpKind::Sub, subKernel);
  set(OpKind::Mul, mulKernel);
  set(OpKind::Div, divKernel);
  set(OpKind::Max, maxKernel);
  set(OpKind::Min, minKernel);
  set(OpKind::Floor, floorKernel);
  set(OpKind::Clip, clipKernel);
  set(OpKind::GlobalAvgPool, globalAvgPoolKernel);
  set(OpKind::GlobalSum, globalSumKernel);
  set(OpKind::Reshape, reshapeKernel);
  set(OpKind::ShiftRight, shiftRightKernel);
  set(OpKind::FloorDiv, floorDivKernel);
  set(OpKind::FloorDivF32, floorDivF32Kernel);
  set(OpKind::Cast, castKernel);
  set(OpKind::QuantizeF32, quantizeF32Kernel);
  set(OpKind::QConv2D, qconv2dKernel);
  set(OpKind::QDense, qdenseKernel);
  set(OpKind::QAdd, qaddKernel);
  set(OpKind::AnalogConv2D, analogConv2dKernel);
  set(OpKind::Relayout, relayoutKernel);
  return t;
}

}  // namespace

Kernel kernelFor(OpKind k) {
  static const KernelTable table = buildTable();
  size_t i = static_cast<size_t>(k);
  return i < table.size() ? table[i] : nullptr;
}

DiagBuilder nodeError(const Node& n) {
  DiagBuilder b;
  b << nodeRef(n) << ": ";
  return b;
}

std::vector<float> toFloats(const Buffer& b) {
  std::vector<float> v(b.size());
  for (size_t i = 0; i < b.size(); ++i) v[i] = static_cast<float>(b[i]);
  return v;
}

std::vector<int64_t> toInts(const Buffer& b) {
  std::vector<int64_t> v(b.size());
  for (size_t i = 0; i < b.size(); ++i) v[i] = static_cast<int64_t>(b[i]);
  return v;
}

void storeFloats(const std::vector<float>& v, Buffer& out) {
  out.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<double>(v[i]);
}

Status storeInts(const KernelArgs& a, const std::vector<int64_t>& v, Buffer& out) {
  DType t = a.outType().dtype;
  HTVM_CHECK(isInteger(t)) << nodeRef(a.node) << ": integer result stored into " << dtypeName(t);
  const int64_t lo = dtypeMin(t), hi = dtypeMax(t);
  out.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] < lo || v[i] > hi)
      return nodeError(a.node) << "result " << v[i] << " at element " << i << " of '"
                               << a.g.tensor(a.node.outputs[0]).name << "' does not fit "
                               << dtypeName(t) << " [" << lo << ", " << hi << "]";
    out[i] = static_cast<double>(v[i]);
  }
  return ok();
}

int64_t floorDiv(int64_t x, int64_t d) {
  HTVM_CHECK(d > 0) << "floorDiv by " << d;
  int64_t q = x / d;
  if (x % d != 0 && x < 0) --q;  // truncation went up for a negative inexact quotient
  return q;
}

}  // namespace htvm::interp
