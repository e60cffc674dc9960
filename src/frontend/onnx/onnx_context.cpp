#include "frontend/onnx/onnx_context.h"

#include "frontend/onnx/onnx_node.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

// The Constant node's value in any of its attribute spellings (opset 1..13).
Result<ConstTensor> decodeConstantNode(const onnx::NodeProto& node, const std::string& what) {
  for (const auto& a : node.attribute()) {
    ConstTensor c;
    if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR) return decodeTensor(a.t(), what);
    if (a.name() == "value_float") {
      c.values = {a.f()};
    } else if (a.name() == "value_floats") {
      c.values.assign(a.floats().begin(), a.floats().end());
      c.dims = {static_cast<int64_t>(c.values.size())};
    } else if (a.name() == "value_int") {
      c.elemType = onnx::TensorProto::INT64;
      c.values = {static_cast<double>(a.i())};
    } else if (a.name() == "value_ints") {
      c.elemType = onnx::TensorProto::INT64;
      for (int64_t v : a.ints()) c.values.push_back(static_cast<double>(v));
      c.dims = {static_cast<int64_t>(c.values.size())};
    } else {
      return error() << what << " has a '" << a.name() << "' value, which is not supported";
    }
    if (c.values.empty()) return error() << what << " is empty";
    return c;
  }
  return error() << what << " has no value";
}

}  // namespace

Status ImportContext::collectConstants(const onnx::GraphProto& g) {
  for (const auto& t : g.initializer()) {
    Result<ConstTensor> c = decodeTensor(t, "initializer '" + t.name() + "'");
    if (!c.ok()) return c.diag();
    constants_[t.name()] = std::make_shared<const ConstTensor>(std::move(c.value()));
  }
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& node = g.node(i);
    if (!node.domain().empty() && node.domain() != "ai.onnx") continue;
    if (node.op_type() == "Constant" && node.output_size() == 1) {
      Result<ConstTensor> c = decodeConstantNode(node, onnxNodeRef(node, i));
      if (!c.ok()) return c.diag();
      constants_[node.output(0)] = std::make_shared<const ConstTensor>(std::move(c.value()));
    } else if (node.op_type() == "Identity" && node.input_size() == 1 && node.output_size() == 1) {
      auto it = constants_.find(node.input(0));
      if (it != constants_.end()) constants_[node.output(0)] = it->second;
    }
  }
  return ok();
}

const ConstTensor* ImportContext::constant(const std::string& name) const {
  auto it = constants_.find(name);
  return it == constants_.end() ? nullptr : it->second.get();
}

std::optional<int32_t> ImportContext::elemType(const std::string& name) const {
  if (const ConstTensor* c = constant(name)) return c->elemType;
  auto it = elemTypes_.find(name);
  if (it == elemTypes_.end()) return std::nullopt;
  return it->second;
}

Result<TensorId> ImportContext::tensor(const std::string& name) {
  auto v = values_.find(name);
  if (v != values_.end()) return v->second;
  auto c = constants_.find(name);
  if (c == constants_.end()) return error() << "input '" << name << "' has not been defined";
  auto m = materialized_.find(c->second.get());
  if (m != materialized_.end()) return m->second;
  Result<int64_t> count = checkedElements(c->second->dims, 4, "constant '" + name + "'");
  if (!count.ok()) return count.diag();
  TensorId id = graph_.addConstant(name, {DType::F32, c->second->dims}, c->second->values);
  materialized_[c->second.get()] = id;
  values_[name] = id;
  return id;
}

Result<TensorId> ImportContext::emit(Node n, const std::string& outName) {
  const OpDef& def = OpRegistry::builtin().get(n.op);
  Result<Shape> shape = def.shape(graph_, n);
  if (!shape.ok()) return error() << def.name << ": " << shape.diag().message;
  Result<int64_t> count = checkedElements(shape.value(), 4, "output '" + outName + "'");
  if (!count.ok()) return count.diag();
  TensorId id = graph_.addTensor({outName, {DType::F32, shape.value()}, std::nullopt});
  n.outputs = {id};
  graph_.addNode(std::move(n));
  values_[outName] = id;
  return id;
}

}  // namespace htvm
