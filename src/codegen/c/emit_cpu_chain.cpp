// A fused CPU chain (passes/fuse_cpu_chains.h) as one loop nest over the root's output: per
// element, every member's value in a local (int32 for integers: a register's width; the tensors'
// narrow dtypes still choose each op's arithmetic width, see localType), computed by the same
// per-element statements as the member's own kernel (emitUnaryElement / emitBinaryElement), then
// the root's value stored in the root's dtype. Pointers are restrict-qualified: a chain never runs
// in place (arena_planner.h), so per-channel constants load once per channel, not per element.
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

using Terms = std::vector<std::pair<std::string, int64_t>>;

// The byte-reversed-word index (sum of terms) ^ 3, written as A + (B ^ 3) with A the terms whose
// coefficient is a multiple of 4: ^ 3 only flips the two low bits, which A cannot change, so the
// xor applies to the loop variable with the odd stride alone (the padded layouts' channel or
// column; rows and pixels are multiples of 4 bytes apart).
std::string reversedWords(const Terms& terms) {
  Terms aligned, rest;
  for (const auto& t : terms) (t.second % 4 == 0 ? aligned : rest).push_back(t);
  std::string low = "(" + affine(rest) + ") ^ 3";
  if (aligned.empty()) return low;
  return affine(aligned) + " + ((" + affine(rest) + ") ^ 3)";
}

// The storage index of the loop's current element in tensor `t`: a sum of loop variables times
// strides, then ^ 3 for the byte-reversed layouts.
struct StorageIndex {
  Terms terms;
  bool reversed = false;
};

StorageIndex storageIndex(const TensorType& t, const Shape& loop) {
  StorageIndex r;
  auto add = [&](size_t k, int64_t coef) {
    for (auto& x : term(loop, k, coef)) r.terms.push_back(x);
  };
  switch (t.layout) {
    case Layout::NCHW: {
      size_t off = loop.size() - t.shape.size();
      int64_t stride = 1;
      for (size_t k = t.shape.size(); k-- > 0;) {
        if (t.shape[k] != 1) add(k + off, stride);
        stride *= t.shape[k];
      }
      std::reverse(r.terms.begin(), r.terms.end());
      return r;
    }
    case Layout::CHW_W16_REV4: {
      const int64_t H = t.shape[2], W16 = roundUp(t.shape[3], 16);
      add(1, H * W16), add(2, W16), add(3, 1);
      break;
    }
    case Layout::HWC_C64_REV4: {
      const int64_t W = t.shape[3], C64 = roundUp(t.shape[1], 64);
      add(2, W * C64), add(3, C64), add(1, 1);
      break;
    }
    case Layout::VEC16_REV4: add(1, 1); break;
  }
  r.reversed = true;
  return r;
}

std::string indexText(const StorageIndex& ix) {
  return ix.reversed ? reversedWords(ix.terms) : affine(ix.terms);
}

// How the unrolled inner loop reaches a tensor: a pointer set before the loop to the element at
// inner position 0, then element u of each group of four at a constant offset from it (the
// pointer steps once per group). On a core without register+register addressing this leaves one
// add per tensor per four elements instead of one per element.
struct Access {
  std::string start;      // storage index at inner position 0 (outer loop variables only)
  int64_t stride = 0;     // storage step per inner step; 0: invariant along the inner loop
  bool xorInner = false;  // the inner variable has the odd stride: element u is at u ^ 3
  std::string offset(const std::string& u) const {
    if (xorInner) return "(" + u + ") ^ 3";
    return stride == 1 ? u : fmt::format("{} * {}", u, stride);
  }
  std::string offset(int64_t u) const {
    return std::to_string(xorInner ? (u ^ 3) : stride * u);
  }
  int64_t groupStep() const { return xorInner ? 4 : 4 * stride; }
};

Result<Access> accessOf(const Node& root, const TensorType& t, const Shape& loop,
                        const std::string& inner) {
  StorageIndex ix = storageIndex(t, loop);
  Access a;
  Terms outer;
  int64_t coef = 0;
  for (const auto& x : ix.terms) {
    if (x.first == inner)
      coef = x.second;
    else
      outer.push_back(x);
  }
  if (!ix.reversed || coef % 4 == 0) {
    a.start = indexText(StorageIndex{outer, ix.reversed});
    a.stride = coef;
    return a;
  }
  // Inner variable in the low bits: it must be the only term there (true of every padded layout:
  // its other strides are multiples of 16), so (start + i) ^ 3 = start + (i ^ 3).
  for (const auto& x : outer)
    if (x.second % 4 != 0 || coef != 1)
      return error() << nodeRef(root) << ": codegen: fused chain cannot index layout " << layoutName(t.layout)
                     << " of shape " << shapeStr(t.shape);
  a.start = affine(outer);
  a.xorInner = true;
  return a;
}

std::string valueName(TensorId t) { return fmt::format("v{}", t); }

// The type of the local holding a member's value. Every integer value the reference interpreter
// accepts fits its tensor's dtype (it range-checks each store), so the narrowing conversion the
// member's own kernel applies never changes a value; an int32 local skips it (on RV32 each int16 or
// int8 narrowing is a shift pair). The operand types passed on stay the tensors' own, so the
// arithmetic width each op picks from them is unchanged. quantize_f32 keeps its dtype: it
// saturates to it.
TensorType localType(const Node& n, TensorType t) {
  if (isInteger(t.dtype) && n.op != OpKind::QuantizeF32) t.dtype = DType::I32;
  return t;
}

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
    r += fmt::format("const {}* restrict x{}, ", cType(ctx.g.type(leaves[k]).dtype), k);
  return r + fmt::format("{}* restrict y", cType(ctx.g.type(ctx.g.nodes[root].outputs[0]).dtype));
}

Status emitChainBody(CWriter& w, const EmitContext& ctx, size_t root) {
  const Graph& g = ctx.g;
  const Node& rootNode = g.nodes[root];
  const TensorType& out = g.type(rootNode.outputs[0]);
  // A pooling root loops over its input and sums each element; the sum is stored once the
  // reduced dimensions (those where the output is 1) are done.
  const bool pooling = rootNode.op == OpKind::GlobalSum || rootNode.op == OpKind::GlobalAvgPool;
  const Shape& loop = pooling ? g.type(rootNode.inputs[0]).shape : out.shape;
  if (pooling && (loop.size() != 4 || out.layout != Layout::NCHW))
    return error() << nodeRef(rootNode) << ": codegen: fused pooling needs a 4-d input and an NCHW "
                   << "output, not " << out.str();
  const std::vector<TensorId> leaves = chainLeaves(ctx, root);
  std::vector<size_t> order = ctx.chainMembers.at(root);
  if (!pooling) order.push_back(root);

  // Loops over every dimension but the innermost one that is not 1; a pooling sum starts before
  // its first reduced dimension (H).
  size_t inner = loop.size();
  for (size_t k = 0; k < loop.size(); ++k)
    if (loop[k] != 1) inner = k;
  const size_t firstReduced = pooling ? 2 : loop.size();
  const char* sumType = rootNode.op == OpKind::GlobalAvgPool ? "float" : "int32_t";
  if (pooling && inner < firstReduced)
    return error() << nodeRef(rootNode) << ": codegen: fused pooling over a 1x1 plane";
  int loops = 0, sumLoops = 0;
  for (size_t k = 0; k < inner; ++k) {
    if (k == firstReduced) w.line("{} s = 0;", sumType);
    if (loop[k] != 1) {
      w.open(fmt::format("for (int32_t i{0} = 0; i{0} < {1}; ++i{0})", k, loop[k]));
      ++(k >= firstReduced ? sumLoops : loops);
    }
  }
  if (pooling && inner == firstReduced) w.line("{} s = 0;", sumType);
  const std::string innerVar = fmt::format("i{}", inner);
  const int64_t n = inner < loop.size() ? loop[inner] : 1;

  // Per leaf (index k) and the root (index leaves.size()): its access, and its name in the loop.
  std::vector<Access> access;
  std::vector<TensorId> tensors = leaves;
  tensors.push_back(rootNode.outputs[0]);
  for (size_t k = 0; k < tensors.size(); ++k) {
    auto a = accessOf(rootNode, g.type(tensors[k]), loop, innerVar);
    if (!a) return a.diag();
    access.push_back(*a);
  }
  auto pointerName = [&](size_t k) {
    return k == leaves.size() ? std::string("py") : fmt::format("p{}", k);
  };
  // Leaves invariant along the inner loop (per-channel constants when channels are outer, scalars)
  // are read once into a local; the others, and the root, get a pointer.
  for (size_t k = 0; k < tensors.size(); ++k) {
    const char* ct = cType(g.type(tensors[k]).dtype);
    const bool isRoot = k == leaves.size();
    if (isRoot && pooling) continue;  // stored after the sum
    const std::string base = isRoot ? "y" : fmt::format("x{}", k);
    if (!isRoot && access[k].stride == 0 && !access[k].xorInner)
      w.line("const {} c{} = {}[{}];", ct, k, base, access[k].start);
    else
      w.line("{}{}* restrict {} = {} + {};", isRoot ? "" : "const ", ct, pointerName(k), base,
             access[k].start.find('^') == std::string::npos ? access[k].start
                                                            : "(" + access[k].start + ")");
  }

  // One element at inner position `u` (a constant, or the remainder loop's variable).
  auto element = [&](auto u) -> Status {
    auto block = w.block("");
    auto at = [&](size_t k) {
      if (k < leaves.size() && access[k].stride == 0 && !access[k].xorInner)
        return fmt::format("c{}", k);
      return fmt::format("{}[{}]", pointerName(k), access[k].offset(u));
    };
    auto operand = [&](TensorId t) {
      auto it = std::find(leaves.begin(), leaves.end(), t);
      if (it == leaves.end()) return valueName(t);
      return at(static_cast<size_t>(it - leaves.begin()));
    };
    for (size_t i : order) {
      const Node& nd = g.nodes[i];
      const TensorId o = nd.outputs[0];
      const bool isRoot = i == root;
      const TensorType ty = isRoot ? g.type(o) : localType(nd, g.type(o));
      std::string y = isRoot ? at(leaves.size()) : valueName(o);
      if (!isRoot) w.line("{} {};", cType(ty.dtype), y);
      auto step = w.block("");
      if (nd.op == OpKind::Relayout) {
        w.line("{} = {};", y, operand(nd.inputs[0]));
      } else if (nd.inputs.size() == 2) {
        const TensorType& ta = g.type(nd.inputs[0]);
        const TensorType& tb = g.type(nd.inputs[1]);
        if (!isInteger(ty.dtype) && nd.op == OpKind::Div &&
            (ta.dtype != DType::F32 || tb.dtype != DType::F32))
          return error() << nodeRef(nd) << ": codegen: div needs f32 operands";
        emitBinaryElement(w, nd, ta, tb, ty, operand(nd.inputs[0]), operand(nd.inputs[1]), y);
      } else {
        HTVM_TRY(emitUnaryElement(w, nd, g.type(nd.inputs[0]), ty, operand(nd.inputs[0]), y));
      }
    }
    if (pooling)  // the same order of float additions as the pooling kernel: row-major
      w.line("s += ({}){};", sumType, operand(rootNode.inputs[0]));
    return ok();
  };
  auto stepPointers = [&](bool group) {
    std::vector<std::string> steps;
    for (size_t k = 0; k < tensors.size(); ++k) {
      if (k < leaves.size() && access[k].stride == 0 && !access[k].xorInner) continue;
      if (k == leaves.size() && pooling) continue;
      const int64_t d = group ? access[k].groupStep() : access[k].stride;
      if (d != 0) steps.push_back(fmt::format("{} += {}", pointerName(k), d));
    }
    return steps;
  };

  // A float sum stays one element per iteration: GCC 12 at -O2 on x86-64 vectorizes the in-order
  // float reduction of an unrolled group into wrong sums (found by the fused-chain property test;
  // -O1, -O3 and clang are right), and the order of float additions is the result.
  if (pooling && rootNode.op == OpKind::GlobalAvgPool) {
    w.open(fmt::format("for (int32_t {0} = 0; {0} < {1}; ++{0})", innerVar, n));
    HTVM_TRY(element(innerVar));
    w.close();
  }
  // Groups of four, then the remainder (fewer than four elements, from the group pointers).
  const bool grouped = !(pooling && rootNode.op == OpKind::GlobalAvgPool);
  const int64_t groups = grouped ? n / 4 : 0, rest = grouped ? n % 4 : 0;
  if (groups > 0) {
    std::string header = fmt::format("for (int32_t {0} = 0; {0} < {1}; {0} += 4", innerVar, groups * 4);
    for (const std::string& st : stepPointers(true)) header += ", " + st;
    w.open(header + ")");
    for (int64_t u = 0; u < 4; ++u) HTVM_TRY(element(u));
    w.close();
  }
  if (rest == 1) {
    HTVM_TRY(element(int64_t{0}));
  } else if (rest > 1) {
    w.open(fmt::format("for (int32_t r = 0; r < {}; ++r)", rest));
    HTVM_TRY(element(std::string("r")));
    w.close();
  }
  for (; sumLoops > 0; --sumLoops) w.close();
  if (pooling) {
    const std::string y = fmt::format("y[{}]", access.back().start);
    if (rootNode.op == OpKind::GlobalAvgPool)
      w.line("{} = s / {};", y, floatLiteral(static_cast<float>(loop[2] * loop[3])));
    else
      w.line("{} = s;", y);
  }
  for (; loops > 0; --loops) w.close();
  return ok();
}

}  // namespace htvm
