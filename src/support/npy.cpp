#include "support/npy.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

namespace htvm {
namespace {

// Largest payload accepted: far beyond any model's samples, small enough that the element count
// times the item size cannot overflow. The data must be present in the bytes, so what is
// allocated never exceeds what was read.
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 34;

// What the header's dict literal says.
struct NpyHeader {
  std::string descr;  // as written, with its quotes: "'<f4'"
  bool fortranOrder = false;
  bool hasShape = false;
  std::string shapeText;  // the tuple as written: "(1, 3, 32, 32)"
  std::vector<int64_t> shape;
};

// A strict reader of the dict literal numpy writes: {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), } padded with spaces and a newline. Every key is one of the three, once; the
// values are a quoted string, True/False and a tuple of non-negative integers; nothing follows
// the closing brace but whitespace. Being strict here is what keeps a header from meaning one
// shape to this check and another to a looser reader.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  Result<NpyHeader> parse() {
    NpyHeader h;
    bool seenDescr = false, seenFortran = false;
    skipSpace();
    if (!eat('{')) return bad("does not start with '{'");
    skipSpace();
    while (!eat('}')) {
      std::string key;
      if (!quoted(key)) return bad("expects a quoted key at byte " + std::to_string(pos_));
      skipSpace();
      if (!eat(':')) return bad("expects ':' after key '" + key + "'");
      skipSpace();
      if (key == "descr" && !seenDescr) {
        size_t start = pos_;
        std::string v;
        if (!quoted(v)) return bad("'descr' is not a quoted string");
        h.descr = s_.substr(start, pos_ - start);
        seenDescr = true;
      } else if (key == "fortran_order" && !seenFortran) {
        if (s_.compare(pos_, 4, "True") == 0) {
          h.fortranOrder = true;
          pos_ += 4;
        } else if (s_.compare(pos_, 5, "False") == 0) {
          pos_ += 5;
        } else {
          return bad("'fortran_order' is neither True nor False");
        }
        seenFortran = true;
      } else if (key == "shape" && !h.hasShape) {
        HTVM_TRY(tuple(h));
        h.hasShape = true;
      } else {
        return bad("has an unknown or repeated key '" + key + "'");
      }
      skipSpace();
      if (eat(',')) {
        skipSpace();
      } else if (pos_ >= s_.size() || s_[pos_] != '}') {
        return bad("expects ',' or '}' after the value of '" + key + "'");
      }
    }
    skipSpace();
    if (pos_ != s_.size()) return bad("has text after its closing '}'");
    if (!seenDescr) return error() << name_ << ": .npy dtype (missing) is not little-endian float32 ('<f4') or float64 ('<f8')";
    if (!h.hasShape) return error() << name_ << ": .npy header has no shape tuple";
    return h;
  }

 private:
  Diag bad(const std::string& why) const {
    return error() << name_ << ": .npy header " << why;
  }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // A Python string without escapes, in single or double quotes.
  bool quoted(std::string& out) {
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return false;
    const char q = s_[pos_];
    size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos || s_.find('\\', pos_ + 1) < end) return false;
    out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return true;
  }
  // (d0, d1, ...) with an optional trailing comma; () is a scalar.
  Status tuple(NpyHeader& h) {
    const size_t start = pos_;
    auto notTuple = [&]() -> Diag {
      size_t end = s_.find(')', start);
      std::string text = s_.substr(start, end == std::string::npos ? 40 : end - start + 1);
      return error() << name_ << ": .npy shape " << text
                     << " is not a tuple of non-negative integers";
    };
    if (!eat('(')) return notTuple();
    skipSpace();
    uint64_t elements = 1;
    while (!eat(')')) {
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') return notTuple();
      uint64_t d = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        d = d * 10 + static_cast<uint64_t>(s_[pos_] - '0');
        if (d > kMaxPayloadBytes) return tooLarge(start);
        ++pos_;
      }
      if (d > 0 && elements > kMaxPayloadBytes / d) return tooLarge(start);
      elements *= d;
      h.shape.push_back(static_cast<int64_t>(d));
      skipSpace();
      if (eat(',')) {
        skipSpace();
      } else if (pos_ >= s_.size() || s_[pos_] != ')') {
        return notTuple();
      }
    }
    h.shapeText = s_.substr(start, pos_ - start);
    return ok();
  }
  Diag tooLarge(size_t start) const {
    size_t end = s_.find(')', start);
    return error() << name_ << ": .npy shape "
                   << s_.substr(start, end == std::string::npos ? 40 : end - start + 1)
                   << " is larger than " << kMaxPayloadBytes << " bytes";
  }

  const std::string& s_;
  const std::string& name_;
  size_t pos_ = 0;
};

uint64_t elementCount(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

// Values in row-major order from the file's element order (Fortran order is column-major).
template <typename T>
std::vector<float> decode(const char* data, const std::vector<int64_t>& shape, bool fortran) {
  const uint64_t n = elementCount(shape);
  std::vector<float> out(n);
  auto at = [&](uint64_t i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    return static_cast<float>(v);
  };
  if (!fortran || shape.size() < 2) {
    for (uint64_t i = 0; i < n; ++i) out[i] = at(i);
    return out;
  }
  // Walk the row-major index, keeping the column-major offset of the same element.
  std::vector<int64_t> idx(shape.size(), 0), stride(shape.size(), 1);
  for (size_t k = 1; k < shape.size(); ++k) stride[k] = stride[k - 1] * shape[k - 1];
  uint64_t off = 0;
  for (uint64_t i = 0; i < n; ++i) {
    out[i] = at(off);
    for (size_t k = shape.size(); k-- > 0;) {
      if (++idx[k] < shape[k]) {
        off += static_cast<uint64_t>(stride[k]);
        break;
      }
      off -= static_cast<uint64_t>(stride[k] * (shape[k] - 1));
      idx[k] = 0;
    }
  }
  return out;
}

}  // namespace

Result<NpyArray> parseNpy(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 8 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return error() << name << ": not a .npy file (no \\x93NUMPY magic)";
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    return error() << name << ": .npy format version " << major << " is not 1, 2 or 3";
  const size_t lenBytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + lenBytes) return error() << name << ": .npy file ends inside its header";
  uint64_t headerLen = 0;
  for (size_t i = 0; i < lenBytes; ++i)
    headerLen |= uint64_t{static_cast<unsigned char>(bytes[8 + i])} << (8 * i);
  const uint64_t dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.size())
    return error() << name << ": .npy header of " << headerLen << " bytes runs past the end of the "
                   << bytes.size() << "-byte file";
  Result<NpyHeader> h =
      HeaderParser(bytes.substr(8 + lenBytes, static_cast<size_t>(headerLen)), name).parse();
  if (!h.ok()) return h.diag();
  uint64_t item = 0;
  if (h->descr == "'<f4'") item = 4;
  if (h->descr == "'<f8'") item = 8;
  if (item == 0)
    return error() << name << ": .npy dtype " << h->descr
                   << " is not little-endian float32 ('<f4') or float64 ('<f8')";
  const uint64_t elements = elementCount(h->shape);
  if (elements > kMaxPayloadBytes / item)
    return error() << name << ": .npy shape " << h->shapeText << " is larger than "
                   << kMaxPayloadBytes << " bytes";
  const uint64_t want = elements * item, have = bytes.size() - dataStart;
  if (have != want)
    return error() << name << ": .npy shape " << h->shapeText << " of " << h->descr << " needs "
                   << want << " data bytes, but the file holds " << have
                   << (have < want ? " (truncated)" : " (trailing bytes)");
  NpyArray a;
  a.shape = h->shape;
  const char* data = bytes.data() + dataStart;
  a.data = item == 4 ? decode<float>(data, a.shape, h->fortranOrder)
                     : decode<double>(data, a.shape, h->fortranOrder);
  return a;
}

Result<NpyArray> loadNpy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return error() << path << ": no such file";
  // The largest file parseNpy can accept: the payload limit and a version-3 header's length.
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return error() << path << ": cannot read its size (" << ec.message() << ")";
  if (size > kMaxPayloadBytes + 12 + 0xffffffffull)
    return error() << path << ": " << size << " bytes is larger than any .npy file htvm reads";
  std::ifstream f(path, std::ios::binary);
  if (!f) return error() << path << ": cannot open";
  std::ostringstream buf;
  buf << f.rdbuf();
  if (f.bad()) return error() << path << ": cannot read";
  return parseNpy(buf.str(), path);
}

Status saveNpy(const std::string& path, const NpyArray& a) {
  std::vector<size_t> shape(a.shape.begin(), a.shape.end());
  xt::xarray<float> x(shape);
  if (x.size() != a.data.size()) return error() << path << ": shape does not match data size";
  std::copy(a.data.begin(), a.data.end(), x.begin());
  try {
    xt::dump_npy(path, x);
  } catch (const std::exception& e) {
    return error() << path << ": cannot write (" << e.what() << ")";
  }
  std::ifstream check(path);
  if (!check) return error() << path << ": cannot write";
  return ok();
}

}  // namespace htvm
