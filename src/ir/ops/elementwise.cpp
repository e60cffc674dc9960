// Shape rules for elementwise ops: binary ops broadcast numpy-style, unary ops keep the shape.
#include "ir/op_registry.h"

namespace htvm {
namespace {

Result<Shape> binaryShape(const Graph& g, const Node& n) {
  return broadcastShapes(g.type(n.inputs[0]).shape, g.type(n.inputs[1]).shape);
}

Result<Shape> unaryShape(const Graph& g, const Node& n) { return g.type(n.inputs[0]).shape; }

OpDef binary(OpKind k, const char* name, DTypeRule rule) {
  return {k, name, 2, 2, {}, rule, binaryShape};
}

OpDef unary(OpKind k, const char* name, std::vector<AttrSpec> attrs, DTypeRule rule) {
  return {k, name, 1, 1, std::move(attrs), rule, unaryShape};
}

// Every elementwise kernel here reads x[i] (and b[i]) before writing y[i] and nothing after.
constexpr OpProps kInPlace{true, true, nullptr};

}  // namespace

void addElementwiseOps(OpRegistry& r) {
  r.add(binary(OpKind::Add, "add", DTypeRule::Any), kInPlace);
  r.add(binary(OpKind::Sub, "sub", DTypeRule::Any), kInPlace);
  r.add(binary(OpKind::Mul, "mul", DTypeRule::Any), kInPlace);
  r.add(binary(OpKind::Div, "div", DTypeRule::FloatOnly), kInPlace);
  r.add(binary(OpKind::Max, "max", DTypeRule::Any), kInPlace);
  r.add(binary(OpKind::Min, "min", DTypeRule::Any), kInPlace);
  r.add(unary(OpKind::Floor, "floor", {}, DTypeRule::FloatOnly), kInPlace);
  r.add(unary(OpKind::Clip, "clip", {{"lo", AttrKind::Float, true}, {"hi", AttrKind::Float, true}},
              DTypeRule::Any),
        kInPlace);
  r.add(unary(OpKind::ShiftRight, "shift_right", {{"shift", AttrKind::Int, true}}, DTypeRule::IntOnly), kInPlace);
  r.add(unary(OpKind::FloorDiv, "floor_div", {{"divisor", AttrKind::Int, true}}, DTypeRule::IntOnly), kInPlace);
  r.add(unary(OpKind::FloorDivF32, "floor_div_f32", {{"divisor", AttrKind::Float, true}},
              DTypeRule::IntOnly),
        kInPlace);
  r.add(unary(OpKind::Cast, "cast", {}, DTypeRule::Any), kInPlace);
  r.add(unary(OpKind::QuantizeF32, "quantize_f32",
              {{"k", AttrKind::Int, true},
               {"lo", AttrKind::Int, true},
               {"hi", AttrKind::Int, true},
               {"nan", AttrKind::Int, true}},
              DTypeRule::FloatToInt),
        // Elementwise, but not offered for in-place: its emitted kernel (bit-level float decoding)
        // has not been reviewed for writing over its input, and its output is narrower anyway.
        OpProps{true, false, nullptr});
}

}  // namespace htvm
