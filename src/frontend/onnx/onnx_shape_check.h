// Two independent checks of the shapes the mapping computed with the op registry's rules. First,
// every shape the file itself declares (value_info, graph outputs) must match. Second, ONNX shape
// inference, run on the model with those declarations removed, must find the same shapes.
//
// Inference runs after mapping, on a cleaned copy, because ONNX 1.12's inference functions index
// shapes without bounds checks: a Conv whose input was declared with a lower rank than its
// weights reads past the end of a vector (found by the bit-flip tests). Fed only the graph inputs
// and initializers htvm has validated, and nodes whose ranks, attributes and sizes the mapping
// has accepted, it has nothing to trip over.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <string>

#include "ir/graph.h"
#include "support/diag.h"

namespace htvm {

// `values` maps ONNX value names to the IR tensors they became. `model` is modified (declared
// types replaced by inferred ones).
Status crossCheckShapes(onnx::ModelProto& model, const Graph& g, const std::map<std::string, TensorId>& values);

}  // namespace htvm
