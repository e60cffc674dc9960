// The rv32 and profiling options of the CLI: `htvm profile`, --target, --profile, --gcc-opt, the
// defaults `htvm compile` writes into target.mk, and usage errors (exit 2).
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/htvm_process.h"

namespace {

namespace fs = std::filesystem;

using htvm::proc::Outcome;
using htvm::proc::readFile;
using htvm::proc::runHtvm;

const std::string kModel =
    std::string(HTVM_SOURCE_DIR) + "/models/resnet8/ResNet_QL_NOANNOTATION.onnx";
const std::string kInput = std::string(HTVM_SOURCE_DIR) + "/models/resnet8/input.npy";
const std::string kOutput = std::string(HTVM_SOURCE_DIR) + "/models/resnet8/output.npy";

class Rv32Cli : public htvm::proc::ScratchDirTest {
 protected:
  Rv32Cli() : ScratchDirTest("htvm-rv32-cli-") {}
};

TEST_F(Rv32Cli, ProfileHelpListsItsOptions) {
  Outcome r = runHtvm("profile --help");
  EXPECT_EQ(r.code, 0);
  for (const char* opt :
       {"--target", "--conf", "--input", "--gcc-opt", "--indefinite", "--profile", "--timeout"})
    EXPECT_NE(r.output.find(opt), std::string::npos) << opt << "\n" << r.output;
  for (const char* sub : {"compile", "run", "verify"})
    EXPECT_NE(runHtvm(std::string(sub) + " --help").output.find("--profile"), std::string::npos)
        << sub;
}

// Exit 2 and a message naming the option, the bad value and what is allowed.
void expectUsageError(const std::string& args, const std::string& says) {
  Outcome r = runHtvm(args);
  EXPECT_EQ(r.code, 2) << "htvm " << args << ": " << r.output;
  EXPECT_NE(r.output.find(says), std::string::npos) << "htvm " << args << ": " << r.output;
}

TEST_F(Rv32Cli, BadTargetProfileOrOptLevelIsAUsageError) {
  std::string verify = "verify " + kModel + " --inputs " + kInput + " --outputs " + kOutput;
  expectUsageError(verify + " --target arm", "--target: arm not in {host,rv32}");
  expectUsageError(verify + " --profile sometimes",
                   "--profile: sometimes not in {global,individual}");
  expectUsageError(verify + " --gcc-opt 4", "--gcc-opt: Value 4 not in range 0 to 3");
  fs::path missing = dir_ / "missing.npy";
  expectUsageError("profile " + kModel + " --target rv32 --input " + missing.string(),
                   "htvm: error: " + missing.string() + ": no such file");
}

TEST_F(Rv32Cli, RunOnRv32WithTheProfileChosenAtCompileTime) {
  fs::path project = dir_ / "project";
  Outcome c =
      runHtvm("compile " + kModel + " -o " + project.string() + " --profile global --gcc-opt 3");
  ASSERT_EQ(c.code, 0) << c.output;
  std::string mk = readFile(project / "target.mk");
  EXPECT_NE(mk.find("HTVM_L2_BYTES = 512000"), std::string::npos) << mk;
  EXPECT_NE(mk.find("PROFILE ?= global"), std::string::npos) << mk;
  EXPECT_NE(mk.find("OPT ?= 3"), std::string::npos) << mk;

  fs::path y = dir_ / "y.npy";
  Outcome r = runHtvm("run " + project.string() + " --input " + kInput +
                      " --target rv32 --output " + y.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("sample 0: top-1 index"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(rv32, global"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(whole network)"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(y));
  EXPECT_TRUE(fs::exists(project / "profile.csv"));

  // The host build of the same project still runs, with its own profile override.
  Outcome h = runHtvm("run " + project.string() + " --input " + kInput + " --profile individual");
  ASSERT_EQ(h.code, 0) << h.output;
  EXPECT_NE(h.output.find("(host, individual"), std::string::npos) << h.output;
  EXPECT_NE(h.output.find(" ns "), std::string::npos) << h.output;  // host CPU layers: nanoseconds
}

TEST_F(Rv32Cli, VerifyOnRv32WithProfile) {
  Outcome r = runHtvm("verify " + kModel + " --inputs " + kInput + " --outputs " + kOutput +
                      " --target rv32 --profile individual -o " + (dir_ / "project").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("1/1 bit-exact (rv32 on QEMU)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("accelerator layers modeled by the simulator"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("heap: none"), std::string::npos) << r.output;
}

}  // namespace
