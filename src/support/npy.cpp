#include "support/npy.h"

#include <filesystem>
#include <fstream>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

namespace htvm {
namespace {

// Largest payload accepted: far beyond any model's samples, small enough that the element count
// times the item size cannot overflow and a hostile shape cannot make the reader allocate it.
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 34;

// The text after `'key':` in the header's Python dict literal, from the first `open` character
// through the next `close` character ("'<f4'" for descr, "(1, 3, 32, 32)" for shape), or "".
std::string headerValue(const std::string& h, const std::string& key, char open, char close) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) return "";
  size_t colon = h.find(':', k + key.size() + 2);
  if (colon == std::string::npos) return "";
  size_t b = h.find_first_not_of(' ', colon + 1);
  if (b == std::string::npos || h[b] != open) return "";
  size_t e = h.find(close, b + 1);
  if (e == std::string::npos) return "";
  return h.substr(b, e - b + 1);
}

// Checks the header the way the format defines it (magic, version, header length, descr, shape)
// and that the file holds exactly the bytes the shape calls for, before the library reads it:
// the library zero-fills a short file, ignores trailing bytes and does unchecked arithmetic on
// hostile shapes.
Status checkNpyFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return error() << path << ": cannot open";
  std::error_code ec;
  const uint64_t fileBytes = std::filesystem::file_size(path, ec);
  if (ec) return error() << path << ": cannot read its size (" << ec.message() << ")";
  char pre[8] = {};
  f.read(pre, 8);
  if (f.gcount() < 8 || std::string(pre, 6) != "\x93NUMPY")
    return error() << path << ": not a .npy file (no \\x93NUMPY magic)";
  const int major = static_cast<unsigned char>(pre[6]);
  if (major < 1 || major > 3)
    return error() << path << ": .npy format version " << major << " is not 1, 2 or 3";
  const int lenBytes = major == 1 ? 2 : 4;
  unsigned char len[4] = {};
  f.read(reinterpret_cast<char*>(len), lenBytes);
  if (f.gcount() < lenBytes) return error() << path << ": .npy file ends inside its header";
  uint64_t headerLen = len[0] | uint64_t{len[1]} << 8;
  if (lenBytes == 4) headerLen |= uint64_t{len[2]} << 16 | uint64_t{len[3]} << 24;
  const uint64_t dataStart = 8 + lenBytes + headerLen;
  if (dataStart > fileBytes)
    return error() << path << ": .npy header of " << headerLen << " bytes runs past the end of the "
                   << fileBytes << "-byte file";
  std::string h(headerLen, '\0');
  f.read(h.data(), static_cast<std::streamsize>(headerLen));
  std::string descr = headerValue(h, "descr", '\'', '\'');
  uint64_t item = 0;
  if (descr == "'<f4'") item = 4;
  if (descr == "'<f8'") item = 8;
  if (item == 0)
    return error() << path << ": .npy dtype " << (descr.empty() ? "(missing)" : descr)
                   << " is not little-endian float32 ('<f4') or float64 ('<f8')";
  std::string shape = headerValue(h, "shape", '(', ')');
  if (shape.empty())
    return error() << path << ": .npy header has no shape tuple";
  uint64_t elements = 1;
  std::string dims = shape.substr(1, shape.size() - 2);
  for (size_t i = 0; i < dims.size();) {
    while (i < dims.size() && (dims[i] == ' ' || dims[i] == ',')) ++i;
    if (i == dims.size()) break;
    uint64_t d = 0;
    size_t start = i;
    while (i < dims.size() && dims[i] >= '0' && dims[i] <= '9') {
      d = d * 10 + static_cast<uint64_t>(dims[i] - '0');
      if (d > kMaxPayloadBytes)
        return error() << path << ": .npy shape " << shape << " is larger than "
                       << kMaxPayloadBytes << " bytes";
      ++i;
    }
    if (i == start || (i < dims.size() && dims[i] != ',' && dims[i] != ' '))
      return error() << path << ": .npy shape " << shape << " is not a tuple of non-negative integers";
    if (d > 0 && elements > kMaxPayloadBytes / d)
      return error() << path << ": .npy shape " << shape << " is larger than " << kMaxPayloadBytes
                     << " bytes";
    elements *= d;
  }
  if (elements > kMaxPayloadBytes / item)
    return error() << path << ": .npy shape " << shape << " is larger than " << kMaxPayloadBytes
                   << " bytes";
  const uint64_t want = elements * item, have = fileBytes - dataStart;
  if (have != want)
    return error() << path << ": .npy shape " << shape << " of " << descr << " needs " << want
                   << " data bytes, but the file holds " << have
                   << (have < want ? " (truncated)" : " (trailing bytes)");
  return ok();
}

}  // namespace

Result<NpyArray> loadNpy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return error() << path << ": no such file";
  HTVM_TRY(checkNpyFile(path));
  // xtensor reads float64 files only as double, so try float32 first and accept float64 after.
  NpyArray a;
  try {
    xt::xarray<float> x = xt::load_npy<float>(path);
    a.shape.assign(x.shape().begin(), x.shape().end());
    a.data.assign(x.begin(), x.end());
    return a;
  } catch (const std::exception& e32) {
    try {
      xt::xarray<double> x = xt::load_npy<double>(path);
      a.shape.assign(x.shape().begin(), x.shape().end());
      a.data.reserve(x.size());
      for (double v : x) a.data.push_back(static_cast<float>(v));
      return a;
    } catch (const std::exception&) {
      return error() << path << ": not a float32 .npy file (" << e32.what() << ")";
    }
  }
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
