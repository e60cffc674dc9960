#include "codegen/c/c_writer.h"

#include <algorithm>

#include "codegen/c/c_syntax.h"

namespace htvm {

void CWriter::line(const std::string& text) {
  if (!text.empty()) out_.append(static_cast<size_t>(indent_) * 2, ' ');
  out_ += text;
  out_ += '\n';
}

void CWriter::comment(const std::string& text) {
  std::string clean = commentText(text, /*keepNewlines=*/true);
  size_t nl = clean.find('\n');
  if (nl == std::string::npos) {
    line("/* " + clean + " */");
    return;
  }
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t end = clean.find('\n', start);
    std::string part =
        clean.substr(start, end == std::string::npos ? std::string::npos : end - start);
    bool last = end == std::string::npos;
    line(std::string(first ? "/* " : " * ") + part + (last ? " */" : ""));
    if (last) break;
    first = false;
    start = end + 1;
  }
}

CWriter::Block CWriter::block(const std::string& header, std::string closer) {
  open(header);
  return Block(*this, std::move(closer));
}

void CWriter::open(const std::string& header) {
  line(header + " {");
  ++indent_;
}

void CWriter::close(const std::string& closer) {
  --indent_;
  line(closer);
}

void CWriter::byteArray(const std::string& decl, const std::vector<int8_t>& bytes) {
  line(decl + " = {");
  for (size_t i = 0; i < bytes.size(); i += 24) {
    std::string row;
    for (size_t j = i; j < std::min(bytes.size(), i + 24); ++j) row += fmt::format("{},", bytes[j]);
    line("  " + row);
  }
  line("};");
}

}  // namespace htvm
