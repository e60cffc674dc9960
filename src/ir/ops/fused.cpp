// Shape rules for the fused integer layers (qconv2d, qdense, qadd, analog_conv2d) and relayout.
// The fused ops reuse the conv2d/dense rules; only their extra operands are checked here.
#include "ir/op_registry.h"

namespace htvm {
namespace {

Result<Shape> perChannel(const Graph& g, const Node& n, size_t input, int64_t channels) {
  const Shape& s = g.type(n.inputs[input]).shape;
  if (s.size() != 1 || s[0] != channels)
    return error() << "per-channel operand " << input << " has shape " << shapeStr(s) << ", expected "
                   << channels;
  return s;
}

Result<Shape> analogConvShape(const Graph& g, const Node& n) {
  Node conv = n;
  conv.inputs = {n.inputs[0], n.inputs[1]};
  Result<Shape> s = OpRegistry::builtin().get(OpKind::Conv2D).shape(g, conv);
  if (!s.ok()) return s;
  for (size_t i = 2; i < 4; ++i) {
    Result<Shape> c = perChannel(g, n, i, s.value()[1]);
    if (!c.ok()) return c.diag();
  }
  return s;
}

Result<Shape> sameAsConv(const Graph& g, const Node& n) {
  return OpRegistry::builtin().get(OpKind::Conv2D).shape(g, n);
}

Result<Shape> sameAsDense(const Graph& g, const Node& n) {
  return OpRegistry::builtin().get(OpKind::Dense).shape(g, n);
}

Result<Shape> addShape(const Graph& g, const Node& n) {
  const Shape& a = g.type(n.inputs[0]).shape;
  const Shape& b = g.type(n.inputs[1]).shape;
  if (a != b) return error() << "qadd operands must have equal shapes, got " << shapeStr(a) << " and " << shapeStr(b);
  return a;
}

Result<Shape> relayoutShape(const Graph& g, const Node& n) { return g.type(n.inputs[0]).shape; }

std::vector<AttrSpec> requantAttrs(std::vector<AttrSpec> base) {
  base.push_back({"shift", AttrKind::Int, true});
  base.push_back({"lo", AttrKind::Int, true});
  base.push_back({"hi", AttrKind::Int, true});
  return base;
}

std::vector<AttrSpec> convAttrs() {
  return {{"strides", AttrKind::Ints, true},
          {"pads", AttrKind::Ints, true},
          {"dilations", AttrKind::Ints, true},
          {"group", AttrKind::Int, true}};
}

}  // namespace

void addFusedOps(OpRegistry& r) {
  r.add({OpKind::QConv2D, "qconv2d", 2, 3, requantAttrs(convAttrs()), DTypeRule::IntOnly, sameAsConv},
        {false, false, convMacs});
  r.add({OpKind::QDense, "qdense", 2, 3, requantAttrs({{"trans_b", AttrKind::Int, true}}), DTypeRule::IntOnly,
         sameAsDense},
        {false, false, denseMacs});
  // requant(a + b) per element: the CPU kernel reads a[i], b[i] before it writes y[i].
  r.add({OpKind::QAdd, "qadd", 2, 2, requantAttrs({}), DTypeRule::IntOnly, addShape}, {true, true, nullptr});
  std::vector<AttrSpec> analog = requantAttrs(convAttrs());
  analog.push_back({"gain", AttrKind::Float, true});
  analog.push_back({"adc_lo", AttrKind::Int, true});
  analog.push_back({"adc_hi", AttrKind::Int, true});
  r.add({OpKind::AnalogConv2D, "analog_conv2d", 4, 4, analog, DTypeRule::IntOnly, analogConvShape},
        {false, false, convMacs});
  r.add({OpKind::Relayout, "relayout", 1, 1, {}, DTypeRule::Any, relayoutShape});
}

}  // namespace htvm
