// CWriter: builds C source text line by line with automatic indentation. Blocks are RAII objects,
// so braces always balance; comments are sanitized so node names cannot end them early. Generated
// files are emitted once, front to back, and never edited afterwards.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>
#include <utility>

namespace htvm {

class CWriter {
 public:
  // Closes a block opened by CWriter::block() when it goes out of scope.
  class Block {
   public:
    Block(CWriter& w, std::string closer) : w_(w), closer_(std::move(closer)) {}
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    ~Block() { w_.close(closer_); }

   private:
    CWriter& w_;
    std::string closer_;
  };

  // One line at the current indentation (text taken verbatim).
  void line(const std::string& text);
  template <typename... Args>
  void line(fmt::format_string<Args...> f, Args&&... args) {
    line(fmt::format(f, std::forward<Args>(args)...));
  }
  void blank() { out_ += '\n'; }
  // Preprocessor directive: always at column 0.
  void directive(const std::string& text) { out_ += text + '\n'; }
  // `/* text */`; multi-line text becomes a ` * `-prefixed block comment.
  void comment(const std::string& text);
  // `decl = {` the bytes, 24 per line, `};` (weight streams and arrays).
  void byteArray(const std::string& decl, const std::vector<int8_t>& bytes);

  // Writes `header {` and indents until the returned Block is destroyed, which writes `closer`.
  [[nodiscard]] Block block(const std::string& header, std::string closer = "}");
  // Unscoped form for nests whose depth is only known at run time; calls must pair up.
  void open(const std::string& header);
  void close(const std::string& closer = "}");

  const std::string& str() const { return out_; }

 private:
  std::string out_;
  int indent_ = 0;
};

}  // namespace htvm
