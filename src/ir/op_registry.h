// The single op registry: for every OpKind, its display name, arity, attributes and shape rule.
// Everything that needs to know "what is a conv2d" at the IR level asks here (the verifier, the
// printer, passes that create nodes). The interpreter and C emitter each keep one kernel per kind
// and test that their tables cover every entry. Registration is explicit (`builtin()` calls one
// add function per op family), with no static constructors.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace htvm {

enum class AttrKind { Int, Float, Ints };

struct AttrSpec {
  std::string name;
  AttrKind kind;
  bool required;
};

// Which element types an op accepts on its data inputs.
// FloatToInt: an f32 data input and an integer output (the one dtype change besides cast).
enum class DTypeRule { Any, FloatOnly, IntOnly, FloatToInt };

// Output shape from the node and its input types; a Diag names the rule that failed.
using ShapeFn = std::function<Result<Shape>(const Graph&, const Node&)>;

struct OpDef {
  OpKind kind = OpKind::kCount;
  std::string name;
  int minInputs = 1;
  int maxInputs = 1;
  std::vector<AttrSpec> attrs;
  DTypeRule dtypes = DTypeRule::Any;
  ShapeFn shape;
};

class OpRegistry {
 public:
  static const OpRegistry& builtin();
  const OpDef& get(OpKind k) const;
  void add(OpDef def);
  const std::vector<OpDef>& all() const { return defs_; }

 private:
  std::vector<OpDef> defs_;  // indexed by OpKind
};

const char* opName(OpKind k);

// Op family registration, one per file in src/ir/ops/.
void addConvOps(OpRegistry& r);         // conv2d, dense
void addElementwiseOps(OpRegistry& r);  // add, sub, mul, div, max, min, floor, clip, cast, shifts,
                                        // quantize_f32
void addShapeOps(OpRegistry& r);        // reshape, global pools
void addFusedOps(OpRegistry& r);        // qconv2d, qdense, qadd, analog_conv2d, relayout

// Shared shape helpers for the rules.
Result<Shape> broadcastShapes(const Shape& a, const Shape& b);
std::string nodeRef(const Node& n);  // "node 'name' (Conv)"

}  // namespace htvm
