// From bytes to a ModelProto the mapping can trust. Reading tells missing files, directories and
// empty files apart; a scan of the top-level protobuf fields tells a truncated model from bytes
// that are no ONNX model at all (protobuf itself only says "parse failed"); then come htvm's own
// structural checks (onnx_graph_check.h) and the ONNX checker. After `loadModel` succeeds, nodes
// are in topological order and every node's attributes match its schema, which the per-op
// mapping relies on. (ONNX shape inference runs later, see onnx_shape_check.h.) Messages here do
// not name the file: importOnnxBytes prefixes them all.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "support/diag.h"

namespace htvm {

Result<std::string> readFileBytes(const std::string& path);

Result<onnx::ModelProto> loadModel(const std::string& bytes);

}  // namespace htvm
