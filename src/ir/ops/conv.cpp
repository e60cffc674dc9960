// Shape rules for conv2d and dense.
#include "ir/op_registry.h"

namespace htvm {
namespace {

Result<Shape> conv2dShape(const Graph& g, const Node& n) {
  const Shape& x = g.type(n.inputs[0]).shape;
  const Shape& w = g.type(n.inputs[1]).shape;
  if (x.size() != 4) return error() << "input must be 4-D NCHW, got " << shapeStr(x);
  if (w.size() != 4) return error() << "weights must be 4-D OIHW, got " << shapeStr(w);
  const Ints& s = n.attrInts("strides");
  const Ints& p = n.attrInts("pads");
  const Ints& d = n.attrInts("dilations");
  int64_t group = n.attrInt("group");
  if (s.size() != 2 || p.size() != 4 || d.size() != 2)
    return error() << "strides/pads/dilations must have 2/4/2 entries";
  if (group < 1 || x[1] % group != 0 || w[0] % group != 0)
    return error() << "group " << group << " does not divide channels " << x[1] << " -> " << w[0];
  if (w[1] * group != x[1])
    return error() << "weights expect " << w[1] * group << " input channels, input has " << x[1];
  for (int64_t v : s)
    if (v < 1) return error() << "stride " << v << " must be positive";
  for (int64_t v : d)
    if (v < 1) return error() << "dilation " << v << " must be positive";
  for (int64_t v : p)
    if (v < 0) return error() << "pad " << v << " must not be negative";
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Shape& b = g.type(n.inputs[2]).shape;
    if (b.size() != 1 || b[0] != w[0])
      return error() << "bias shape " << shapeStr(b) << " does not match " << w[0] << " output channels";
  }
  Shape out{x[0], w[0], 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t in = x[2 + i] + p[i] + p[2 + i];
    int64_t k = d[i] * (w[2 + i] - 1) + 1;
    if (in < k) return error() << "kernel " << w[2] << "x" << w[3] << " larger than padded input";
    out[2 + i] = (in - k) / s[i] + 1;
  }
  return out;
}

Result<Shape> denseShape(const Graph& g, const Node& n) {
  const Shape& x = g.type(n.inputs[0]).shape;
  const Shape& w = g.type(n.inputs[1]).shape;
  if (x.size() != 2 || w.size() != 2)
    return error() << "dense needs 2-D input and weights, got " << shapeStr(x) << " and " << shapeStr(w);
  bool tb = n.attrInt("trans_b") != 0;
  int64_t k = tb ? w[1] : w[0];
  int64_t m = tb ? w[0] : w[1];
  if (k != x[1]) return error() << "weights " << shapeStr(w) << " do not match input " << shapeStr(x);
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Shape& b = g.type(n.inputs[2]).shape;
    if (numElements(b) != m)
      return error() << "bias shape " << shapeStr(b) << " does not match " << m << " outputs";
  }
  return Shape{x[0], m};
}

}  // namespace

int64_t convMacs(const Graph& g, const Node& n) {
  const Shape& w = g.type(n.inputs[1]).shape;  // [K, C/g, kh, kw]
  return g.type(n.outputs[0]).elements() * w[1] * w[2] * w[3];
}

int64_t denseMacs(const Graph& g, const Node& n) {
  return g.type(n.outputs[0]).elements() * g.type(n.inputs[0]).shape.back();
}

void addConvOps(OpRegistry& r) {
  r.add({OpKind::Conv2D, "conv2d", 2, 3,
         {{"strides", AttrKind::Ints, true},
          {"pads", AttrKind::Ints, true},
          {"dilations", AttrKind::Ints, true},
          {"group", AttrKind::Int, true}},
         DTypeRule::Any, conv2dShape},
        {false, false, convMacs});
  r.add({OpKind::Dense, "dense", 2, 3, {{"trans_b", AttrKind::Int, true}}, DTypeRule::Any, denseShape},
        {false, false, denseMacs});
}

}  // namespace htvm
