// The htvm binary as a user meets it: exit codes, help text, and clean errors (exit 2, the file and
// node named, never a crash) for broken or unsupported model files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/htvm_process.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using htvm::proc::Outcome;
using htvm::proc::readFile;
using htvm::proc::runHtvm;

fs::path tempDir() {
  fs::path d = fs::temp_directory_path() / ("htvm-cli-test-" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}

void writeFile(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f << bytes;
}

const std::string kModel = std::string(HTVM_SOURCE_DIR) + "/models/resnet8/ResNet_QL_NOANNOTATION.onnx";
const std::string kInput = std::string(HTVM_SOURCE_DIR) + "/models/resnet8/input.npy";
const std::string kOutput = std::string(HTVM_SOURCE_DIR) + "/models/resnet8/output.npy";

// A float model: input [1,4] (or a symbolic batch) -> ops in sequence.
std::string tinyModel(const std::vector<std::string>& opTypes, bool symbolicBatch = false) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("tiny");
  auto* in = g->add_input();
  in->set_name("input");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* d0 = tt->mutable_shape()->add_dim();
  if (symbolicBatch) d0->set_dim_param("batch");
  else d0->set_dim_value(1);
  tt->mutable_shape()->add_dim()->set_dim_value(4);
  std::string prev = "input";
  for (size_t i = 0; i < opTypes.size(); ++i) {
    auto* n = g->add_node();
    n->set_op_type(opTypes[i]);
    n->set_name("node_" + std::to_string(i) + "_" + opTypes[i]);
    n->add_input(prev);
    prev = "t" + std::to_string(i);
    n->add_output(prev);
  }
  auto* out = g->add_output();
  out->set_name(prev);
  auto* ot = out->mutable_type()->mutable_tensor_type();
  ot->set_elem_type(onnx::TensorProto::FLOAT);
  *ot->mutable_shape() = tt->shape();  // every op here is elementwise
  return m.SerializeAsString();
}

TEST(Cli, HelpListsSubcommandsAndExitsZero) {
  Outcome r = runHtvm("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* s : {"compile", "run", "verify"}) EXPECT_NE(r.output.find(s), std::string::npos) << s;
  for (const char* sub : {"compile", "run", "verify"}) {
    Outcome h = runHtvm(std::string(sub) + " --help");
    EXPECT_EQ(h.code, 0) << sub;
    EXPECT_NE(h.output.find("Usage"), std::string::npos) << h.output;
  }
}

// Exit 2 and a message naming what is missing or wrong.
void expectUsageError(const std::string& args, const std::vector<std::string>& says) {
  Outcome r = runHtvm(args);
  EXPECT_EQ(r.code, 2) << "htvm " << args << ": " << r.output;
  for (const std::string& s : says)
    EXPECT_NE(r.output.find(s), std::string::npos) << "htvm " << args << ": " << r.output;
  EXPECT_NE(r.output.find("--help"), std::string::npos) << "htvm " << args << ": " << r.output;
}

TEST(Cli, BadUsageExitsTwoAndSaysWhatIsWrong) {
  expectUsageError("", {"subcommand is required"});
  // CLI11 checks for the required subcommand before it looks at unexpected words, so the unknown
  // word itself is not named.
  expectUsageError("frobnicate", {"subcommand is required"});
  expectUsageError("compile", {"model is required"});
  expectUsageError("compile " + kModel, {"--output is required"});
  expectUsageError("verify " + kModel, {"--inputs is required"});
  expectUsageError("verify " + kModel + " --inputs " + kInput, {"--outputs is required"});
}

// Files that are not what they claim: a directory as platform, a device as model (which would be
// read without end), and timeouts that are no number of seconds (NaN slips through a plain range).
TEST(Cli, NonFilesAndNonsenseTimeoutsAreRefusedByName) {
  fs::path d = tempDir();
  Outcome dir = runHtvm("compile " + kModel + " -o " + (d / "out").string() + " --platform " + d.string());
  EXPECT_EQ(dir.code, 2) << dir.output;
  EXPECT_THAT(dir.output, HasSubstr("platform file '" + d.string() + "' is a directory"));
  Outcome dev = runHtvm("compile /dev/zero -o " + (d / "out").string());
  EXPECT_EQ(dev.code, 2) << dev.output;
  EXPECT_THAT(dev.output, HasSubstr("/dev/zero: is not a regular file"));
  for (const char* t : {"nan", "-1", "1e300", "inf"}) {
    Outcome r = runHtvm("verify " + kModel + " --inputs " + kInput + " --outputs " + kOutput +
                        " --timeout " + t);
    EXPECT_EQ(r.code, 2) << t << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr(std::string("--timeout: '") + t + "' is not between 0 and 1e6"));
  }
  fs::remove_all(d);
}

// -o: a non-empty directory htvm did not write is refused (or written into with --force, deleting
// nothing); one it wrote loses the files the new compile does not write, so no accelerator source
// of a previous mixed compile survives a cpu one; the filesystem root is refused always.
TEST(Cli, OutputDirectoryIsNewEmptyOrHtvmsOwn) {
  fs::path d = tempDir();
  fs::create_directories(d / "mine");
  writeFile(d / "mine" / "notes.txt", "keep me");
  Outcome refused = runHtvm("compile " + kModel + " -o " + (d / "mine").string());
  EXPECT_EQ(refused.code, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("'" + (d / "mine").string() +
                                        "' is not empty and was not written by htvm"));
  EXPECT_THAT(refused.output, HasSubstr("--force"));
  EXPECT_FALSE(fs::exists(d / "mine" / "Makefile"));
  Outcome forced = runHtvm("compile " + kModel + " -o " + (d / "mine").string() + " --force");
  EXPECT_EQ(forced.code, 0) << forced.output;
  EXPECT_EQ(readFile(d / "mine" / "notes.txt"), "keep me");

  fs::path p = d / "proj";
  ASSERT_EQ(runHtvm("compile " + kModel + " -o " + p.string() + " --conf mixed").code, 0);
  ASSERT_TRUE(fs::exists(p / "src/accel_layers.c"));
  writeFile(p / "user.txt", "not htvm's");
  Outcome again = runHtvm("compile " + kModel + " -o " + p.string() + " --conf cpu");
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_FALSE(fs::exists(p / "src/accel_layers.c"));
  EXPECT_FALSE(fs::exists(p / "runtime/htvm_hal.h"));
  EXPECT_TRUE(fs::exists(p / "src/cpu_layers.c"));
  EXPECT_EQ(readFile(p / "user.txt"), "not htvm's");

  Outcome root = runHtvm("compile " + kModel + " -o / --force");
  EXPECT_EQ(root.code, 2) << root.output;
  EXPECT_THAT(root.output, HasSubstr("refusing to write a project into the filesystem root"));
  fs::remove_all(d);
}

TEST(Cli, BrokenModelFilesGiveCleanErrorsNamingTheFileAndTheReason) {
  fs::path d = tempDir();
  std::string real = readFile(kModel);
  ASSERT_GT(real.size(), 1000u);
  struct Case {
    std::string name, bytes, reason;
  };
  // 't' (0x74) as a protobuf tag is field 14, wire type 4, which ModelProto does not have; the
  // real model's graph field is far longer than 100 bytes or half the file.
  std::vector<Case> cases = {
      {"empty.onnx", "", "file is empty (0 bytes), not an ONNX model"},
      {"text.onnx", "this is not a model\n", "not an ONNX model: byte 0 holds field 14"},
      {"truncated_half.onnx", real.substr(0, real.size() / 2),
       "truncated ONNX model: field 'graph'"},
      {"truncated_head.onnx", real.substr(0, 100), "truncated ONNX model: field 'graph'"},
  };
  for (const Case& c : cases) {
    fs::path p = d / c.name;
    writeFile(p, c.bytes);
    Outcome r = runHtvm("compile " + p.string() + " -o " + (d / "out").string());
    EXPECT_EQ(r.code, 2) << c.name << ": " << r.output;
    EXPECT_NE(r.output.find("htvm: error: " + p.string() + ": " + c.reason), std::string::npos)
        << c.name << ": " << r.output;
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  }
  fs::path nope = d / "nope.onnx";
  Outcome missing = runHtvm("compile " + nope.string() + " -o " + (d / "out").string());
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.output.find("htvm: error: " + nope.string() + ": no such file"),
            std::string::npos)
      << missing.output;
  fs::remove_all(d);
}

TEST(Cli, UnsupportedOpsAreAllListedWithTheirNodes) {
  fs::path d = tempDir();
  fs::path p = d / "softmax.onnx";
  writeFile(p, tinyModel({"Softmax", "Relu", "Softsign"}));
  Outcome r = runHtvm("compile " + p.string() + " -o " + (d / "out").string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("2 of 3 nodes not supported"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("node 'node_0_Softmax' (Softmax): op not supported"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("node 'node_2_Softsign' (Softsign): op not supported"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("node_1_Relu"), std::string::npos) << "Relu is supported: " << r.output;
  fs::remove_all(d);
}

TEST(Cli, SymbolicInputDimensionIsRejected) {
  fs::path d = tempDir();
  fs::path p = d / "symbolic.onnx";
  writeFile(p, tinyModel({"Relu"}, /*symbolicBatch=*/true));
  Outcome r = runHtvm("compile " + p.string() + " -o " + (d / "out").string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("graph input 'input' dimension 0 is symbolic ('batch')"),
            std::string::npos)
      << r.output;
  fs::remove_all(d);
}

// verify's temporary project is removed unless --keep; with -o the directory is the user's.
TEST(Cli, VerifyRemovesItsTemporaryProjectUnlessKept) {
  auto projectOf = [](const std::string& output) {
    size_t at = output.find(" -> ");
    return at == std::string::npos ? std::string() : output.substr(at + 4, output.find_first_of(" \n", at + 4) - at - 4);
  };
  const std::string args = "verify " + kModel + " --inputs " + kInput + " --outputs " + kOutput;
  Outcome removed = runHtvm(args);
  ASSERT_EQ(removed.code, 0) << removed.output;
  EXPECT_THAT(removed.output, HasSubstr("(temporary, removed at the end; --keep keeps it)"));
  ASSERT_FALSE(projectOf(removed.output).empty()) << removed.output;
  EXPECT_FALSE(fs::exists(projectOf(removed.output))) << removed.output;
  Outcome kept = runHtvm(args + " --keep");
  ASSERT_EQ(kept.code, 0) << kept.output;
  std::string dir = projectOf(kept.output);
  EXPECT_TRUE(fs::exists(fs::path(dir) / "report.json")) << kept.output;
  EXPECT_THAT(kept.output, Not(HasSubstr("removed at the end")));
  fs::remove_all(dir);
}

// `htvm check` compiles in memory: the same table as compile --report (every layer's core, the
// rules that keep a layer off the accelerators, memory, modeled cycles), or with --json the very
// report.json a compile writes, and no file anywhere.
TEST(Cli, CheckPrintsThePlanAndWritesNothing) {
  fs::path d = tempDir();
  const std::string dscnn = std::string(HTVM_SHARED_MODELS) + "/dscnn/DSCNN_QL_NOANNOTATION.onnx";
  Outcome c = htvm::proc::sh("cd " + d.string() + " && " + htvm::proc::htvm("check " + dscnn));
  ASSERT_EQ(c.code, 0) << c.output;
  EXPECT_TRUE(fs::is_empty(d)) << "check wrote into its working directory";
  // DS-CNN's first conv (10x4) stays on the CPU with every rule it breaks.
  EXPECT_THAT(c.output, HasSubstr("on cpu: node '/EpsQConv2dEpsDianaIntegeriser[9]/Conv' (Conv): digital: "));
  EXPECT_THAT(c.output, HasSubstr("kernel 10x4 not in {1,3,5,7} and padding"));
  EXPECT_THAT(c.output, HasSubstr("total: "));
  EXPECT_THAT(c.output, HasSubstr("modeled (ours schedule): "));
  Outcome j = runHtvm("check " + dscnn + " --json");
  ASSERT_EQ(j.code, 0) << j.output;
  ASSERT_EQ(runHtvm("compile " + dscnn + " -o " + (d / "p").string()).code, 0);
  nlohmann::json fromCheck = nlohmann::json::parse(j.output);
  nlohmann::json written = nlohmann::json::parse(readFile(d / "p" / "report.json"));
  for (nlohmann::json* r : {&fromCheck, &written}) {
    r->erase("htvm");    // the command lines differ
    r->erase("passes");  // timings
    for (auto& l : (*r)["layers"]) l["modeled"].erase("tiler_ms");
  }
  EXPECT_EQ(fromCheck, written);
  EXPECT_EQ(runHtvm("check " + (d / "missing.onnx").string()).code, 2);
  fs::remove_all(d);
}

// A conf that offloads nothing says why, and a node pinned to two cores is refused.
TEST(Cli, ConfsThatOffloadNothingAndConflictingPinsAreReported) {
  fs::path d = tempDir();
  Outcome analog = runHtvm("compile " + kModel + " -o " + (d / "a").string() + " --conf analog");
  EXPECT_EQ(analog.code, 0) << analog.output;
  EXPECT_THAT(analog.output, HasSubstr("htvm: warning: conf analog: no layer runs on any analog "
                                       "accelerator: no node of the model is an op it takes"));
  nlohmann::json r = nlohmann::json::parse(readFile(d / "a" / "report.json"));
  EXPECT_THAT(r.at("warnings").dump(), HasSubstr("conf analog: no layer runs"));
  Outcome host = runHtvm("compile " + kModel + " -o " + (d / "h").string() + " --platform host --conf digital");
  EXPECT_EQ(host.code, 0) << host.output;
  EXPECT_THAT(host.output, HasSubstr("htvm: warning: conf digital: platform 'host' has no digital "
                                     "accelerator; every layer runs on the CPU"));
  Outcome mixed = runHtvm("compile " + kModel + " -o " + (d / "m").string());
  EXPECT_EQ(mixed.code, 0) << mixed.output;
  EXPECT_THAT(mixed.output, Not(HasSubstr("warning: conf")));
  const std::string conv = "/EpsQConv2dEpsDianaIntegeriser[9]/Conv";
  Outcome twice = runHtvm("compile " + kModel + " -o " + (d / "p").string() + " --pin '" + conv +
                          "=cpu' --pin '" + conv + "=digital'");
  EXPECT_EQ(twice.code, 2) << twice.output;
  EXPECT_THAT(twice.output, HasSubstr("--pin: node '" + conv + "' pinned twice, to cpu and to digital"));
  Outcome same = runHtvm("compile " + kModel + " -o " + (d / "s").string() + " --pin '" + conv +
                         "=cpu' --pin '" + conv + "=cpu'");
  EXPECT_EQ(same.code, 0) << same.output;
  fs::remove_all(d);
}

// --version names the release, the commit and the report schema; report.json records the same,
// the command line, and a fingerprint of the platform file that changes with its bytes.
TEST(Cli, VersionAndTheReportNameTheCompilerAndThePlatformFile) {
  Outcome v = runHtvm("--version");
  ASSERT_EQ(v.code, 0) << v.output;
  EXPECT_THAT(v.output, ::testing::MatchesRegex("htvm [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit [^ ]+, report schema 1\\)\n"));
  fs::path d = tempDir();
  std::string platform = (d / "edited.json").string();
  {
    std::ofstream f(platform);
    f << readFile(std::string(HTVM_SOURCE_DIR) + "/platforms/diana.json");
  }
  auto compile = [&](const std::string& dir, const std::string& extra) {
    Outcome c = runHtvm("compile " + kModel + " -o " + (d / dir).string() + " --conf cpu" + extra);
    EXPECT_EQ(c.code, 0) << c.output;
    return nlohmann::json::parse(readFile(d / dir / "report.json"));
  };
  nlohmann::json a = compile("a", " --platform " + platform);
  std::string version = v.output.substr(5, v.output.find(' ', 5) - 5);
  EXPECT_EQ(a.at("htvm").at("version"), version);
  EXPECT_EQ(a.at("htvm").at("report_schema"), 1);
  EXPECT_THAT(a.at("htvm").at("command").get<std::string>(), HasSubstr(" compile " + kModel + " -o "));
  EXPECT_EQ(a.at("platform_file").at("path"), platform);
  std::string hash = a.at("platform_file").at("fnv1a_64");
  EXPECT_THAT(hash, ::testing::MatchesRegex("[0-9a-f]{16}"));
  EXPECT_EQ(compile("b", " --platform " + platform).at("platform_file").at("fnv1a_64"), hash);
  {
    std::ofstream f(platform, std::ios::app);
    f << "\n";  // same platform, other bytes
  }
  EXPECT_NE(compile("c", " --platform " + platform).at("platform_file").at("fnv1a_64"), hash);
  fs::remove_all(d);
}

TEST(Cli, PassStatisticsGoIntoTheReportAndDumpAfterPrintsThatPass) {
  fs::path d = tempDir();
  Outcome c = runHtvm("compile " + kModel + " -o " + (d / "proj").string() + " --verify-each --dump-after plan-arena");
  ASSERT_EQ(c.code, 0) << c.output;
  EXPECT_NE(c.output.find("// IR after plan-arena\ngraph "), std::string::npos) << c.output;
  EXPECT_NE(c.output.find("relayout("), std::string::npos) << "plan-arena runs after insert-relayout: " << c.output;
  nlohmann::json r = nlohmann::json::parse(readFile(d / "proj" / "report.json"));
  std::vector<std::string> names;
  for (const auto& p : r.at("passes")) names.push_back(p.at("name").get<std::string>());
  EXPECT_EQ(names, (std::vector<std::string>{"import", "integerize", "fuse-input-quant", "fuse-requant", "partition",
                                             "insert-relayout", "fuse-cpu-chains", "plan-arena", "plan-l1"}));
  EXPECT_EQ(r.at("passes").at(0).at("stats").at("nodes").get<int64_t>(), 73) << "ResNet8's ONNX graph has 73 nodes";
  Outcome bad = runHtvm("compile " + kModel + " -o " + (d / "proj2").string() + " --dump-after fuse");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("htvm: error: unknown pass 'fuse' for --dump-after: passes are import, integerize,"),
            std::string::npos)
      << bad.output;
  fs::remove_all(d);
}

TEST(Cli, VerifyBundledModelIsExact) {
  Outcome r = runHtvm("verify " + kModel + " --inputs " + kInput + " --outputs " + kOutput);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("1/1 bit-exact"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("predicted class"), std::string::npos) << r.output;
}

TEST(Cli, VerifyReportsAMismatchWithExitOne) {
  fs::path d = tempDir();
  // A wrong golden must be caught, not tolerated.
  std::string npy = readFile(kOutput);
  // The npy payload ends with the 12 float32 logits; move the last one by half a step.
  float last;
  std::memcpy(&last, &npy[npy.size() - 4], 4);
  last += 0.25f;
  std::memcpy(&npy[npy.size() - 4], &last, 4);
  writeFile(d / "wrong.npy", npy);
  Outcome r = runHtvm("verify " + kModel + " --inputs " + kInput + " --outputs " + (d / "wrong.npy").string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("mismatch: sample 0, output index 11"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0/1 bit-exact"), std::string::npos) << r.output;
  fs::remove_all(d);
}

TEST(Cli, VerifyRejectsInputsOfTheWrongShape) {
  Outcome r = runHtvm("verify " + kModel + " --inputs " + kOutput + " --outputs " + kOutput);
  EXPECT_EQ(r.code, 2) << r.output;
  // output.npy holds the 12 logits of one sample.
  EXPECT_NE(r.output.find(kOutput + " has shape 1x12, but the model expects 1x3x32x32"),
            std::string::npos)
      << r.output;
}

TEST(Cli, CompileThenRunPrintsTopOneAndWritesNpy) {
  fs::path d = tempDir();
  Outcome c = runHtvm("compile " + kModel + " -o " + (d / "proj").string() + " --report");
  ASSERT_EQ(c.code, 0) << c.output;
  EXPECT_NE(c.output.find(" ms"), std::string::npos) << c.output;  // prints its own wall time
  EXPECT_TRUE(fs::exists(d / "proj" / "report.json"));
  Outcome r = runHtvm("run " + (d / "proj").string() + " --input " + kInput + " --output " + (d / "y.npy").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("top-1 index"), std::string::npos) << r.output;
  // The written outputs equal the model's reference outputs byte for byte in the payload.
  std::string got = readFile(d / "y.npy"), want = readFile(kOutput);
  ASSERT_GE(got.size(), 48u);
  EXPECT_EQ(got.substr(got.size() - 48), want.substr(want.size() - 48));
  fs::remove_all(d);
}

TEST(Cli, ReportTableShowsTheScheduleOfEveryAcceleratorLayerAndTheTotals) {
  fs::path d = tempDir();
  Outcome c = runHtvm("compile " + kModel + " -o " + (d / "proj").string() + " --report");
  ASSERT_EQ(c.code, 0) << c.output;
  nlohmann::json r = nlohmann::json::parse(readFile(d / "proj" / "report.json"));
  // Every accelerator layer: its row shows the modeled cycles, and the line below it the tiling,
  // the cycle split, and a utilization exactly when it has MACs.
  std::istringstream in(c.output);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  size_t accel = 0;
  for (const nlohmann::json& l : r["layers"]) {
    if (l["core"] == "cpu") continue;
    ++accel;
    const std::string name = l["name"].get<std::string>();
    size_t row = 0;
    while (row < lines.size() && lines[row].find(" " + name + " ") == std::string::npos) ++row;
    ASSERT_LT(row + 1, lines.size()) << name << "\n" << c.output;
    const nlohmann::json& m = l["modeled"];
    EXPECT_NE(lines[row].find(" " + std::to_string(m["cycles"].get<int64_t>()) + " "),
              std::string::npos)
        << lines[row];
    const std::string& detail = lines[row + 1];
    EXPECT_EQ(detail.find("       " + m["tiling"].get<std::string>() + "; compute " +
                          std::to_string(m["compute"].get<int64_t>()) + " + weights "),
              0u)
        << detail;
    EXPECT_EQ(detail.find("utilization") != std::string::npos, l.value("macs", 0) > 0) << detail;
  }
  EXPECT_GT(accel, 0u);
  EXPECT_NE(c.output.find("modeled (ours schedule): " +
                          std::to_string(r["performance"]["total_cycles"].get<int64_t>()) +
                          " cycles"),
            std::string::npos)
      << c.output;
  fs::remove_all(d);
}

}  // namespace
