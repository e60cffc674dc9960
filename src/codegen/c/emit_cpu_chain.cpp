// A fused CPU chain (passes/fuse_cpu_chains.h) as one loop nest over the root's output: per
// element, every member's value in a local of its output dtype (the narrowest type that holds it
// exactly, the one its own kernel would store), computed by the same per-element statements as
// the member's own kernel (emitUnaryElement / emitBinaryElement), then the root's value stored.
// Each leaf is read at the loop's logical index through its own layout: NCHW leaves broadcast
// numpy-style, accelerator layouts (CHW_W16_REV4, HWC_C64_REV4, VEC16_REV4: padded positions,
// then ^ 3 for the byte-reversed words) are indexed as ir/layout.h's physicalIndex defines. A
// relayout member or root is the identity on values, so a chain between accelerator layers reads
// and writes their layouts with no conversion pass. Padding of a padded root is not written: no
// consumer reads it (the accelerators' jobs read real elements only and an add's padding only
// reaches padding).
#include <fmt/format.h>

#include <algorithm>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "codegen/c/emit_cpu_kernels.h"
#include "ir/layout.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// The loop variable of dimension k of the loop shape, or nothing when that dimension is 1 (no
// loop runs over it).
std::vector<std::pair<std::string, int64_t>> term(const Shape& loop, size_t k, int64_t coef) {
  if (loop[k] == 1) return {};
  return {{fmt::format("i{}", k), coef}};
}

// Storage index of the loop's current element in tensor `t`.
std::string indexIn(const TensorType& t, const Shape& loop) {
  std::vector<std::pair<std::string, int64_t>> terms;
  auto add = [&](size_t k, int64_t coef) {
    for (auto& x : term(loop, k, coef)) terms.push_back(x);
  };
  switch (t.layout) {
    case Layout::NCHW: {
      size_t off = loop.size() - t.shape.size();
      int64_t stride = 1;
      for (size_t k = t.shape.size(); k-- > 0;) {
        if (t.shape[k] != 1) add(k + off, stride);
        stride *= t.shape[k];
      }
      std::reverse(terms.begin(), terms.end());
      return affine(terms);
    }
    case Layout::CHW_W16_REV4: {
      const int64_t H = t.shape[2], W16 = roundUp(t.shape[3], 16);
      add(1, H * W16), add(2, W16), add(3, 1);
      return "(" + affine(terms) + ") ^ 3";
    }
    case Layout::HWC_C64_REV4: {
      const int64_t W = t.shape[3], C64 = roundUp(t.shape[1], 64);
      add(2, W * C64), add(3, C64), add(1, 1);
      return "(" + affine(terms) + ") ^ 3";
    }
    case Layout::VEC16_REV4: add(1, 1); return "(" + affine(terms) + ") ^ 3";
  }
  return "0";
}

std::string valueName(TensorId t) { return fmt::format("v{}", t); }

}  // namespace

std::vector<TensorId> chainLeaves(const EmitContext& ctx, size_t root) {
  const Graph& g = ctx.g;
  std::vector<TensorId> computed, leaves;
  for (size_t m : ctx.chainMembers.at(root)) computed.push_back(g.nodes[m].outputs[0]);
  auto visit = [&](const Node& n) {
    for (TensorId t : n.inputs)
      if (t >= 0 && std::find(computed.begin(), computed.end(), t) == computed.end() &&
          std::find(leaves.begin(), leaves.end(), t) == leaves.end())
        leaves.push_back(t);
  };
  for (size_t m : ctx.chainMembers.at(root)) visit(g.nodes[m]);
  visit(g.nodes[root]);
  return leaves;
}

std::string chainParams(const EmitContext& ctx, size_t root) {
  std::string r;
  std::vector<TensorId> leaves = chainLeaves(ctx, root);
  for (size_t k = 0; k < leaves.size(); ++k)
    r += fmt::format("const {}* x{}, ", cType(ctx.g.type(leaves[k]).dtype), k);
  return r + fmt::format("{}* y", cType(ctx.g.type(ctx.g.nodes[root].outputs[0]).dtype));
}

Status emitChainBody(CWriter& w, const EmitContext& ctx, size_t root) {
  const Graph& g = ctx.g;
  const TensorType& out = g.type(g.nodes[root].outputs[0]);
  const Shape& loop = out.shape;
  const std::vector<TensorId> leaves = chainLeaves(ctx, root);
  int loops = 0;
  for (size_t k = 0; k < loop.size(); ++k)
    if (loop[k] != 1) {
      w.open(fmt::format("for (int32_t i{0} = 0; i{0} < {1}; ++i{0})", k, loop[k]));
      ++loops;
    }
  auto operand = [&](TensorId t) {
    auto it = std::find(leaves.begin(), leaves.end(), t);
    if (it == leaves.end()) return valueName(t);
    return fmt::format("x{}[{}]", it - leaves.begin(), indexIn(g.type(t), loop));
  };
  std::vector<size_t> order = ctx.chainMembers.at(root);
  order.push_back(root);
  for (size_t i : order) {
    const Node& n = g.nodes[i];
    const TensorId o = n.outputs[0];
    const TensorType& ty = g.type(o);
    const bool isRoot = i == root;
    std::string y = isRoot ? fmt::format("y[{}]", indexIn(out, loop)) : valueName(o);
    if (!isRoot) w.line("{} {};", cType(ty.dtype), y);
    auto block = w.block("");
    if (n.op == OpKind::Relayout) {
      w.line("{} = {};", y, operand(n.inputs[0]));
    } else if (n.inputs.size() == 2) {
      const TensorType& ta = g.type(n.inputs[0]);
      const TensorType& tb = g.type(n.inputs[1]);
      if (!isInteger(ty.dtype) && n.op == OpKind::Div &&
          (ta.dtype != DType::F32 || tb.dtype != DType::F32))
        return error() << nodeRef(n) << ": codegen: div needs f32 operands";
      emitBinaryElement(w, n, ta, tb, ty, operand(n.inputs[0]), operand(n.inputs[1]), y);
    } else {
      HTVM_TRY(emitUnaryElement(w, n, g.type(n.inputs[0]), ty, operand(n.inputs[0]), y));
    }
  }
  for (; loops > 0; --loops) w.close();
  return ok();
}

}  // namespace htvm
