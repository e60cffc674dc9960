// The htvm IR graph: tensors (typed, optionally constant), nodes in topological order, graph
// inputs and outputs. A plain data structure: passes are free functions over it, and nothing here
// knows about ONNX, platforms or C. Tensors and nodes are addressed by index (`TensorId`), so
// iteration order — and hence generated code — is deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/op_kind.h"
#include "ir/types.h"
#include "support/diag.h"

namespace htvm {

using TensorId = int32_t;
using Ints = std::vector<int64_t>;
using AttrValue = std::variant<int64_t, double, Ints, std::string>;

struct Tensor {
  std::string name;  // source name (the ONNX value name) for reports and intermediates
  TensorType type;
  // Constant data in row-major order. double holds every int32 and float32 value exactly, so one
  // representation serves all dtypes.
  std::optional<std::vector<double>> data;
  bool isConstant() const { return data.has_value(); }
};

struct Node {
  std::string name;       // source node name (ONNX), shown in errors, reports and C comments
  std::string sourceOp;   // source op type, e.g. "Conv" (informational)
  OpKind op = OpKind::Add;
  std::vector<TensorId> inputs;  // -1 marks an absent optional input
  std::vector<TensorId> outputs;
  std::map<std::string, AttrValue> attrs;
  // Where the node runs: -1 is the host CPU, otherwise the index of an accelerator in the
  // platform description (set by src/partition; the IR itself knows no platform).
  int32_t accel = -1;
  // -1, or the output of the fused CPU chain that computes this node's value inside its own loop
  // (set by passes/fuse_cpu_chains): the node has no kernel and its output no storage of its own.
  // The interpreter ignores it and runs the node as it stands.
  TensorId fusedInto = -1;
  bool fusedRoot = false;  // the node whose loop computes the nodes fused into its output

  // Typed accessors; HTVM_CHECK on a missing or wrongly typed attribute (the verifier checks
  // attributes against the registry first, so a failure here is a compiler bug).
  int64_t attrInt(const std::string& key) const;
  double attrFloat(const std::string& key) const;
  const Ints& attrInts(const std::string& key) const;
  bool hasAttr(const std::string& key) const { return attrs.count(key) != 0; }
};

struct Graph {
  std::string name;
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // topological order
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;

  TensorId addTensor(Tensor t);
  TensorId addConstant(std::string name, TensorType type, std::vector<double> data);
  Node& addNode(Node n);
  Tensor& tensor(TensorId id) { return tensors.at(static_cast<size_t>(id)); }
  const Tensor& tensor(TensorId id) const { return tensors.at(static_cast<size_t>(id)); }
  const TensorType& type(TensorId id) const { return tensor(id).type; }
  std::optional<TensorId> findTensor(const std::string& name) const;
  // Index of the node producing each tensor (-1 for inputs and constants).
  std::vector<int> producers() const;
  // Number of node inputs plus graph outputs reading each tensor.
  std::vector<int> useCounts() const;
};

}  // namespace htvm
