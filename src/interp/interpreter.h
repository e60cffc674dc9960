// The reference interpreter: executes any verified IR Graph bit-exactly and serves as the oracle the
// generated C is compared against. Float ops are evaluated in IEEE float32 in the order the IR
// semantics fix (ONNX float semantics); integer ops are computed exactly in int64 and every result is
// checked against its tensor's dtype, so an integer value that does not fit is reported as a Diag
// naming the node (a compiler bug upstream) instead of wrapping silently. The kernels here are
// deliberately plain loops and share no code with the C emitter (src/codegen/c): an oracle that
// reused the emitter's kernels would agree with it even when both are wrong.
#pragma once

#include <vector>

#include "ir/graph.h"
#include "support/diag.h"

namespace htvm::interp {

// One value per element in row-major order. double holds every int32 and float32 value exactly;
// float32 values are stored as (double)(float)value.
using Buffer = std::vector<double>;

// Runs `g` (verified first) on one Buffer per `g.inputs` entry. Input sizes and values are checked:
// integer inputs must be integral and in range of their dtype, float inputs must be float32 values.
// Returns the value of every tensor indexed by TensorId: graph inputs, constants and node outputs;
// tensors that nothing defines stay empty.
Result<std::vector<Buffer>> run(const Graph& g, const std::vector<Buffer>& inputs);

}  // namespace htvm::interp
