// weights.c / weights.h: every constant a node reads, as a const array (flash) of its exact C
// element type. Integer constants print as integers; float constants as the shortest decimal that
// rounds back to the same float32 (see floatLiteral), so the arrays hold the IR values bit-exactly.
#include <fmt/format.h>

#include <cmath>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"

namespace htvm {
namespace {

// Name of the first node reading constant t (for the comment).
std::string firstReader(const Graph& g, TensorId t) {
  for (const Node& n : g.nodes)
    for (TensorId i : n.inputs)
      if (i == t) return n.name;
  return "";
}

std::string valueLiteral(const Tensor& t, double v) {
  if (t.type.dtype == DType::F32) return floatLiteral(static_cast<float>(v));
  HTVM_CHECK(v == std::floor(v) && v >= static_cast<double>(dtypeMin(t.type.dtype)) &&
             v <= static_cast<double>(dtypeMax(t.type.dtype)))
      << "constant '" << t.name << "' holds " << v << ", not a " << dtypeName(t.type.dtype)
      << " value";
  return intLiteral(static_cast<int64_t>(v));
}

std::string declaration(const EmitContext& ctx, TensorId t) {
  const Tensor& c = ctx.g.tensor(t);
  return fmt::format("const {} {}[{}]", cType(c.type.dtype), ctx.constSymbol(t), c.type.elements());
}

}  // namespace

std::string emitWeightsHeader(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("weights.h"));
  w.directive("#ifndef HTVM_WEIGHTS_H");
  w.directive("#define HTVM_WEIGHTS_H");
  w.blank();
  w.directive("#include <stdint.h>");
  w.blank();
  for (size_t t = 0; t < ctx.g.tensors.size(); ++t)
    if (ctx.usedConstant[t]) w.line("extern {};", declaration(ctx, static_cast<TensorId>(t)));
  w.blank();
  w.directive("#endif /* HTVM_WEIGHTS_H */");
  return w.str();
}

std::string emitWeights(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("weights.c"));
  w.directive("#include <math.h>");
  w.directive("#include <stdint.h>");
  w.blank();
  w.directive("#include \"weights.h\"");
  for (size_t ti = 0; ti < ctx.g.tensors.size(); ++ti) {
    if (!ctx.usedConstant[ti]) continue;
    TensorId t = static_cast<TensorId>(ti);
    const Tensor& c = ctx.g.tensor(t);
    HTVM_CHECK(c.type.elements() > 0) << "constant '" << c.name << "' is empty";
    w.blank();
    w.comment(fmt::format("constant '{}' of node '{}': {} ({} bytes)", c.name,
                          firstReader(ctx.g, t), c.type.str(), c.type.bytes()));
    auto arr = w.block(declaration(ctx, t) + " =", "};");
    const size_t perLine = c.type.dtype == DType::F32 ? 6 : 12;
    const std::vector<double>& data = *c.data;
    for (size_t i = 0; i < data.size(); i += perLine) {
      std::string row;
      for (size_t j = i; j < std::min(data.size(), i + perLine); ++j)
        row += (j == i ? "" : " ") + valueLiteral(c, data[j]) + ",";
      w.line(row);
    }
  }
  return w.str();
}

}  // namespace htvm
