// cpu_layers.c: one C function per node, specialised by the node's parameters (loop bounds,
// broadcast strides, constants and dtypes are literals), plus the kernels of the elementwise,
// reduction and data-movement ops. conv2d/dense bodies (and their fused forms) live in
// emit_cpu_conv.cpp and emit_cpu_blocked.cpp, qadd and the requant epilogue in
// emit_cpu_fused.cpp, relayout in emit_relayout.cpp. Nodes placed on an accelerator are emitted
// by emit_accel_layers.cpp instead.
//
// CPU kernels read and write NCHW storage only; relayout is the one kernel that converts (the
// relayout insertion pass places it at every border), and a node that would see another layout is
// reported instead of emitted.
//
// Elementwise kernels may run in place (the output pointer equals an input pointer when the arena
// planner chose so; see arena_planner.h): each computes output element i from element i of that
// input only (an operand of a broadcasting op as large as the output is indexed exactly as the
// output) and reads it before writing it, and no pointer is restrict-qualified.
//
// Integer elementwise arithmetic is computed in int32 when both operands are narrower than 32 bits
// (no overflow is possible for add/sub/mul of int16 values) and in int64 otherwise, then stored in
// the output dtype with a C conversion. Float ops are plain float32 C expressions, except
// quantize_f32, which decodes float bits with integer operations only (no soft-float on rv32imac).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "codegen/c/emit_cpu_kernels.h"
#include "ir/layout.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

// Parameter names of the present inputs, in order.
std::vector<std::string> inputNames(const Node& n) {
  switch (n.op) {
    case OpKind::Conv2D:
    case OpKind::Dense:
    case OpKind::QConv2D:
    case OpKind::QDense: return {"x", "w", "b"};
    case OpKind::AnalogConv2D: return {"x", "w", "k", "l"};
    case OpKind::QAdd:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Max:
    case OpKind::Min: return {"a", "b"};
    default: return {"x"};
  }
}

std::string binaryExpr(OpKind k, const std::string& a, const std::string& b) {
  switch (k) {
    case OpKind::Add: return a + " + " + b;
    case OpKind::Sub: return a + " - " + b;
    case OpKind::Mul: return a + " * " + b;
    case OpKind::Div: return a + " / " + b;
    case OpKind::Max: return "(" + a + " < " + b + ") ? " + b + " : " + a;  // as std::max(a, b)
    case OpKind::Min: return "(" + b + " < " + a + ") ? " + b + " : " + a;  // as std::min(a, b)
    default: break;
  }
  HTVM_CHECK(false) << "not a binary op: " << opName(k);
  return "";
}

// Index of operand `s` (numpy-broadcast to `out`) as an affine expression of loop vars i<k>.
std::string broadcastIndex(const Shape& s, const Shape& out) {
  std::vector<std::pair<std::string, int64_t>> terms;
  size_t off = out.size() - s.size();
  int64_t stride = 1;
  for (size_t k = out.size(); k-- > 0;) {
    int64_t dim = k >= off ? s[k - off] : 1;
    if (dim != 1 && out[k] != 1) terms.insert(terms.begin(), {fmt::format("i{}", k), stride});
    stride *= dim;
  }
  return affine(terms);
}

Status emitBinaryBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const Graph& g = ctx.g;
  const TensorType& ta = g.type(n.inputs[0]);
  const TensorType& tb = g.type(n.inputs[1]);
  const TensorType& ty = g.type(n.outputs[0]);
  const bool isInt = isInteger(ty.dtype);
  if (!isInt && n.op == OpKind::Div && (ta.dtype != DType::F32 || tb.dtype != DType::F32))
    return error() << nodeRef(n) << ": codegen: div needs f32 operands";

  // A flat loop when every operand is either the full output or a single element.
  auto flatIndex = [&](const TensorType& t) -> std::optional<std::string> {
    if (t.elements() == ty.elements()) return std::string("i");
    if (t.elements() == 1) return std::string("0");
    return std::nullopt;
  };
  std::optional<std::string> fa = flatIndex(ta), fb = flatIndex(tb);

  int loops = 0;
  std::string ia, ib, iy;
  if (fa && fb) {
    w.open(fmt::format("for (int32_t i = 0; i < {}; ++i)", ty.elements()));
    ++loops;
    ia = *fa;
    ib = *fb;
    iy = "i";
  } else {
    for (size_t k = 0; k < ty.shape.size(); ++k)
      if (ty.shape[k] != 1) {
        w.open(fmt::format("for (int32_t i{0} = 0; i{0} < {1}; ++i{0})", k, ty.shape[k]));
        ++loops;
      }
    ia = broadcastIndex(ta.shape, ty.shape);
    ib = broadcastIndex(tb.shape, ty.shape);
    iy = broadcastIndex(ty.shape, ty.shape);
  }
  emitBinaryElement(w, n, ta, tb, ty, "a[" + ia + "]", "b[" + ib + "]", "y[" + iy + "]");
  for (; loops > 0; --loops) w.close();
  return ok();
}

Status emitClip(CWriter& w, const Node& n, const TensorType& tx, const TensorType& ty,
                const std::string& x, const std::string& y) {
  double lo = n.attrFloat("lo"), hi = n.attrFloat("hi");
  if (!isInteger(tx.dtype)) {
    w.line("float v = {};", x);
    if (!std::isinf(lo) || lo > 0)
      w.line("if (v < {0}) v = {0};", floatLiteral(static_cast<float>(lo)));
    if (!std::isinf(hi) || hi < 0)
      w.line("if ({0} < v) v = {0};", floatLiteral(static_cast<float>(hi)));
    w.line("{} = v;", y);
    return ok();
  }
  // Integer clip: bounds must be integers (or infinite); bounds outside the input's range are
  // no-ops.
  for (double b : {lo, hi})
    if (!std::isinf(b) && b != std::floor(b))
      return error() << nodeRef(n) << ": codegen: clip bound " << b
                     << " on integer tensor is not an integer";
  const double i32min = static_cast<double>(std::numeric_limits<int32_t>::min());
  const double i32max = static_cast<double>(std::numeric_limits<int32_t>::max());
  if (lo > i32max || hi < i32min)
    return error() << nodeRef(n) << ": codegen: clip range [" << lo << ", " << hi
                   << "] is outside int32";
  w.line("int32_t v = {};", x);
  const bool clipLo = lo > static_cast<double>(dtypeMin(tx.dtype));
  const bool clipHi = hi < static_cast<double>(dtypeMax(tx.dtype));
  if (clipLo && clipHi && lo <= hi) {
    // Both bounds: one unsigned compare tells "in range" (the path taken for most elements, laid
    // out straight), instead of two compares and a merge on every element.
    const int64_t l = static_cast<int64_t>(lo), h = static_cast<int64_t>(hi);
    const std::string out =
        l == 0 ? fmt::format("~(v >> 31) & {}", h)  // v < 0 gives 0, v > hi gives hi
               : fmt::format("v < {} ? {} : {}", intLiteral(l), intLiteral(l), intLiteral(h));
    const std::string test = l == 0 ? "(uint32_t)v"
                                    : fmt::format("(uint32_t)v - (uint32_t){}", intLiteral(l));
    w.line("if (HTVM_UNLIKELY({} > {}u)) v = {};", test, h - l, out);
  } else {
    if (clipLo) w.line("if (v < {0}) v = {0};", intLiteral(static_cast<int64_t>(lo)));
    if (clipHi) w.line("if ({0} < v) v = {0};", intLiteral(static_cast<int64_t>(hi)));
  }
  w.line("{} = ({})v;", y, cType(ty.dtype));
  return ok();
}

// quantize_f32 (op_kind.h). Where the target has an FPU (HTVM_HARD_FLOAT), one multiply, two
// compares and a conversion; elsewhere, without float arithmetic: each float's bits are decoded and
// floor(x * 2^k) computed with shifts, then saturated to [lo, hi]. Derivation, with a = |x|'s bits:
//  - a > 0x7f800000 is a NaN: the node's `nan` value.
//  - |x| >= 2^(B-k), where 2^B >= max(hi + 1, -lo) (B <= 31), covers +-inf too: |x * 2^k| >= 2^B,
//    so x > 0 gives floor >= 2^B > hi, and x < 0 gives floor <= -2^B <= lo. The threshold is the
//    bit pattern of the float 2^(B-k) (float bits of non-negative values order as the values do).
//  - below it, x = sig * 2^(e' - 150) with sig the 24-bit significand (no hidden bit and e' = 1
//    for subnormals), so |x * 2^k| = sig / 2^sh with sh = 150 - k - e' >= -7 (for sh < -7 the
//    value would be >= 2^31 > 2^B): sig << -sh fits 31 bits; for sh > 0, the integer part is
//    sig >> sh (0 once sh >= 24, as sig < 2^24) and the dropped bits f. floor rounds toward -inf:
//    a negative x with f != 0 goes one further down. -0.0 and +0.0 give 0.
Status emitQuantizeF32(CWriter& w, const Node& n, const TensorType& ty, const std::string& x,
                       const std::string& y) {
  const int64_t k = n.attrInt("k"), lo = n.attrInt("lo"), hi = n.attrInt("hi");
  const int64_t nan = n.attrInt("nan");
  if (k < 0 || k > 149 || lo > hi || lo < dtypeMin(ty.dtype) || hi > dtypeMax(ty.dtype) ||
      nan < dtypeMin(ty.dtype) || nan > dtypeMax(ty.dtype))
    return error() << nodeRef(n) << ": codegen: quantize_f32 needs 0 <= k <= 149 and lo <= hi, nan in "
                   << dtypeName(ty.dtype) << ", has k " << k << ", [" << lo << ", " << hi
                   << "], nan " << nan;
  // With an FPU: x * 2^k is exact (a power of two; overflow gives inf, which saturates), and
  // inside (lo, hi) floor is the truncation minus one where it rounded up. Needs 2^k, lo and hi
  // exact in float32; otherwise only the integer decoding below is emitted.
  const bool floatPath = k <= 127 && std::llabs(lo) <= (int64_t{1} << 24) &&
                         std::llabs(hi) <= (int64_t{1} << 24);
  w.line("int32_t v;");
  if (floatPath) {
    const std::string flo = floatLiteral(static_cast<float>(lo));
    const std::string fhi = floatLiteral(static_cast<float>(hi));
    w.directive("#if HTVM_HARD_FLOAT");
    w.line("const float f = {};", k == 0 ? x : fmt::format("{} * {}", x, floatLiteral(std::ldexp(1.0f, static_cast<int>(k)))));
    w.open(fmt::format("if (HTVM_LIKELY(f > {} && f < {}))", flo, fhi));
    w.line("v = HTVM_FLOOR_TO_INT(f);");
    w.close();
    w.open("else");
    w.line("v = f != f ? {} : f <= {} ? {} : {};  /* NaN, or saturates */", intLiteral(nan), flo,
           intLiteral(lo), intLiteral(hi));
    w.close();
    w.directive("#else");
  }
  int b = 0;
  while (b < 31 && (int64_t{1} << b) < std::max<int64_t>(hi + 1, -lo)) ++b;
  const float t = std::ldexp(1.0f, b - static_cast<int>(k));  // 2^(b-k) >= 2^-149: exact
  uint32_t tbits = 0;
  std::memcpy(&tbits, &t, sizeof tbits);
  w.open("");  // the integer decoding's locals
  w.line("uint32_t u;");
  w.line("memcpy(&u, &{}, sizeof u);", x);
  w.line("const uint32_t a = u & 0x7fffffffu;");
  w.open("if (a > 0x7f800000u)");
  w.line("v = {};  /* NaN */", intLiteral(nan));
  w.close();
  w.open(fmt::format("else if (a >= 0x{:08x}u)", tbits));
  w.line("v = (u >> 31) ? {} : {};  /* |x| >= 2^{} (or inf): saturates */", intLiteral(lo),
         intLiteral(hi), b - k);
  w.close();
  w.open("else");
  w.line("const uint32_t e = a >> 23;");
  w.line("const uint32_t sig = e ? ((a & 0x7fffffu) | 0x800000u) : a;");
  w.line("const int32_t sh = {} - (int32_t)(e ? e : 1u);", 150 - k);
  w.line("uint32_t m = 0, f = sig;");
  w.open("if (sh <= 0)");
  w.line("m = sig << -sh;");
  w.line("f = 0;");
  w.close();
  w.open("else if (sh < 24)");
  w.line("m = sig >> sh;");
  w.line("f = sig & ((1u << sh) - 1u);");
  w.close();
  w.open("if (u >> 31)");
  w.line("const uint32_t q = m + (f != 0u);  /* <= 2^31: -q in int32 */");
  w.line("v = q ? -(int32_t)(q - 1u) - 1 : 0;");
  w.close();
  w.open("else");
  w.line("v = (int32_t)m;");
  w.close();
  // Here -2^B <= v <= 2^B - 1 (|x * 2^k| < 2^B): a bound at that edge needs no test.
  if (lo > -(int64_t{1} << b)) w.line("if (v < {0}) v = {0};", intLiteral(lo));
  if (hi < (int64_t{1} << b) - 1) w.line("if (v > {0}) v = {0};", intLiteral(hi));
  w.close();
  w.close();
  if (floatPath) w.directive("#endif");
  w.line("{} = ({})v;", y, cType(ty.dtype));
  return ok();
}

// Elementwise unary ops: one flat loop over all elements.
Status emitUnaryBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const TensorType& tx = ctx.g.type(n.inputs[0]);
  const TensorType& ty = ctx.g.type(n.outputs[0]);
  auto loop = w.block(fmt::format("for (int32_t i = 0; i < {}; ++i)", ty.elements()));
  return emitUnaryElement(w, n, tx, ty, "x[i]", "y[i]");
}

// GlobalAvgPool (float): sum over H then W in row-major order, then divide by (float)(H*W).
// GlobalSum (integer): exact int32 sum.
Status emitGlobalPoolBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const Shape& xs = ctx.g.type(n.inputs[0]).shape;
  const TensorType& ty = ctx.g.type(n.outputs[0]);
  const int64_t planes = xs[0] * xs[1], hw = xs[2] * xs[3];
  const bool isFloat = n.op == OpKind::GlobalAvgPool;
  if (isFloat != (ty.dtype == DType::F32))
    return error() << nodeRef(n) << ": codegen: " << opName(n.op) << " cannot produce " << ty.str();
  auto lp = w.block(fmt::format("for (int32_t p = 0; p < {}; ++p)", planes));
  w.line(isFloat ? "float s = 0.0f;" : "int32_t s = 0;");
  {
    auto li = w.block(fmt::format("for (int32_t i = 0; i < {}; ++i)", hw));
    w.line(isFloat ? "s += x[{}];" : "s += (int32_t)x[{}];", affine({{"p", hw}, {"i", 1}}));
  }
  if (isFloat)
    w.line("y[p] = s / {};", floatLiteral(static_cast<float>(hw)));
  else
    w.line("y[p] = ({})s;", cType(ty.dtype));
  return ok();
}

// Every operand of a CPU kernel other than relayout must be stored in NCHW.
Status checkNchw(const EmitContext& ctx, const Node& n) {
  if (n.op == OpKind::Relayout) return ok();
  std::vector<TensorId> ts(n.inputs);
  ts.push_back(n.outputs[0]);
  for (TensorId t : ts) {
    if (t < 0 || ctx.g.type(t).layout == Layout::NCHW) continue;
    return error() << nodeRef(n) << ": codegen: CPU kernel " << opName(n.op)
                   << " needs NCHW operands, but '" << ctx.g.tensor(t).name << "' is stored as "
                   << layoutName(ctx.g.type(t).layout) << " (a relayout is missing)";
  }
  return ok();
}

}  // namespace

Status emitUnaryElement(CWriter& w, const Node& n, const TensorType& tx, const TensorType& ty,
                        const std::string& x, const std::string& y) {
  const char* outT = cType(ty.dtype);
  switch (n.op) {
    case OpKind::Floor: w.line("{} = floorf({});", y, x); break;
    case OpKind::Clip: return emitClip(w, n, tx, ty, x, y);
    case OpKind::ShiftRight: {
      int64_t sh = n.attrInt("shift");
      if (sh < 0) return error() << nodeRef(n) << ": codegen: negative shift " << sh;
      // floor(x / 2^s) for int32 x is -1 or 0 for every s >= 31, which is what x >> 31 gives.
      w.line("{} = ({})((int32_t){} >> {});", y, outT, x, std::min<int64_t>(sh, 31));
      break;
    }
    case OpKind::FloorDiv: {
      int64_t dv = n.attrInt("divisor");
      if (dv <= 0)
        return error() << nodeRef(n) << ": codegen: floor_div divisor " << dv
                       << " must be positive";
      if (dv > std::numeric_limits<int32_t>::max()) {
        w.line("{} = ({})({} < 0 ? -1 : 0);", y, outT, x);  // |x| < divisor for every int32 x
        break;
      }
      // C division truncates toward zero; step down when a negative quotient was inexact.
      w.line("const int32_t v = {};", x);
      w.line("int32_t q = v / {};", dv);
      if (dv != 1) w.line("if (v % {} != 0 && v < 0) q -= 1;", dv);
      w.line("{} = ({})q;", y, outT);
      break;
    }
    case OpKind::FloorDivF32: {
      float dv = static_cast<float>(n.attrFloat("divisor"));
      w.line("{} = ({})(int32_t)floorf((float){} / {});", y, outT, x, floatLiteral(dv));
      break;
    }
    case OpKind::QuantizeF32: return emitQuantizeF32(w, n, ty, x, y);
    case OpKind::Cast:
    case OpKind::Reshape:  // a copy (the planner did not alias it)
      if (tx.dtype == ty.dtype)
        w.line("{} = {};", y, x);
      else
        w.line("{} = ({}){};", y, outT, x);
      break;
    default: HTVM_CHECK(false) << "not a unary op: " << opName(n.op);
  }
  return ok();
}

void emitBinaryElement(CWriter& w, const Node& n, const TensorType& ta, const TensorType& tb,
                       const TensorType& ty, const std::string& a, const std::string& b,
                       const std::string& y) {
  if (!isInteger(ty.dtype)) {
    w.line("{} = {};", y, binaryExpr(n.op, a, b));
    return;
  }
  const char* calc = (ta.dtype == DType::I32 || tb.dtype == DType::I32) ? "int64_t" : "int32_t";
  w.line("const {0} va = ({0}){1};", calc, a);
  w.line("const {0} vb = ({0}){1};", calc, b);
  w.line("{} = ({})({});", y, cType(ty.dtype), binaryExpr(n.op, "va", "vb"));
}

// No default case: -Wswitch (an error here) names any OpKind added without a CPU kernel.
CpuBodyEmitter cpuBodyEmitter(OpKind k) {
  switch (k) {
    case OpKind::Conv2D:
    case OpKind::QConv2D:
    case OpKind::AnalogConv2D: return emitConvBody;
    case OpKind::Dense:
    case OpKind::QDense: return emitDenseBody;
    case OpKind::QAdd: return emitQAddBody;
    case OpKind::Relayout: return emitRelayoutBody;
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Max:
    case OpKind::Min: return emitBinaryBody;
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalSum: return emitGlobalPoolBody;
    case OpKind::Floor:
    case OpKind::Clip:
    case OpKind::ShiftRight:
    case OpKind::FloorDiv:
    case OpKind::FloorDivF32:
    case OpKind::Cast:
    case OpKind::QuantizeF32:
    case OpKind::Reshape: return emitUnaryBody;
    case OpKind::kCount: break;
  }
  return nullptr;
}

std::string layerParams(const EmitContext& ctx, const Node& n) {
  std::vector<std::string> names = inputNames(n);
  std::string r;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    TensorId t = n.inputs[i];
    if (t < 0) continue;
    HTVM_CHECK(i < names.size()) << nodeRef(n) << " has more inputs than its kernel";
    r += fmt::format("const {}* {}, ", cType(ctx.g.type(t).dtype), names[i]);
  }
  return r + fmt::format("{}* y", cType(ctx.g.type(n.outputs.at(0)).dtype));
}

std::string emitCpuLayersHeader(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("cpu_layers.h"));
  w.directive("#ifndef HTVM_CPU_LAYERS_H");
  w.directive("#define HTVM_CPU_LAYERS_H");
  w.blank();
  w.directive("#include <stdint.h>");
  w.blank();
  for (size_t i = 0; i < ctx.g.nodes.size(); ++i) {
    const Node& n = ctx.g.nodes[i];
    if (ctx.isAliasedReshape(n) || n.accel >= 0 || n.fusedInto >= 0) continue;
    w.line("void {}({});", ctx.layerSymbol(i),
           n.fusedRoot ? chainParams(ctx, i) : layerParams(ctx, n));
  }
  w.blank();
  w.directive("#endif /* HTVM_CPU_LAYERS_H */");
  return w.str();
}

Result<std::string> emitCpuLayers(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("cpu_layers.c"));
  w.directive("#include <math.h>");
  w.directive("#include <stdint.h>");
  for (const Node& n : ctx.g.nodes)
    if (n.op == OpKind::QuantizeF32 && n.accel < 0) {
      w.directive("#include <string.h>");  // memcpy of a float's bits
      break;
    }
  w.blank();
  w.directive("#include \"cpu_layers.h\"");
  w.blank();
  w.comment(
      "Stops the compiler from hoisting every load of an unrolled kernel block above the\n"
      "multiply-adds that use it (which spills accumulators on an in-order RISC-V core); it\n"
      "emits no instruction.");
  w.directive("#if defined(__GNUC__) && defined(__riscv)");
  w.directive("#define HTVM_SCHED_FENCE() __asm__ volatile(\"\" ::: \"memory\")");
  w.directive("#else");
  w.directive("#define HTVM_SCHED_FENCE() ((void)0)");
  w.directive("#endif");
  w.comment(
      "Integer conv/dense bodies: the register-blocked scalar body for small in-order cores (any\n"
      "RISC-V target, or -DHTVM_SCALAR_KERNELS on the host), else a body shaped for\n"
      "auto-vectorisation on wide-SIMD hosts (int16 dot products, static scratch).");
  w.directive("#if defined(__riscv) || defined(HTVM_SCALAR_KERNELS)");
  w.directive("#define HTVM_VECTOR_KERNELS 0");
  w.directive("#else");
  w.directive("#define HTVM_VECTOR_KERNELS 1");
  w.directive("#endif");
  w.comment("Branches the compiler lays out off / on the straight path (a clip's out-of-range fix-up).");
  w.directive("#if defined(__GNUC__)");
  w.directive("#define HTVM_UNLIKELY(c) __builtin_expect(!!(c), 0)");
  w.directive("#define HTVM_LIKELY(c) __builtin_expect(!!(c), 1)");
  w.directive("#else");
  w.directive("#define HTVM_UNLIKELY(c) (c)");
  w.directive("#define HTVM_LIKELY(c) (c)");
  w.directive("#endif");
  if (std::any_of(ctx.g.nodes.begin(), ctx.g.nodes.end(),
                  [](const Node& n) {
                    return (n.op == OpKind::QuantizeF32 || n.op == OpKind::AnalogConv2D) &&
                           n.accel < 0;
                  })) {
    w.comment(
        "Float work in hardware: RISC-V with the F extension, x86, AArch64, Arm with an FPU. Elsewhere\n"
        "the quantizer decodes float bits with integer operations (no soft-float). -DHTVM_HARD_FLOAT=0\n"
        "or =1 overrides.");
    w.directive("#ifndef HTVM_HARD_FLOAT");
    w.directive("#if defined(__riscv)");
    w.directive("#if defined(__riscv_flen)");
    w.directive("#define HTVM_HARD_FLOAT 1");
    w.directive("#else");
    w.directive("#define HTVM_HARD_FLOAT 0");
    w.directive("#endif");
    w.directive("#elif defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__ARM_FP)");
    w.directive("#define HTVM_HARD_FLOAT 1");
    w.directive("#else");
    w.directive("#define HTVM_HARD_FLOAT 0");
    w.directive("#endif");
    w.directive("#endif");
    w.comment(
        "floor(f) as an int32 for f strictly inside the int32 range: RISC-V converts rounding down\n"
        "in one instruction; elsewhere the truncation, one lower where it rounded up.");
    w.directive("#if HTVM_HARD_FLOAT && defined(__riscv_flen) && defined(__GNUC__)");
    w.directive("static inline int32_t htvm_floor_to_int(float f) {");
    w.directive("  int32_t v;");
    w.directive("  __asm__(\"fcvt.w.s %0, %1, rdn\" : \"=r\"(v) : \"f\"(f));");
    w.directive("  return v;");
    w.directive("}");
    w.directive("#define HTVM_FLOOR_TO_INT(f) htvm_floor_to_int(f)");
    w.directive("#else");
    w.directive("#define HTVM_FLOOR_TO_INT(f) ((int32_t)(f) - ((float)(int32_t)(f) > (f)))");
    w.directive("#endif");
  }
  for (size_t i = 0; i < ctx.g.nodes.size(); ++i) {
    const Node& n = ctx.g.nodes[i];
    if (ctx.isAliasedReshape(n)) continue;  // no code: the output aliases the input
    if (n.accel >= 0) continue;             // in accel_layers.c
    if (n.fusedInto >= 0) continue;         // computed in its chain's loop
    w.blank();
    if (n.fusedRoot) {
      std::string members;
      for (size_t m : ctx.chainMembers[i])
        members += fmt::format("\n  '{}' ({})", ctx.g.nodes[m].name, ctx.describe(ctx.g.nodes[m]));
      if (members.empty())
        w.comment(fmt::format("node '{}' ({}), as a chain's loop (any layout, padding unwritten)",
                              n.name, ctx.describe(n)));
      else
        w.comment(fmt::format("fused chain, one loop: node '{}' ({}) computing{}", n.name,
                              ctx.describe(n), members));
      auto fn = w.block(fmt::format("void {}({})", ctx.layerSymbol(i), chainParams(ctx, i)));
      HTVM_TRY(emitChainBody(w, ctx, i));
      continue;
    }
    w.comment(fmt::format("node '{}' ({})\n{}", n.name, ctx.describe(n), ctx.signatureComment(n)));
    auto fn = w.block(fmt::format("void {}({})", ctx.layerSymbol(i), layerParams(ctx, n)));
    CpuBodyEmitter body = cpuBodyEmitter(n.op);
    HTVM_CHECK(body != nullptr) << "no CPU kernel for " << opName(n.op);
    HTVM_TRY(checkNchw(ctx, n));
    HTVM_TRY(body(w, ctx, n));
  }
  return w.str();
}

}  // namespace htvm
