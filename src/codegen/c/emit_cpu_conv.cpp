// Kernel bodies for conv2d and dense and their fused forms (qconv2d, qdense, analog_conv2d),
// specialised per node: shapes, strides, pads, dilations, group, dtypes and the requant/ADC
// parameters are literals. Float: `float acc = 0; acc += x * w` over (ci, kh, kw) or k in
// order, then `acc + b` (no fused multiply-add: the Makefile passes -ffp-contract=off), in the
// plain loop nests below. Integer operands go to the register-blocked kernels of
// emit_cpu_blocked.cpp (rv32) and the auto-vectorisable host kernels of emit_cpu_vector.cpp,
// selected by the preprocessor: int32 accumulation of int32-promoted products, bias added in int32,
// stored in the output dtype. Both finish each output element with emitConvStore (one pass over
// the output, no intermediate int32 tensor): qconv2d/qdense requantize `acc + b`; analog_conv2d
// applies the ADC (floorf of the float32 quotient by the gain, clamped to the ADC range), the
// per-channel BN `a * k[m] + l[m]` in int32 (folded away when it is the identity), then
// requantizes. Padding is zero padding; padded taps are skipped, which gives the same float sum
// as adding 0*w because the accumulator starts at +0 and can never become -0.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "codegen/c/emit_cpu_kernels.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

// Conv/dense operands must be all f32 or all integer (bias included); returns whether integer.
Result<bool> integerOperands(const EmitContext& ctx, const Node& n) {
  bool anyFloat = false, anyInt = false;
  std::string types;
  for (TensorId t : n.inputs) {
    if (t < 0) continue;
    DType d = ctx.g.type(t).dtype;
    (isInteger(d) ? anyInt : anyFloat) = true;
    types += std::string(types.empty() ? "" : ", ") + dtypeName(d);
  }
  DType out = ctx.g.type(n.outputs[0]).dtype;
  (isInteger(out) ? anyInt : anyFloat) = true;
  types += std::string(" -> ") + dtypeName(out);
  if (anyInt && anyFloat)
    return error() << nodeRef(n) << ": codegen: " << opName(n.op)
                   << " operands must be all f32 or all integer, got " << types;
  return anyInt;
}

bool hasBias(const Node& n) {
  return n.op != OpKind::AnalogConv2D && n.inputs.size() > 2 && n.inputs[2] >= 0;
}

bool isFused(const Node& n) {
  return n.op == OpKind::QConv2D || n.op == OpKind::QDense || n.op == OpKind::AnalogConv2D;
}

// Whether every value of constant `t` equals `v`.
bool allEqual(const Graph& g, TensorId t, double v) {
  const Tensor& c = g.tensor(t);
  if (!c.isConstant()) return false;
  for (double e : *c.data)
    if (e != v) return false;
  return true;
}

// analog_conv2d whose per-channel BN is the identity (k = 1, l = 0): the multiply-add is folded.
bool identityBn(const EmitContext& ctx, const Node& n) {
  return allEqual(ctx.g, n.inputs[2], 1.0) && allEqual(ctx.g, n.inputs[3], 0.0);
}

// Integer and fused ops need integer operands; fused ops are integer-only.
Result<bool> checkOperands(const EmitContext& ctx, const Node& n) {
  Result<bool> integer = integerOperands(ctx, n);
  if (!integer.ok()) return integer.diag();
  if (isFused(n) && !integer.value())
    return error() << nodeRef(n) << ": codegen: " << opName(n.op) << " needs integer operands";
  return integer;
}

// ADC step of analog_conv2d on accumulator `acc`: a = clamp(floorf((float)acc / gain), adc_lo,
// adc_hi) as an int32 local.
// The float quotient and floorf are what floor_div_f32 computes. The clamp happens before the
// conversion to int32 (which would be undefined for out-of-range values); bounds within 2^24 are
// exact float32 literals, larger ones are compared in double, where every int32 is exact.
void emitAdc(CWriter& w, const Node& n, const std::string& acc, ClampStyle style) {
  const float gain = static_cast<float>(n.attrFloat("gain"));
  const int64_t lo = n.attrInt("adc_lo"), hi = n.attrInt("adc_hi");
  const bool exactFloat =
      std::llabs(lo) <= (int64_t{1} << 24) && std::llabs(hi) <= (int64_t{1} << 24);
  auto bound = [&](int64_t b) {
    return exactFloat ? floatLiteral(static_cast<float>(b)) : intLiteral(b) + ".0";
  };
  auto clamp = [&] {
    if (style == ClampStyle::Select) {
      w.line("q = q < {0} ? {0} : q;", bound(lo));
      w.line("q = {0} < q ? {0} : q;", bound(hi));
    } else {
      w.line("if (q < {0}) q = {0};", bound(lo));
      w.line("if ({0} < q) q = {0};", bound(hi));
    }
  };
  // With an FPU and float32-exact bounds the quotient is clamped first and floored by the
  // conversion (floor and a clamp to integer bounds commute): no floorf call. With soft-float
  // floorf is the cheaper of the two.
  if (exactFloat) {
    w.directive("#if HTVM_HARD_FLOAT");
    w.line("float q = (float){} / {};", acc, floatLiteral(gain));
    clamp();
    w.line("const int32_t a = HTVM_FLOOR_TO_INT(q);");
    w.directive("#else");
  }
  w.line("{} q = floorf((float){} / {});", exactFloat ? "float" : "double", acc, floatLiteral(gain));
  clamp();
  w.line("const int32_t a = (int32_t)q;");
  if (exactFloat) w.directive("#endif");
}

}  // namespace

ConvShape convShape(const Graph& g, const Node& n) {
  const Shape& xs = g.type(n.inputs[0]).shape;
  const Shape& ws = g.type(n.inputs[1]).shape;
  const Shape& ys = g.type(n.outputs[0]).shape;
  const Ints& s = n.attrInts("strides");
  const Ints& p = n.attrInts("pads");
  const Ints& d = n.attrInts("dilations");
  const int64_t G = n.attrInt("group");
  return {xs[0], xs[1], xs[2], xs[3], ws[0], ws[1], ws[2], ws[3], ys[2], ys[3],
          s[0],  s[1],  d[0],  d[1],  p[0],  p[1],  p[2],  p[3],  G,     ws[0] / G};
}

void emitConvPrologue(CWriter& w, const EmitContext& ctx, const Node& n) {
  if (n.op == OpKind::AnalogConv2D && identityBn(ctx, n)) {
    w.comment("per-channel BN is the identity (k = 1, l = 0): folded");
    w.line("(void)k;");
    w.line("(void)l;");
  }
}

Status emitConvStore(CWriter& w, const EmitContext& ctx, const Node& n, bool integer,
                     const std::string& acc, bool biasAdded, const std::string& dst,
                     const std::string& ch, ClampStyle style) {
  auto requant = [&](const std::string& v) {
    return style == ClampStyle::Select ? emitRequantSelect(w, n, v) : emitRequant(w, n, v);
  };
  const char* outT = cType(ctx.g.type(n.outputs[0]).dtype);
  const bool addBias = hasBias(n) && !biasAdded;
  switch (n.op) {
    case OpKind::QConv2D:
    case OpKind::QDense:
      w.line("int32_t v = {}{};", acc,
             addBias ? fmt::format(" + (int32_t)b[{}]", ch) : std::string());
      HTVM_TRY(requant("v"));
      w.line("{} = ({})v;", dst, outT);
      return ok();
    case OpKind::AnalogConv2D: {
      emitAdc(w, n, acc, style);
      const bool identity = identityBn(ctx, n);
      if (identity)
        w.line("int32_t v = a;");
      else
        w.line("int32_t v = a * (int32_t)k[{0}] + (int32_t)l[{0}];", ch);
      // With the identity BN and no shift, a requant range containing the ADC range is a no-op.
      const bool noop = identity && n.attrInt("shift") == 0 &&
                        n.attrInt("lo") <= n.attrInt("adc_lo") &&
                        n.attrInt("hi") >= n.attrInt("adc_hi");
      if (!noop) HTVM_TRY(requant("v"));
      w.line("{} = ({})v;", dst, outT);
      return ok();
    }
    default: break;
  }
  if (!integer) {
    w.line("{} = {};", dst, addBias ? acc + " + b[" + ch + "]" : acc);
  } else if (addBias) {
    w.line("{} = ({})({} + (int32_t)b[{}]);", dst, outT, acc, ch);
  } else {
    w.line("{} = ({}){};", dst, outT, acc);
  }
  return ok();
}

Status emitConvBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  Result<bool> integer = checkOperands(ctx, n);
  if (!integer.ok()) return integer.diag();
  const Graph& g = ctx.g;
  const Shape& xs = g.type(n.inputs[0]).shape;   // N C H W
  const Shape& ws = g.type(n.inputs[1]).shape;   // M C/group KH KW
  const Shape& ys = g.type(n.outputs[0]).shape;  // N M OH OW
  const Ints& s = n.attrInts("strides");
  const Ints& p = n.attrInts("pads");  // top, left, bottom, right
  const Ints& d = n.attrInts("dilations");
  const int64_t group = n.attrInt("group");
  const int64_t C = xs[1], H = xs[2], W = xs[3];
  const int64_t M = ws[0], Cg = ws[1], KH = ws[2], KW = ws[3];
  const int64_t OH = ys[2], OW = ys[3];
  const bool isInt = integer.value();
  if (isInt) return emitIntegerConvBody(w, ctx, n);

  emitConvPrologue(w, ctx, n);
  auto ln = w.block(fmt::format("for (int32_t n = 0; n < {}; ++n)", xs[0]));
  auto lm = w.block(fmt::format("for (int32_t m = 0; m < {}; ++m)", M));
  if (group > 1) w.line("const int32_t cbase = (m / {}) * {};", M / group, Cg);
  auto loh = w.block(fmt::format("for (int32_t oh = 0; oh < {}; ++oh)", OH));
  auto low = w.block(fmt::format("for (int32_t ow = 0; ow < {}; ++ow)", OW));
  w.line(isInt ? "int32_t acc = 0;" : "float acc = 0.0f;");
  {
    auto lc = w.block(fmt::format("for (int32_t c = 0; c < {}; ++c)", Cg));
    auto lkh = w.block(fmt::format("for (int32_t kh = 0; kh < {}; ++kh)", KH));
    w.line("const int32_t ih = {};", affine({{"oh", s[0]}, {"kh", d[0]}}, -p[0]));
    std::vector<std::string> hChecks;
    if (p[0] > 0) hChecks.push_back("ih < 0");
    if (p[2] > 0) hChecks.push_back(fmt::format("ih >= {}", H));
    if (!hChecks.empty()) w.line("if ({}) continue;", fmt::join(hChecks, " || "));
    auto lkw = w.block(fmt::format("for (int32_t kw = 0; kw < {}; ++kw)", KW));
    w.line("const int32_t iw = {};", affine({{"ow", s[1]}, {"kw", d[1]}}, -p[1]));
    std::vector<std::string> wChecks;
    if (p[1] > 0) wChecks.push_back("iw < 0");
    if (p[3] > 0) wChecks.push_back(fmt::format("iw >= {}", W));
    if (!wChecks.empty()) w.line("if ({}) continue;", fmt::join(wChecks, " || "));
    std::vector<std::pair<std::string, int64_t>> xTerms = {
        {"n", C * H * W}, {"c", H * W}, {"ih", W}, {"iw", 1}};
    if (group > 1) xTerms.insert(xTerms.begin() + 1, {"cbase", H * W});
    std::string xi = affine(xTerms);
    std::string wi = affine({{"m", Cg * KH * KW}, {"c", KH * KW}, {"kh", KW}, {"kw", 1}});
    if (isInt)
      w.line("acc += (int32_t)x[{}] * (int32_t)w[{}];", xi, wi);
    else
      w.line("acc += x[{}] * w[{}];", xi, wi);
  }
  return emitConvStore(
      w, ctx, n, isInt, "acc", false,
      "y[" + affine({{"n", M * OH * OW}, {"m", OH * OW}, {"oh", OW}, {"ow", 1}}) + "]", "m");
}

Status emitDenseBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  Result<bool> integer = checkOperands(ctx, n);
  if (!integer.ok()) return integer.diag();
  const Graph& g = ctx.g;
  const int64_t N = g.type(n.inputs[0]).shape[0], K = g.type(n.inputs[0]).shape[1];
  const int64_t M = g.type(n.outputs[0]).shape[1];
  const bool transB = n.attrInt("trans_b") != 0;  // 1: w is [M, K]; 0: w is [K, M]
  const bool isInt = integer.value();
  if (isInt) return emitIntegerDenseBody(w, ctx, n);

  auto ln = w.block(fmt::format("for (int32_t n = 0; n < {}; ++n)", N));
  auto lm = w.block(fmt::format("for (int32_t m = 0; m < {}; ++m)", M));
  w.line(isInt ? "int32_t acc = 0;" : "float acc = 0.0f;");
  {
    auto lk = w.block(fmt::format("for (int32_t k = 0; k < {}; ++k)", K));
    std::string xi = affine({{"n", K}, {"k", 1}});
    std::string wi = transB ? affine({{"m", K}, {"k", 1}}) : affine({{"k", M}, {"m", 1}});
    if (isInt)
      w.line("acc += (int32_t)x[{}] * (int32_t)w[{}];", xi, wi);
    else
      w.line("acc += x[{}] * w[{}];", xi, wi);
  }
  return emitConvStore(w, ctx, n, isInt, "acc", false, "y[" + affine({{"n", M}, {"m", 1}}) + "]",
                       "m");
}

}  // namespace htvm
