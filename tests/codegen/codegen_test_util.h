// Helpers for the C backend tests (graphs come from tests/support/graph_builder.h): a temporary
// project directory that is removed when the test passes, and functions that build the generated
// project with make (host and rv32) and run its demo on raw float32 samples.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "codegen/c/codegen.h"
#include "ir/graph.h"
#include "memory/arena_planner.h"
#include "support/graph_builder.h"

namespace htvm::testing {

namespace fs = std::filesystem;

// A fresh directory per test; removed at the end unless the test failed or HTVM_KEEP_TEST_DIRS is
// set (kept for inspection).
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / "htvm_codegen_tests" /
            (std::string(info->name()) + "_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    if (!::testing::Test::HasFailure() && std::getenv("HTVM_KEEP_TEST_DIRS") == nullptr)
      fs::remove_all(path_);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string readText(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs a shell command; returns its exit status (-1 if it did not exit normally).
inline int shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  if (rc == -1 || !WIFEXITED(rc)) return -1;
  return WEXITSTATUS(rc);
}

inline void writeFloats(const fs::path& p, const std::vector<float>& v) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(v.data()),
          static_cast<std::streamsize>(v.size() * sizeof(float)));
}

inline std::vector<float> readFloats(const fs::path& p) {
  std::string s = readText(p);
  std::vector<float> v(s.size() / sizeof(float));
  std::copy(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(v.size() * sizeof(float)),
            reinterpret_cast<char*>(v.data()));
  return v;
}

inline CodegenOptions testOptions() {
  CodegenOptions o;
  o.modelName = "test";
  o.sourceFile = "test.onnx";
  o.platform = "host";
  return o;
}

// Emits g into dir and builds it with `make <args>`; failures are reported with the make log.
inline ::testing::AssertionResult emitAndMake(const Graph& g, const fs::path& dir,
                                              const std::string& makeArgs = "") {
  ArenaPlan plan = planArena(g);
  Status s = emitC(g, plan, testOptions(), dir.string());
  if (!s.ok()) return ::testing::AssertionFailure() << "emitC failed: " << s.diag().message;
  std::string log = (dir / "make.log").string();
  if (shell("make -s -C '" + dir.string() + "' " + makeArgs + " > '" + log + "' 2>&1") != 0)
    return ::testing::AssertionFailure() << "make " << makeArgs << " failed:\n" << readText(log);
  return ::testing::AssertionSuccess();
}

// Emits, builds for host and rv32, runs the demo on the concatenated samples and returns all
// outputs.
inline std::vector<float> compileAndRun(const Graph& g, const fs::path& dir,
                                        const std::vector<float>& input) {
  EXPECT_TRUE(emitAndMake(g, dir));
  EXPECT_TRUE(emitAndMake(g, dir, "TARGET=rv32"));
  writeFloats(dir / "in.bin", input);
  std::string cmd = "cd '" + dir.string() + "' && ./build/htvm_demo in.bin out.bin > run.log 2>&1";
  int rc = shell(cmd);
  EXPECT_EQ(rc, 0) << readText(dir / "run.log");
  return readFloats(dir / "out.bin");
}

}  // namespace htvm::testing
