// The C generated for every real model compiles warning-free (-Werror) for the bare-metal RV32
// host core: `make TARGET=rv32` with riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "driver/pipeline.h"
#include "e2e/real_models.h"

namespace htvm {
namespace {

namespace fs = std::filesystem;
using testing_support::modelParamName;
using testing_support::modelTestName;
using testing_support::realModels;

class Rv32Compile : public testing::TestWithParam<std::string> {};

TEST_P(Rv32Compile, GeneratedCCompilesForRv32imac) {
  fs::path dir = fs::temp_directory_path() / ("htvm-rv32-" + modelTestName(GetParam()) + "-" +
                                              std::to_string(getpid()));
  CompileOptions opts;
  opts.modelPath = GetParam();
  opts.outDir = dir.string();
  Result<CompiledModel> m = compileModel(opts);
  ASSERT_TRUE(m.ok()) << m.diag().message;
  std::string log = (dir / "rv32.log").string();
  int rc = std::system(("make -s -C " + dir.string() + " TARGET=rv32 > " + log + " 2>&1").c_str());
  std::ifstream f(log);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  ASSERT_EQ(rc, 0) << text;
  size_t objects = 0;
  for (const auto& e : fs::directory_iterator(dir / "build" / "rv32")) objects += e.path().extension() == ".o";
  EXPECT_GE(objects, 3u);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Shared, Rv32Compile, testing::ValuesIn(realModels()), modelParamName);

}  // namespace
}  // namespace htvm
