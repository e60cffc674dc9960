// State shared by the graph walk (onnx_import.cpp) and the per-op mappings (onnx_ops.cpp): the
// Graph under construction, the IR tensor each ONNX value became, the decoded constants, and the
// element type of each value as far as it is known before mapping. Constants become IR tensors
// only when a mapping takes them as a tensor input, so operands that a mapping merely reads
// (Reshape's shape, Clip's bounds) never reach the IR. Messages returned here name tensors but
// not the node; the walk prefixes the node.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "frontend/onnx/onnx_tensor.h"
#include "ir/graph.h"
#include "support/diag.h"

namespace htvm {

class ImportContext {
 public:
  explicit ImportContext(int64_t opset) : opset_(opset) {}

  int64_t opset() const { return opset_; }
  Graph& graph() { return graph_; }

  // Decodes all initializers and Constant nodes, and lets Identity nodes of a constant name the
  // same data, so every constant is known before any node is checked or mapped.
  Status collectConstants(const onnx::GraphProto& g);
  const ConstTensor* constant(const std::string& name) const;

  // Element type of a value: from the data for constants, otherwise as recorded by the walk
  // (declared for graph inputs, carried through nodes, all of which keep their input's type).
  std::optional<int32_t> elemType(const std::string& name) const;
  void setElemType(const std::string& name, int32_t t) { elemTypes_[name] = t; }

  // The IR tensor of an ONNX value; a constant is added to the graph (as f32) on first use.
  Result<TensorId> tensor(const std::string& name);
  void bind(const std::string& name, TensorId id) { values_[name] = id; }
  // Every ONNX value mapped so far and its IR tensor.
  const std::map<std::string, TensorId>& values() const { return values_; }

  // Adds `n` with a new f32 output tensor `outName`, shaped by the op registry's rule. The shape
  // must pass the size limit; ONNX shape inference checks it afterwards (onnx_shape_check.h).
  Result<TensorId> emit(Node n, const std::string& outName);

 private:
  int64_t opset_ = 0;
  Graph graph_;
  std::map<std::string, std::shared_ptr<const ConstTensor>> constants_;
  // Keyed by the decoded data so names aliased by Identity share one IR constant.
  std::map<const ConstTensor*, TensorId> materialized_;
  std::map<std::string, int32_t> elemTypes_;
  std::map<std::string, TensorId> values_;
};

}  // namespace htvm
