// The requant epilogue shared by the fused CPU kernels, and the qadd kernel. requant(v) =
// clip(floor(v / 2^shift), lo, hi) on an int32 `v`: the arithmetic right shift is floor division by
// a power of two (as shift_right emits it), and shifts of 31 or more leave -1 or 0, which is what
// `v >> 31` gives. The clamp is written as clip's two comparisons, so lo > hi yields hi as clip
// does, except for the two common ranges, which cost one unsigned comparison when v is in range
// (the usual case) and compute the bound from v's sign otherwise: [0, hi] (ReLU), where an
// out-of-range v becomes ~(v >> 31) & hi, and [-hi - 1, hi] (a signed type's range), where it
// becomes (v >> 31) ^ hi. emitRequantSelect is the branch-free form for wide host cores.
#include <fmt/format.h>

#include <algorithm>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "ir/op_registry.h"

namespace htvm {

namespace {

// The checks and the shift both clamp forms start with.
Status emitRequantShift(CWriter& w, const Node& n, const std::string& v) {
  const int64_t shift = n.attrInt("shift");
  if (shift < 0) return error() << nodeRef(n) << ": codegen: negative shift " << shift;
  for (int64_t b : {n.attrInt("lo"), n.attrInt("hi")})
    if (b < dtypeMin(DType::I32) || b > dtypeMax(DType::I32))
      return error() << nodeRef(n) << ": codegen: requant bound " << b << " is outside int32";
  if (shift > 0) w.line("{} >>= {};", v, std::min<int64_t>(shift, 31));
  return ok();
}

}  // namespace

Status emitRequant(CWriter& w, const Node& n, const std::string& v) {
  const int64_t lo = n.attrInt("lo"), hi = n.attrInt("hi");
  HTVM_TRY(emitRequantShift(w, n, v));
  if (lo == 0 && hi > 0 && hi < dtypeMax(DType::I32)) {
    w.line("if ((uint32_t){0} > {1}u) {0} = ~({0} >> 31) & {1};", v, hi);
    return ok();
  }
  if (hi >= 0 && lo == -hi - 1 && hi < dtypeMax(DType::I32)) {
    w.line("if ((uint32_t){0} + {1}u > {2}u) {0} = ({0} >> 31) ^ {3};", v, hi + 1, 2 * hi + 1, hi);
    return ok();
  }
  if (lo > dtypeMin(DType::I32)) w.line("if ({0} < {1}) {0} = {1};", v, intLiteral(lo));
  if (hi < dtypeMax(DType::I32)) w.line("if ({1} < {0}) {0} = {1};", v, intLiteral(hi));
  return ok();
}

Status emitRequantSelect(CWriter& w, const Node& n, const std::string& v) {
  const int64_t lo = n.attrInt("lo"), hi = n.attrInt("hi");
  HTVM_TRY(emitRequantShift(w, n, v));
  if (lo > dtypeMin(DType::I32)) w.line("{0} = {0} < {1} ? {1} : {0};", v, intLiteral(lo));
  if (hi < dtypeMax(DType::I32)) w.line("{0} = {1} < {0} ? {1} : {0};", v, intLiteral(hi));
  return ok();
}

// qadd: one flat loop; operands of at most 16 bits, so their sum is exact in int32.
Status emitQAddBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const TensorType& ty = ctx.g.type(n.outputs[0]);
  for (TensorId t : n.inputs) {
    DType d = ctx.g.type(t).dtype;
    if (d != DType::I8 && d != DType::I16)
      return error() << nodeRef(n) << ": codegen: qadd operands must be i8 or i16, got "
                     << dtypeName(d);
  }
  auto loop = w.block(fmt::format("for (int32_t i = 0; i < {}; ++i)", ty.elements()));
  w.line("int32_t v = (int32_t)a[i] + (int32_t)b[i];");
  HTVM_TRY(emitRequant(w, n, "v"));
  w.line("y[i] = ({})v;", cType(ty.dtype));
  return ok();
}

}  // namespace htvm
