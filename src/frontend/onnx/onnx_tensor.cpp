#include "frontend/onnx/onnx_tensor.h"

#include <cstring>

namespace htvm {
namespace {

// raw_data is little-endian by the ONNX spec; copying it byte-wise is only right on such hosts.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "raw_data decoding assumes a little-endian host");

int elemBytes(int32_t t) {
  switch (t) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32: return 4;
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64: return 8;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8: return 1;
    default: return 0;  // not supported
  }
}

template <typename T>
void appendRaw(const std::string& raw, std::vector<double>& out) {
  for (size_t off = 0; off + sizeof(T) <= raw.size(); off += sizeof(T)) {
    T v;
    std::memcpy(&v, raw.data() + off, sizeof(T));
    out.push_back(static_cast<double>(v));
  }
}

template <typename Field>
void appendTyped(const Field& field, std::vector<double>& out) {
  for (auto v : field) out.push_back(static_cast<double>(v));
}

}  // namespace

const char* onnxTypeName(int32_t t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return "float32";
    case onnx::TensorProto::UINT8: return "uint8";
    case onnx::TensorProto::INT8: return "int8";
    case onnx::TensorProto::UINT16: return "uint16";
    case onnx::TensorProto::INT16: return "int16";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::STRING: return "string";
    case onnx::TensorProto::BOOL: return "bool";
    case onnx::TensorProto::FLOAT16: return "float16";
    case onnx::TensorProto::DOUBLE: return "double";
    case onnx::TensorProto::UINT32: return "uint32";
    case onnx::TensorProto::UINT64: return "uint64";
    case onnx::TensorProto::COMPLEX64: return "complex64";
    case onnx::TensorProto::COMPLEX128: return "complex128";
    case onnx::TensorProto::BFLOAT16: return "bfloat16";
    default: return "unknown";
  }
}

Result<int64_t> checkedElements(const Shape& dims, int bytesPerElem, const std::string& what) {
  int64_t count = 1;
  bool overflow = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 1)
      return error() << what << " has dimension " << dims[i] << " at index " << i
                     << "; dimensions must be positive";
    overflow = overflow || __builtin_mul_overflow(count, dims[i], &count);
  }
  int64_t bytes = 0;
  overflow = overflow || __builtin_mul_overflow(count, int64_t{bytesPerElem}, &bytes);
  if (overflow || bytes > kMaxTensorBytes) {
    DiagBuilder d;
    d << what << " of shape " << shapeStr(dims) << " needs ";
    if (overflow)
      d << "more than 2^63 bytes";
    else
      d << bytes << " bytes";
    return d << ", more than the limit of " << kMaxTensorBytes << " bytes";
  }
  return count;
}

Result<ConstTensor> decodeTensor(const onnx::TensorProto& t, const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return error() << what << " keeps its data in an external file, which is not supported";
  if (t.has_segment()) return error() << what << " is segmented, which is not supported";
  const int bytes = elemBytes(t.data_type());
  if (bytes == 0)
    return error() << what << " has element type " << onnxTypeName(t.data_type())
                   << "; supported are float32, double, int32, int64, int8 and uint8";
  ConstTensor c;
  c.elemType = t.data_type();
  c.dims.assign(t.dims().begin(), t.dims().end());
  Result<int64_t> count = checkedElements(c.dims, bytes, what);
  if (!count.ok()) return count.diag();
  const auto n = static_cast<size_t>(count.value());

  if (t.has_raw_data()) {
    if (t.raw_data().size() != n * static_cast<size_t>(bytes))
      return error() << what << " of shape " << shapeStr(c.dims) << " and type "
                     << onnxTypeName(c.elemType) << " needs " << n * static_cast<size_t>(bytes)
                     << " bytes of raw_data, has " << t.raw_data().size();
    c.values.reserve(n);
    switch (c.elemType) {
      case onnx::TensorProto::FLOAT: appendRaw<float>(t.raw_data(), c.values); break;
      case onnx::TensorProto::DOUBLE: appendRaw<double>(t.raw_data(), c.values); break;
      case onnx::TensorProto::INT32: appendRaw<int32_t>(t.raw_data(), c.values); break;
      case onnx::TensorProto::INT64: appendRaw<int64_t>(t.raw_data(), c.values); break;
      case onnx::TensorProto::INT8: appendRaw<int8_t>(t.raw_data(), c.values); break;
      case onnx::TensorProto::UINT8: appendRaw<uint8_t>(t.raw_data(), c.values); break;
    }
    return c;
  }

  // Without raw_data the values sit in the typed field the ONNX spec assigns to the type.
  size_t have = 0;
  switch (c.elemType) {
    case onnx::TensorProto::FLOAT: have = static_cast<size_t>(t.float_data_size()); break;
    case onnx::TensorProto::DOUBLE: have = static_cast<size_t>(t.double_data_size()); break;
    case onnx::TensorProto::INT64: have = static_cast<size_t>(t.int64_data_size()); break;
    default: have = static_cast<size_t>(t.int32_data_size()); break;  // int32, int8, uint8
  }
  if (have != n)
    return error() << what << " of shape " << shapeStr(c.dims) << " needs " << n << " values, has "
                   << have;
  c.values.reserve(n);
  switch (c.elemType) {
    case onnx::TensorProto::FLOAT: appendTyped(t.float_data(), c.values); break;
    case onnx::TensorProto::DOUBLE: appendTyped(t.double_data(), c.values); break;
    case onnx::TensorProto::INT64: appendTyped(t.int64_data(), c.values); break;
    default: appendTyped(t.int32_data(), c.values); break;
  }
  return c;
}

Result<Shape> staticShape(const onnx::TypeProto& type, const std::string& what) {
  if (!type.has_tensor_type()) return error() << what << " is not a tensor";
  if (!type.tensor_type().has_shape()) return error() << what << " has no shape; htvm needs static shapes";
  Shape s;
  const auto& dims = type.tensor_type().shape().dim();
  for (int i = 0; i < dims.size(); ++i) {
    const auto& d = dims.Get(i);
    if (d.has_dim_param())
      return error() << what << " dimension " << i << " is symbolic ('" << d.dim_param()
                     << "'); htvm needs static shapes";
    if (!d.has_dim_value())
      return error() << what << " dimension " << i << " is unknown; htvm needs static shapes";
    s.push_back(d.dim_value());
  }
  Result<int64_t> count = checkedElements(s, 4, what);
  if (!count.ok()) return count.diag();
  return s;
}

}  // namespace htvm
