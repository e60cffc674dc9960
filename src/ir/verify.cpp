#include "ir/verify.h"

#include "ir/op_registry.h"

namespace htvm {
namespace {

bool attrHasKind(const AttrValue& v, AttrKind k) {
  switch (k) {
    case AttrKind::Int: return std::holds_alternative<int64_t>(v);
    case AttrKind::Float: return std::holds_alternative<double>(v);
    case AttrKind::Ints: return std::holds_alternative<Ints>(v);
  }
  return false;
}

Status verifyNode(const Graph& g, const Node& n, std::vector<char>& defined) {
  const OpDef& def = OpRegistry::builtin().get(n.op);
  auto fail = [&](const std::string& why) -> Status {
    return error() << nodeRef(n) << ": " << def.name << ": " << why;
  };
  int nin = static_cast<int>(n.inputs.size());
  if (nin < def.minInputs || nin > def.maxInputs)
    return fail("expects " + std::to_string(def.minInputs) + ".." + std::to_string(def.maxInputs) +
                " inputs, has " + std::to_string(nin));
  if (n.outputs.size() != 1) return fail("must have exactly one output");
  for (int i = 0; i < nin; ++i) {
    TensorId t = n.inputs[static_cast<size_t>(i)];
    if (t < 0) {
      if (i < def.minInputs) return fail("required input " + std::to_string(i) + " is absent");
      continue;
    }
    if (static_cast<size_t>(t) >= g.tensors.size()) return fail("input id out of range");
    if (!defined[static_cast<size_t>(t)])
      return fail("input '" + g.tensor(t).name + "' is used before it is defined (cycle or bad order)");
  }
  for (const AttrSpec& spec : def.attrs) {
    auto it = n.attrs.find(spec.name);
    if (it == n.attrs.end()) {
      if (spec.required) return fail("missing attribute '" + spec.name + "'");
    } else if (!attrHasKind(it->second, spec.kind)) {
      return fail("attribute '" + spec.name + "' has the wrong kind");
    }
  }
  for (const auto& [key, v] : n.attrs) {
    bool known = false;
    for (const AttrSpec& spec : def.attrs) known |= spec.name == key;
    if (!known) return fail("unknown attribute '" + key + "'");
  }
  // Data inputs (not weights/bias of conv/dense, which are checked by their kernels) obey the rule.
  DType x = g.type(n.inputs[0]).dtype;
  if ((def.dtypes == DTypeRule::FloatOnly || def.dtypes == DTypeRule::FloatToInt) && x != DType::F32)
    return fail(std::string("float-only op applied to ") + dtypeName(x));
  if (def.dtypes == DTypeRule::IntOnly && !isInteger(x))
    return fail("integer-only op applied to f32");
  if (n.op != OpKind::Cast && n.op != OpKind::Conv2D && n.op != OpKind::Dense && nin == 2 &&
      isInteger(x) != isInteger(g.type(n.inputs[1]).dtype))
    return fail("mixes float and integer operands");
  Result<Shape> shape = def.shape(g, n);
  if (!shape.ok()) return fail(shape.diag().message);
  TensorId out = n.outputs[0];
  if (out < 0 || static_cast<size_t>(out) >= g.tensors.size()) return fail("output id out of range");
  if (defined[static_cast<size_t>(out)])
    return fail("output '" + g.tensor(out).name + "' is defined twice");
  if (g.type(out).shape != shape.value())
    return fail("output shape " + shapeStr(g.type(out).shape) + " but rule gives " +
                shapeStr(shape.value()));
  if (def.dtypes == DTypeRule::FloatToInt) {
    if (!isInteger(g.type(out).dtype))
      return fail(std::string("output must be an integer type, is ") + dtypeName(g.type(out).dtype));
  } else if (n.op != OpKind::Cast && isInteger(x) != isInteger(g.type(out).dtype)) {
    return fail("output element type changes between float and integer without a cast");
  }
  defined[static_cast<size_t>(out)] = 1;
  return ok();
}

}  // namespace

Status verify(const Graph& g) {
  std::vector<char> defined(g.tensors.size(), 0);
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (g.tensors[i].isConstant()) defined[i] = 1;
  for (TensorId in : g.inputs) {
    if (in < 0 || static_cast<size_t>(in) >= g.tensors.size()) return error() << "graph input id out of range";
    defined[static_cast<size_t>(in)] = 1;
  }
  for (const Node& n : g.nodes) HTVM_TRY(verifyNode(g, n, defined));
  for (TensorId out : g.outputs) {
    if (out < 0 || static_cast<size_t>(out) >= g.tensors.size() || !defined[static_cast<size_t>(out)])
      return error() << "graph output is never produced";
  }
  if (g.outputs.empty()) return error() << "graph has no outputs";
  return ok();
}

}  // namespace htvm
