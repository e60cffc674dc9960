// Kernel bodies for conv2d and dense, specialised per node: shapes, strides, pads, dilations,
// group and dtypes are literals. Float: `float acc = 0; acc += x * w` over (ci, kh, kw) or k in
// order, then `acc + b` (no fused multiply-add: the Makefile passes -ffp-contract=off). Integer:
// int32 accumulation of int32-promoted products, bias added in int32, stored in the output dtype.
// Padding is zero padding; padded taps are skipped, which gives the same float sum as adding 0*w
// because the accumulator starts at +0 and can never become -0.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
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

bool hasBias(const Node& n) { return n.inputs.size() > 2 && n.inputs[2] >= 0; }

// Final store of the accumulator (with bias) into y[idx].
void emitStore(CWriter& w, const EmitContext& ctx, const Node& n, bool integer,
               const std::string& idx, const std::string& biasIdx) {
  if (!integer) {
    w.line("y[{}] = {};", idx, hasBias(n) ? "acc + b[" + biasIdx + "]" : std::string("acc"));
    return;
  }
  const char* outT = cType(ctx.g.type(n.outputs[0]).dtype);
  if (hasBias(n))
    w.line("y[{}] = ({})(acc + (int32_t)b[{}]);", idx, outT, biasIdx);
  else
    w.line("y[{}] = ({})acc;", idx, outT);
}

}  // namespace

Status emitConvBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  Result<bool> integer = integerOperands(ctx, n);
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
  emitStore(w, ctx, n, isInt, affine({{"n", M * OH * OW}, {"m", OH * OW}, {"oh", OW}, {"ow", 1}}),
            "m");
  return ok();
}

Status emitDenseBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  Result<bool> integer = integerOperands(ctx, n);
  if (!integer.ok()) return integer.diag();
  const Graph& g = ctx.g;
  const int64_t N = g.type(n.inputs[0]).shape[0], K = g.type(n.inputs[0]).shape[1];
  const int64_t M = g.type(n.outputs[0]).shape[1];
  const bool transB = n.attrInt("trans_b") != 0;  // 1: w is [M, K]; 0: w is [K, M]
  const bool isInt = integer.value();

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
  emitStore(w, ctx, n, isInt, affine({{"n", M}, {"m", 1}}), "m");
  return ok();
}

}  // namespace htvm
