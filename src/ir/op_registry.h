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
// Multiply-accumulates a node performs (conv and dense families).
using MacFn = int64_t (*)(const Graph&, const Node&);

// What the planner, the cost model and the emitters ask about an op instead of keeping their own
// lists of kinds.
struct OpProps {
  // Output element i is computed from input element i alone (numpy broadcasting aside): the
  // op maps one loop over the output's elements.
  bool elementwise = false;
  // A CPU kernel of this op may write its output over a same-sized input: every element is read
  // before the same element is written, and nothing else of that input is read afterwards.
  bool inPlaceSafe = false;
  MacFn macs = nullptr;  // null: no multiply-accumulates
};

struct OpDef {
  OpKind kind = OpKind::kCount;
  std::string name;
  int minInputs = 1;
  int maxInputs = 1;
  std::vector<AttrSpec> attrs;
  DTypeRule dtypes = DTypeRule::Any;
  ShapeFn shape;
  OpProps props = {};
};

class OpRegistry {
 public:
  static const OpRegistry& builtin();
  const OpDef& get(OpKind k) const;
  void add(OpDef def, OpProps props = {});
  const std::vector<OpDef>& all() const { return defs_; }

 private:
  std::vector<OpDef> defs_;  // indexed by OpKind
};

const char* opName(OpKind k);
const OpProps& opProps(OpKind k);
// Multiply-accumulates of n by its op's rule (0 for ops without MACs).
int64_t nodeMacs(const Graph& g, const Node& n);

// Op family registration, one per file in src/ir/ops/.
void addConvOps(OpRegistry& r);         // conv2d, dense
void addElementwiseOps(OpRegistry& r);  // add, sub, mul, div, max, min, floor, clip, cast, shifts,
                                        // quantize_f32
void addShapeOps(OpRegistry& r);        // reshape, global pools
void addFusedOps(OpRegistry& r);        // qconv2d, qdense, qadd, analog_conv2d, relayout

// Shared shape helpers for the rules.
Result<Shape> broadcastShapes(const Shape& a, const Shape& b);
std::string nodeRef(const Node& n);  // "node 'name' (Conv)"
// MAC rules shared by the plain and fused conv/dense ops (weights [K, C/group, kh, kw]; x [N, K]).
int64_t convMacs(const Graph& g, const Node& n);
int64_t denseMacs(const Graph& g, const Node& n);

}  // namespace htvm
