#include "frontend/onnx/onnx_node.h"

namespace htvm {

std::string onnxNodeName(const onnx::NodeProto& node, int index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
}

std::string onnxNodeRef(const onnx::NodeProto& node, int index) {
  return "node '" + onnxNodeName(node, index) + "' (" + node.op_type() + ")";
}

const onnx::AttributeProto* findAttr(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t attrInt(const onnx::NodeProto& node, const std::string& name, int64_t dflt) {
  const onnx::AttributeProto* a = findAttr(node, name);
  return a && a->type() == onnx::AttributeProto::INT ? a->i() : dflt;
}

double attrFloat(const onnx::NodeProto& node, const std::string& name, double dflt) {
  const onnx::AttributeProto* a = findAttr(node, name);
  return a && a->type() == onnx::AttributeProto::FLOAT ? a->f() : dflt;
}

std::string attrString(const onnx::NodeProto& node, const std::string& name, const std::string& dflt) {
  const onnx::AttributeProto* a = findAttr(node, name);
  return a && a->type() == onnx::AttributeProto::STRING ? a->s() : dflt;
}

std::optional<std::vector<int64_t>> attrInts(const onnx::NodeProto& node, const std::string& name) {
  const onnx::AttributeProto* a = findAttr(node, name);
  if (!a || a->type() != onnx::AttributeProto::INTS) return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

}  // namespace htvm
