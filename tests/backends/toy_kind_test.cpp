// A third accelerator kind that only tests know (tests/backends/toy: its backend, HAL header and
// simulator) goes through the whole compiler by being in the backend list: the platform file names
// it, the partition places layers on it, the tiler tiles them with its cycle model, codegen prints
// its jobs, and the generated project runs them on its simulator, bit-exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backends/backends.h"
#include "driver/pipeline.h"
#include "driver/verify.h"

namespace htvm::testing {
const AccelBackend& toyBackend();  // toy/toy_backend.cpp
}

namespace htvm {
namespace {

using ::testing::HasSubstr;

const std::string kToyPlatform = std::string(HTVM_TOY_DIR) + "/toy_platform.json";
const std::string kResNet8 = std::string(HTVM_SHARED_MODELS) + "/resnet8";

const BackendList& withToy() {
  static const BackendList list = [] {
    BackendList l = builtinBackends();
    l.push_back(&testing::toyBackend());
    return l;
  }();
  return list;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

CompileOptions toyCompile(const std::string& outDir) {
  CompileOptions o;
  o.modelPath = kResNet8 + "/ResNet_QL_NOANNOTATION.onnx";
  o.platform = kToyPlatform;
  o.conf = "mixed";
  o.backends = &withToy();
  o.outDir = outDir;
  o.force = true;
  return o;
}

TEST(ToyKind, PlatformNamesAKindOnlyWhenItsBackendIsListed) {
  Result<Platform> without = loadPlatform(kToyPlatform, builtinBackends());
  ASSERT_FALSE(without.ok());
  EXPECT_THAT(without.diag().message,
              HasSubstr("accelerators[0].kind: must be \"digital\" or \"analog\", got \"toy\""));
  Result<Platform> with = loadPlatform(kToyPlatform, withToy());
  ASSERT_TRUE(with.ok()) << with.diag().message;
  EXPECT_EQ(with->accelerators[0].backend, &testing::toyBackend());
  EXPECT_EQ(with->accelerators[0].param(0), 8);  // compute.lanes
}

TEST(ToyKind, ResNet8AddsRunOnTheToyUnitBitExactly) {
  std::string dir = ::testing::TempDir() + "htvm_toy_kind";
  std::filesystem::remove_all(dir);
  Result<CompiledModel> m = compileModel(toyCompile(dir));
  ASSERT_TRUE(m.ok()) << m.diag().message;
  int onToy = 0;
  for (const Node& n : m->graph.nodes) {
    if (n.accel < 0) continue;
    EXPECT_EQ(n.op, OpKind::QAdd) << n.name;
    ++onToy;
  }
  EXPECT_GT(onToy, 0) << "no layer was placed on the toy accelerator";
  // Its jobs, the kind's header and its simulator are in the project.
  std::string layers = readFile(dir + "/src/accel_layers.c");
  EXPECT_THAT(layers, HasSubstr("#include \"htvm_toy.h\""));
  EXPECT_THAT(layers, HasSubstr("htvm_toy_add"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/runtime/hal/sim/sim_toy.c"));
  EXPECT_THAT(readFile(dir + "/project.mk"), HasSubstr("runtime/hal/sim/sim_toy.c"));
  EXPECT_THAT(readFile(dir + "/src/platform.c"), HasSubstr("3u /* HTVM_KIND_TOY */"));

  // Built and run on the host against the model's reference output and the interpreter.
  VerifyOptions v;
  v.compile = toyCompile("");
  v.inputsPath = kResNet8 + "/input.npy";
  v.outputsPath = kResNet8 + "/output.npy";
  std::ostringstream log;
  Result<VerifyOutcome> r = verifyModel(v, log);
  ASSERT_TRUE(r.ok()) << r.diag().message << "\n" << log.str();
  EXPECT_TRUE(r->allExact()) << log.str();
}

}  // namespace
}  // namespace htvm
