#include "ir/types.h"

#include <limits>

#include "ir/layout.h"
#include "support/diag.h"

namespace htvm {

const char* dtypeName(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::I8: return "i8";
    case DType::I16: return "i16";
    case DType::I32: return "i32";
  }
  return "?";
}

int dtypeBytes(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::I8: return 1;
    case DType::I16: return 2;
    case DType::I32: return 4;
  }
  return 0;
}

bool isInteger(DType t) { return t != DType::F32; }

DType smallestIntType(int64_t lo, int64_t hi) {
  if (lo >= -128 && hi <= 127) return DType::I8;
  if (lo >= -32768 && hi <= 32767) return DType::I16;
  HTVM_CHECK(lo >= std::numeric_limits<int32_t>::min() && hi <= std::numeric_limits<int32_t>::max())
      << "range [" << lo << ", " << hi << "] exceeds int32";
  return DType::I32;
}

int64_t dtypeMin(DType t) {
  switch (t) {
    case DType::I8: return -128;
    case DType::I16: return -32768;
    case DType::I32: return std::numeric_limits<int32_t>::min();
    case DType::F32: break;
  }
  HTVM_CHECK(false) << "dtypeMin of f32";
  return 0;
}

int64_t dtypeMax(DType t) {
  switch (t) {
    case DType::I8: return 127;
    case DType::I16: return 32767;
    case DType::I32: return std::numeric_limits<int32_t>::max();
    case DType::F32: break;
  }
  HTVM_CHECK(false) << "dtypeMax of f32";
  return 0;
}

int64_t numElements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string shapeStr(const Shape& s) {
  if (s.empty()) return "scalar";
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "x" : "") + std::to_string(s[i]);
  return r;
}

std::string TensorType::str() const {
  std::string s = std::string(dtypeName(dtype)) + "[" + shapeStr(shape) + "]";
  if (layout != Layout::NCHW) s += std::string("{") + layoutName(layout) + "}";
  return s;
}

int64_t TensorType::bytes() const { return storageElements(*this) * dtypeBytes(dtype); }

}  // namespace htvm
