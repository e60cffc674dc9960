#include "frontend/onnx/onnx_shape_check.h"

#include <onnx/shape_inference/implementation.h>

#include "frontend/onnx/onnx_tensor.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

std::string typeShapeStr(const onnx::TensorShapeProto& shape) {
  if (shape.dim_size() == 0) return "scalar";
  std::string s;
  for (int i = 0; i < shape.dim_size(); ++i) {
    const auto& d = shape.dim(i);
    s += i ? "x" : "";
    s += d.has_dim_value() ? std::to_string(d.dim_value()) : d.has_dim_param() ? d.dim_param() : "?";
  }
  return s;
}

// Rank differs, or a dimension the proto knows differs; unknown dimensions agree with anything.
bool disagrees(const onnx::TensorShapeProto& claimed, const Shape& s) {
  if (static_cast<size_t>(claimed.dim_size()) != s.size()) return true;
  for (int i = 0; i < claimed.dim_size(); ++i)
    if (claimed.dim(i).has_dim_value() && claimed.dim(i).dim_value() != s[static_cast<size_t>(i)]) return true;
  return false;
}

class ShapeComparer {
 public:
  ShapeComparer(const Graph& g, const std::map<std::string, TensorId>& values)
      : g_(g), values_(values), producers_(g.producers()) {}

  // `who` says where the claim comes from: "the model declares" or "onnx shape inference gives".
  Status compare(const onnx::ValueInfoProto& v, const char* who) const {
    auto it = values_.find(v.name());
    if (it == values_.end() || !v.type().has_tensor_type()) return ok();
    const int32_t elem = v.type().tensor_type().elem_type();
    // elem_type 0 (UNDEFINED) is "not stated".
    if (elem != onnx::TensorProto::UNDEFINED && elem != onnx::TensorProto::FLOAT && !g_.tensor(it->second).isConstant())
      return where(it->second) << who << " " << onnxTypeName(elem) << " for '" << v.name() << "' but it is float32";
    if (!v.type().tensor_type().has_shape()) return ok();
    const Shape& ir = g_.type(it->second).shape;
    const onnx::TensorShapeProto& claimed = v.type().tensor_type().shape();
    if (!disagrees(claimed, ir)) return ok();
    int p = producers_.at(static_cast<size_t>(it->second));
    DiagBuilder d = where(it->second);
    d << who << " " << typeShapeStr(claimed) << " for '" << v.name() << "' but ";
    if (p >= 0)
      d << "htvm's " << opName(g_.nodes[static_cast<size_t>(p)].op) << " rule gives " << shapeStr(ir);
    else
      d << "htvm has " << shapeStr(ir);
    return Diag(d);
  }

 private:
  DiagBuilder where(TensorId t) const {
    DiagBuilder d;
    int p = producers_.at(static_cast<size_t>(t));
    if (p >= 0) d << nodeRef(g_.nodes[static_cast<size_t>(p)]) << ": ";
    return d;
  }

  const Graph& g_;
  const std::map<std::string, TensorId>& values_;
  std::vector<int> producers_;
};

// Leaves ONNX inference only validated facts: graph inputs (static float32, size-checked) and
// initializers, whose types are set from their data in case the file lists them as inputs too.
void removeDeclaredTypes(onnx::ModelProto& model) {
  onnx::GraphProto& g = *model.mutable_graph();
  g.clear_value_info();
  for (auto& out : *g.mutable_output()) out.clear_type();
  std::map<std::string, const onnx::TensorProto*> inits;
  for (const auto& t : g.initializer()) inits[t.name()] = &t;
  for (auto& in : *g.mutable_input()) {
    auto it = inits.find(in.name());
    if (it == inits.end()) continue;
    in.clear_type();
    auto* tt = in.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(it->second->data_type());
    for (int64_t d : it->second->dims()) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
}

}  // namespace

Status crossCheckShapes(onnx::ModelProto& model, const Graph& g, const std::map<std::string, TensorId>& values) {
  ShapeComparer cmp(g, values);
  for (const auto& v : model.graph().value_info()) HTVM_TRY(cmp.compare(v, "the model declares"));
  for (const auto& v : model.graph().output()) HTVM_TRY(cmp.compare(v, "the model declares"));

  removeDeclaredTypes(model);
  try {
    onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*strict_mode=*/1, /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception& e) {
    return error() << "onnx shape inference failed: " << e.what();
  }
  for (const auto& v : model.graph().value_info()) HTVM_TRY(cmp.compare(v, "onnx shape inference gives"));
  for (const auto& v : model.graph().output()) HTVM_TRY(cmp.compare(v, "onnx shape inference gives"));
  return ok();
}

}  // namespace htvm
