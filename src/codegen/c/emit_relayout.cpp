// The relayout kernel: copies a tensor between two storage layouts (ir/layout.h). Loops run over
// the logical elements (c, h, w for 1xCxHxW tensors, i for [1, N] vectors); each side's storage
// index is the layout's padded position p, then p ^ 3 for the *_REV4 layouts (bytes reversed in
// every 32-bit word), exactly as `physicalIndex` defines it. The destination's padding is zeroed
// first, so padded storage is fully defined. Between two NCHW tensors it is a plain copy.
#include <fmt/format.h>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "ir/layout.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// C expression of the storage index of the logical element at loop variables (c, h, w), or `i` for
// the flat form.
std::string storageIndex(const TensorType& t, bool chw) {
  const int64_t H = chw ? t.shape[2] : 1, W = chw ? t.shape[3] : 1, C = chw ? t.shape[1] : 1;
  switch (t.layout) {
    case Layout::NCHW: return chw ? affine({{"c", H * W}, {"h", W}, {"w", 1}}) : "i";
    case Layout::CHW_W16_REV4: {
      const int64_t W16 = roundUp(W, 16);
      return "(" + affine({{"c", H * W16}, {"h", W16}, {"w", 1}}) + ") ^ 3";
    }
    case Layout::VEC16_REV4: return "i ^ 3";
    case Layout::HWC_C64_REV4: {
      const int64_t C64 = roundUp(C, 64);
      return "(" + affine({{"h", W * C64}, {"w", C64}, {"c", 1}}) + ") ^ 3";
    }
  }
  return "";
}

}  // namespace

Status emitRelayoutBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const TensorType& from = ctx.g.type(n.inputs[0]);
  const TensorType& to = ctx.g.type(n.outputs[0]);
  if (from.dtype != to.dtype || from.shape != to.shape)
    return error() << nodeRef(n) << ": codegen: relayout from " << from.str() << " to " << to.str()
                   << " changes more than the layout";
  if (from.layout == Layout::NCHW && to.layout == Layout::NCHW) {
    auto loop = w.block(fmt::format("for (int32_t i = 0; i < {}; ++i)", to.elements()));
    w.line("y[i] = x[i];");
    return ok();
  }
  for (const TensorType* t : {&from, &to})
    if (!layoutApplies(*t, t->layout))
      return error() << nodeRef(n) << ": codegen: layout " << layoutName(t->layout)
                     << " does not apply to " << t->str();
  // The accelerator layouts are 1xCxHxW or (VEC16) [1, N]; an NCHW side has the other's shape.
  const bool chw = to.shape.size() == 4;
  w.comment(fmt::format("{} -> {}", layoutName(from.layout), layoutName(to.layout)));
  const int64_t storage = storageElements(to);
  if (storage > to.elements()) {
    auto zero = w.block(fmt::format("for (int32_t i = 0; i < {}; ++i)", storage));
    w.line("y[i] = 0;");
  }
  if (chw) {
    auto lc = w.block(fmt::format("for (int32_t c = 0; c < {}; ++c)", to.shape[1]));
    auto lh = w.block(fmt::format("for (int32_t h = 0; h < {}; ++h)", to.shape[2]));
    auto lw = w.block(fmt::format("for (int32_t w = 0; w < {}; ++w)", to.shape[3]));
    w.line("y[{}] = x[{}];", storageIndex(to, true), storageIndex(from, true));
  } else {
    auto li = w.block(fmt::format("for (int32_t i = 0; i < {}; ++i)", to.elements()));
    w.line("y[{}] = x[{}];", storageIndex(to, false), storageIndex(from, false));
  }
  return ok();
}

}  // namespace htvm
