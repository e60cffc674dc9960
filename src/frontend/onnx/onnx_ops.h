// The ONNX op table: for every ONNX op type htvm accepts, a check that says why a particular
// node cannot be taken (an attribute htvm does not implement, an operand that must be constant)
// and a mapping that adds the equivalent IR nodes. Checks see only attributes and constants,
// never mapped tensors, so the walk can check every node before mapping any and report all
// unsupported nodes in one message; problems that need shapes (ranks, channel counts) surface
// while mapping, as an error for that node. Adding an ONNX op is one entry here.
#pragma once

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>

#include "frontend/onnx/onnx_context.h"

namespace htvm {

struct OnnxOpMapping {
  const char* opType;
  // How many leading inputs are data that must be float32 (-1: all). The others, like Reshape's
  // int64 shape, are constants the mapping reads.
  int dataInputs;
  // Why htvm cannot take this node, e.g. "Gemm with transA=1 not supported"; nullopt if it can.
  std::optional<std::string> (*check)(const ImportContext& ctx, const onnx::NodeProto& node);
  // Adds the IR nodes for a node that passed `check`; `name` is the node's display name.
  Status (*map)(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name);
};

// The mapping of an op type of the default ONNX domain, or nullptr if htvm has none.
const OnnxOpMapping* findOnnxOp(const std::string& opType);

}  // namespace htvm
