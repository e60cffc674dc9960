#include "frontend/onnx/onnx_load.h"

#include <onnx/checker.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend/onnx/onnx_graph_check.h"

namespace htvm {
namespace {

namespace pb = google::protobuf;

// Wire types a well-formed serializer may use for a field (repeated scalars may come packed).
bool wireTypeFits(const pb::FieldDescriptor& fd, uint64_t wire) {
  switch (fd.type()) {
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_BYTES:
    case pb::FieldDescriptor::TYPE_MESSAGE: return wire == 2;
    case pb::FieldDescriptor::TYPE_GROUP: return wire == 3;
    case pb::FieldDescriptor::TYPE_DOUBLE:
    case pb::FieldDescriptor::TYPE_FIXED64:
    case pb::FieldDescriptor::TYPE_SFIXED64: return wire == 1 || (fd.is_repeated() && wire == 2);
    case pb::FieldDescriptor::TYPE_FLOAT:
    case pb::FieldDescriptor::TYPE_FIXED32:
    case pb::FieldDescriptor::TYPE_SFIXED32: return wire == 5 || (fd.is_repeated() && wire == 2);
    default: return wire == 0 || (fd.is_repeated() && wire == 2);
  }
}

// Walks the top-level fields of a serialized ModelProto without decoding them. A field that is
// not part of ModelProto, or has the wrong wire type, means the bytes are something else; a
// well-formed field that runs past the end means the file was cut short. Truncation inside a
// nested message that happens to end on a top-level field boundary is not visible here; the
// checker reports what is missing then.
Status scanTopLevelFields(const std::string& bytes) {
  const pb::Descriptor* desc = onnx::ModelProto::descriptor();
  const size_t n = bytes.size();
  size_t pos = 0;
  // 1: value read; 0: input ended inside it; -1: longer than 10 bytes (not a varint).
  auto readVarint = [&](uint64_t& v) -> int {
    v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= n) return 0;
      auto b = static_cast<uint8_t>(bytes[pos++]);
      if (shift < 64) v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return 1;
    }
    return -1;
  };
  auto notOnnx = [](const std::string& why) -> Status {
    return error() << "not an ONNX model: " << why;
  };
  while (pos < n) {
    const size_t start = pos;
    uint64_t tag = 0;
    int r = readVarint(tag);
    if (r < 0) return notOnnx("malformed field tag at byte " + std::to_string(start));
    if (r == 0) return error() << "truncated ONNX model: file ends inside a field tag at byte " << start;
    const uint64_t number = tag >> 3, wire = tag & 7;
    const pb::FieldDescriptor* fd =
        number <= 0x1fffffff ? desc->FindFieldByNumber(static_cast<int>(number)) : nullptr;
    if (!fd || !wireTypeFits(*fd, wire))
      return notOnnx("byte " + std::to_string(start) + " holds field " + std::to_string(number) +
                     " (wire type " + std::to_string(wire) + "), which ModelProto does not have");
    uint64_t skip = 0;
    if (wire == 0) {
      uint64_t v = 0;
      r = readVarint(v);
      if (r < 0) return notOnnx("malformed varint in field '" + fd->name() + "'");
    } else if (wire == 1) {
      skip = 8;
    } else if (wire == 5) {
      skip = 4;
    } else {
      r = readVarint(skip);
      if (r < 0) return notOnnx("malformed length of field '" + fd->name() + "'");
    }
    if (r == 0)  // the value or length varint itself is cut: there is no byte count to report
      return error() << "truncated ONNX model: file ends inside field '" << fd->name()
                     << "' at byte " << start;
    if (skip > n - pos)
      return error() << "truncated ONNX model: field '" << fd->name() << "' at byte " << start
                     << " needs " << skip << " bytes but the file has " << (n - pos) << " left";
    pos += static_cast<size_t>(skip);
  }
  return ok();
}

}  // namespace

Result<std::string> readFileBytes(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return error() << "no such file";
  if (std::filesystem::is_directory(status)) return error() << "is a directory, not an ONNX file";
  // Devices and pipes (/dev/zero, a FIFO) would be read without end; a model is a regular file
  // of bounded size (protobuf's own limit on one message is 2 GiB).
  if (!std::filesystem::is_regular_file(status))
    return error() << "is not a regular file (a device, pipe or socket), not an ONNX file";
  constexpr uintmax_t kMaxModelBytes = uintmax_t{2} << 30;
  if (uintmax_t size = std::filesystem::file_size(path, ec); !ec && size >= kMaxModelBytes)
    return error() << "is " << size << " bytes; models of 2 GiB or more are not supported";
  std::ifstream in(path, std::ios::binary);
  if (!in) return error() << "cannot open file: " << std::strerror(errno);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return error() << "cannot read file: " << std::strerror(errno);
  return buf.str();
}

Result<onnx::ModelProto> loadModel(const std::string& bytes) {
  if (bytes.empty()) return error() << "file is empty (0 bytes), not an ONNX model";
  HTVM_TRY(scanTopLevelFields(bytes));
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    return error() << "not an ONNX model: protobuf cannot parse the " << bytes.size() << " bytes";
  if (!model.has_graph()) return error() << "not an ONNX model: no graph";
  HTVM_TRY(checkGraphStructure(model.graph()));
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return error() << "onnx checker failed: " << e.what();
  }
  return model;
}

}  // namespace htvm
