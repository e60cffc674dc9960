// Tensor types of the htvm IR: element type, shape and memory layout. The IR is deliberately small:
// four element types cover Quantlib graphs (float32 before integerization; int8/int16/int32 after).
// Shapes are static (symbolic dimensions are rejected by the frontend) and row-major.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace htvm {

enum class DType { F32, I8, I16, I32 };

// Row-major NCHW is what ONNX delivers. The others are accelerator storage formats (padded, with
// the bytes of every 32-bit word reversed), defined precisely in ir/layout.h and
// docs/ACCELERATOR_FORMATS.md; they apply to int8 tensors with batch 1.
enum class Layout { NCHW, CHW_W16_REV4, VEC16_REV4, HWC_C64_REV4 };

const char* dtypeName(DType t);  // "f32", "i8", ...
int dtypeBytes(DType t);
bool isInteger(DType t);
// Smallest integer type holding every value in [lo, hi] (i8, i16 or i32); the caller guarantees
// that the range fits int32.
DType smallestIntType(int64_t lo, int64_t hi);
int64_t dtypeMin(DType t);  // integer types only
int64_t dtypeMax(DType t);

using Shape = std::vector<int64_t>;
int64_t numElements(const Shape& s);
std::string shapeStr(const Shape& s);  // "1x3x32x32"

struct TensorType {
  DType dtype = DType::F32;
  Shape shape;
  Layout layout = Layout::NCHW;

  int64_t elements() const { return numElements(shape); }
  int64_t bytes() const;  // storage bytes: padded for accelerator layouts
  std::string str() const;  // "i8[1x16x32x32]"
  bool operator==(const TensorType& o) const {
    return dtype == o.dtype && shape == o.shape && layout == o.layout;
  }
  bool operator!=(const TensorType& o) const { return !(*this == o); }
};

}  // namespace htvm
