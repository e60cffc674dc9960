#include "codegen/c/c_syntax.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace htvm {

const char* cType(DType t) {
  switch (t) {
    case DType::F32: return "float";
    case DType::I8: return "int8_t";
    case DType::I16: return "int16_t";
    case DType::I32: return "int32_t";
  }
  return "?";
}

std::string floatLiteral(float v) {
  if (std::isnan(v)) return "NAN";
  if (std::isinf(v)) return v > 0 ? "INFINITY" : "-INFINITY";
  std::string s = fmt::format("{}", v);  // shortest round-trip representation of the float
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s + "f";
}

std::string intLiteral(int64_t v) {
  if (v == std::numeric_limits<int32_t>::min()) return "(-2147483647 - 1)";
  return std::to_string(v);
}

std::string sanitizeIdent(const std::string& s, size_t maxLen) {
  std::string r;
  for (char c : s) {
    if (r.size() >= maxLen) break;
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    r += ok ? c : '_';
  }
  return r;
}

std::string cStringLiteral(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '?') {
      r += '\\';
      r += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      r += fmt::format("\\{:03o}", c);
    } else {
      r += static_cast<char>(c);
    }
  }
  return r + "\"";
}

std::string commentText(const std::string& s, bool keepNewlines) {
  std::string r;
  for (unsigned char c : s) {
    if (c == '\n' && keepNewlines) {
      r += '\n';
      continue;
    }
    if (c < 0x20 || c == 0x7f) c = ' ';
    // Generated text is ASCII: a name's other bytes are shown as \xNN, so no bidirectional
    // control (gcc's -Werror=bidi-chars) or invalid UTF-8 reaches a source file.
    if (c >= 0x80) {
      r += fmt::format("\\x{:02x}", c);
      continue;
    }
    // Break "/*", "*/" and "??" (trigraph start) by inserting a space.
    if (!r.empty() && ((r.back() == '/' && c == '*') || (r.back() == '*' && c == '/') ||
                       (r.back() == '?' && c == '?')))
      r += ' ';
    r += static_cast<char>(c);
  }
  // A trailing '*' or '/' would join with the closing "*/" or opening "/*" of the comment.
  if (!r.empty() && (r.back() == '*' || r.back() == '/')) r += ' ';
  if (!r.empty() && (r.front() == '*' || r.front() == '/')) r = ' ' + r;
  return r;
}

std::string makeCommentText(const std::string& s) {
  std::string r;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f)
      r += fmt::format("\\x{:02x}", c);
    else
      r += static_cast<char>(c);
  }
  if (!r.empty() && r.back() == '\\') r += ' ';
  return r;
}

std::string affine(const std::vector<std::pair<std::string, int64_t>>& terms, int64_t constant) {
  std::string r;
  auto append = [&](bool negative, const std::string& magnitude) {
    if (r.empty()) {
      r = negative ? "-" + magnitude : magnitude;
    } else {
      r += negative ? " - " : " + ";
      r += magnitude;
    }
  };
  for (const auto& [var, coef] : terms) {
    if (coef == 0) continue;
    int64_t mag = coef < 0 ? -coef : coef;
    append(coef < 0, mag == 1 ? var : var + " * " + std::to_string(mag));
  }
  if (constant != 0 || r.empty()) {
    int64_t mag = constant < 0 ? -constant : constant;
    append(constant < 0, std::to_string(mag));
  }
  return r;
}

}  // namespace htvm
