// ONNX tensors and value types as htvm sees them: decoding initializer data (raw_data or the
// typed fields) into doubles, and reading static shapes. Everything read from the file is sized
// before it is touched: dimensions must be positive, element counts may not overflow and no
// tensor may exceed kMaxTensorBytes, so a bit-flipped or hostile file yields a Diag instead of a
// huge allocation or an out-of-bounds read.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ir/types.h"
#include "support/diag.h"

namespace htvm {

// No tensor of a TinyML model comes near this; the limit keeps every size in int32 range.
constexpr int64_t kMaxTensorBytes = int64_t{1} << 31;

// Data of an initializer or Constant node. double holds every supported element value exactly
// except int64 beyond 2^53, which only a shape could hold, and shapes that large are rejected.
struct ConstTensor {
  Shape dims;
  std::vector<double> values;
  int32_t elemType = onnx::TensorProto::FLOAT;
};

const char* onnxTypeName(int32_t elemType);  // "float32", "int64", ...

// Element count of a shape whose elements take `elemBytes` each. Fails, naming `what` (e.g.
// "graph input 'x'"), on a dimension below 1 or a byte size above kMaxTensorBytes; never
// overflows.
Result<int64_t> checkedElements(const Shape& dims, int elemBytes, const std::string& what);

// Decodes float32, double, int32, int64, int8 and uint8 tensors; anything else (float16,
// strings, external data, ...) is rejected naming `what`.
Result<ConstTensor> decodeTensor(const onnx::TensorProto& t, const std::string& what);

// The fully static shape of a float32 tensor type; a symbolic, unset or non-positive dimension is an
// error naming `what` and the dimension index.
Result<Shape> staticShape(const onnx::TypeProto& type, const std::string& what);

}  // namespace htvm
