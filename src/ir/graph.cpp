#include "ir/graph.h"

namespace htvm {

int64_t Node::attrInt(const std::string& key) const {
  auto it = attrs.find(key);
  HTVM_CHECK(it != attrs.end() && std::holds_alternative<int64_t>(it->second))
      << "node '" << name << "' has no int attribute '" << key << "'";
  return std::get<int64_t>(it->second);
}

double Node::attrFloat(const std::string& key) const {
  auto it = attrs.find(key);
  HTVM_CHECK(it != attrs.end() && std::holds_alternative<double>(it->second))
      << "node '" << name << "' has no float attribute '" << key << "'";
  return std::get<double>(it->second);
}

const Ints& Node::attrInts(const std::string& key) const {
  auto it = attrs.find(key);
  HTVM_CHECK(it != attrs.end() && std::holds_alternative<Ints>(it->second))
      << "node '" << name << "' has no ints attribute '" << key << "'";
  return std::get<Ints>(it->second);
}

TensorId Graph::addTensor(Tensor t) {
  tensors.push_back(std::move(t));
  return static_cast<TensorId>(tensors.size() - 1);
}

TensorId Graph::addConstant(std::string name, TensorType type, std::vector<double> data) {
  HTVM_CHECK(static_cast<int64_t>(data.size()) == type.elements())
      << "constant '" << name << "' has " << data.size() << " values for " << type.str();
  Tensor t;
  t.name = std::move(name);
  t.type = std::move(type);
  t.data = std::move(data);
  return addTensor(std::move(t));
}

Node& Graph::addNode(Node n) {
  nodes.push_back(std::move(n));
  return nodes.back();
}

std::optional<TensorId> Graph::findTensor(const std::string& name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name) return static_cast<TensorId>(i);
  return std::nullopt;
}

std::vector<int> Graph::producers() const {
  std::vector<int> p(tensors.size(), -1);
  for (size_t i = 0; i < nodes.size(); ++i)
    for (TensorId o : nodes[i].outputs) p.at(static_cast<size_t>(o)) = static_cast<int>(i);
  return p;
}

std::vector<int> Graph::useCounts() const {
  std::vector<int> u(tensors.size(), 0);
  for (const Node& n : nodes)
    for (TensorId i : n.inputs)
      if (i >= 0) ++u.at(static_cast<size_t>(i));
  for (TensorId o : outputs) ++u.at(static_cast<size_t>(o));
  return u;
}

}  // namespace htvm
