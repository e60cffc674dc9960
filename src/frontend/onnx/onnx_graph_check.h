// htvm's own structural checks on an ONNX graph, run before the ONNX checker so the common
// mistakes get short messages naming the node: no real inputs or no outputs, a value defined
// twice, a node reading a value nothing produces (dangling), or reading one that only a later
// node produces (a cycle, or nodes out of topological order). The mapping walks nodes in file
// order and relies on that order being topological.
#pragma once

#include <onnx/onnx_pb.h>

#include "support/diag.h"

namespace htvm {

Status checkGraphStructure(const onnx::GraphProto& g);

}  // namespace htvm
