// For the tests that drive the real `htvm` binary (tests/cli, tests/e2e): running a command and
// getting its exit code and combined stdout+stderr, reading a file whole, and a scratch directory
// per test that is removed when the test passes and kept for inspection when it fails.
// HTVM_BINARY is the path of the binary under test (tests/CMakeLists.txt defines it).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

namespace htvm::proc {

struct Outcome {
  int code = -1;  // exit code, or 128 + signal
  std::string output;
};

// Runs a shell command; its stderr is merged into the output.
inline Outcome sh(const std::string& cmd) {
  Outcome r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// The command line running htvm with `args` (to compose with other commands in sh()).
inline std::string htvm(const std::string& args) { return std::string(HTVM_BINARY) + " " + args; }

inline Outcome runHtvm(const std::string& args) { return sh(htvm(args)); }

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A fresh directory named after the test (and this process), under the system's temp directory.
class ScratchDirTest : public ::testing::Test {
 protected:
  explicit ScratchDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (prefix_ + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
            std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;

 private:
  std::string prefix_;
};

}  // namespace htvm::proc
