// Shape rules for reshape and the global pooling reductions.
#include "ir/op_registry.h"

namespace htvm {
namespace {

Result<Shape> reshapeShape(const Graph& g, const Node& n) {
  const Ints& s = n.attrInts("shape");
  Shape out(s.begin(), s.end());
  if (numElements(out) != g.type(n.inputs[0]).elements())
    return error() << "cannot reshape " << shapeStr(g.type(n.inputs[0]).shape) << " to " << shapeStr(out);
  return out;
}

Result<Shape> globalPoolShape(const Graph& g, const Node& n) {
  const Shape& x = g.type(n.inputs[0]).shape;
  if (x.size() != 4) return error() << "global pooling needs 4-D NCHW input, got " << shapeStr(x);
  return Shape{x[0], x[1], 1, 1};
}

}  // namespace

void addShapeOps(OpRegistry& r) {
  r.add({OpKind::Reshape, "reshape", 1, 1, {{"shape", AttrKind::Ints, true}}, DTypeRule::Any,
         reshapeShape});
  r.add({OpKind::GlobalAvgPool, "global_avg_pool", 1, 1, {}, DTypeRule::FloatOnly, globalPoolShape});
  r.add({OpKind::GlobalSum, "global_sum", 1, 1, {}, DTypeRule::IntOnly, globalPoolShape});
}

}  // namespace htvm
