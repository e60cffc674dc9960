// The ONNX frontend's entry point: turns an ONNX model into a float32 htvm IR Graph. The model is
// parsed, validated with the ONNX checker and shape-inferred by the ONNX library itself, then
// mapped node by node (onnx_ops.cpp holds the per-op table). Every problem comes back as a Diag
// that names the file and, where one is involved, the node: unsupported nodes are collected and
// reported together, so a user sees the whole list of what htvm cannot take in one run.
#pragma once

#include <string>

#include "ir/graph.h"
#include "support/diag.h"

namespace htvm {

// Loads, checks (onnx::checker::check_model) and shape-infers
// (onnx::shape_inference::InferShapes) an ONNX file and maps it to a float32 IR Graph.
Result<Graph> importOnnx(const std::string& path);

// Same, from serialized ModelProto bytes in memory; `displayName` stands in for the file name in
// messages.
Result<Graph> importOnnxBytes(const std::string& bytes, const std::string& displayName);

}  // namespace htvm
