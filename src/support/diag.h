// Diagnostics for htvm: user-facing errors travel as `Result<T>` (a value or a `Diag`), in LLVM's
// message style (lower-case, no trailing period, concrete values). Internal invariant failures use
// HTVM_CHECK, which throws `InternalError` with file and line: they are compiler bugs, not user
// errors. The CLI maps a `Diag` to exit code 2 and prints it; library code never calls exit().
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace htvm {

// `file` is where the problem is (the model or platform file); the pass driver fills it in once,
// so passes and their callers never prefix paths onto messages. `text()` is what users see.
struct Diag {
  std::string message;
  std::string file;

  std::string text() const { return file.empty() ? message : file + ": " + message; }
  // This diagnostic, located in `path` unless it already names a file.
  Diag in(const std::string& path) const {
    Diag d = *this;
    if (d.file.empty()) d.file = path;
    return d;
  }
};

// Builds a Diag with stream syntax: `return error() << "node '" << n << "': ...";`
class DiagBuilder {
 public:
  template <typename T>
  DiagBuilder& operator<<(const T& v) {
    os_ << v;
    return *this;
  }
  operator Diag() const { return Diag{os_.str(), {}}; }
  std::string str() const { return os_.str(); }

 private:
  std::ostringstream os_;
};

inline DiagBuilder error() { return DiagBuilder(); }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Diag d) : v_(std::move(d)) {}
  Result(const DiagBuilder& b) : v_(Diag(b)) {}
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& value() const& { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Diag& diag() const { return std::get<Diag>(v_); }

 private:
  std::variant<T, Diag> v_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;
inline Status ok() { return Ok{}; }

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* cond) {
    os_ << "internal error at " << file << ":" << line << ": check '" << cond << "' failed";
  }
  template <typename T>
  CheckFailure& operator<<(const T& v) {
    os_ << (first_ ? ": " : "") << v;
    first_ = false;
    return *this;
  }
  ~CheckFailure() noexcept(false) { throw InternalError(os_.str()); }

 private:
  std::ostringstream os_;
  bool first_ = true;
};
}  // namespace detail

}  // namespace htvm

#define HTVM_CHECK(cond) \
  if (cond) {            \
  } else                 \
    ::htvm::detail::CheckFailure(__FILE__, __LINE__, #cond)

// Propagates a failed Result/Status from the current function.
#define HTVM_TRY(expr)                       \
  do {                                       \
    auto htvm_try_r_ = (expr);               \
    if (!htvm_try_r_.ok()) return htvm_try_r_.diag(); \
  } while (0)
