// The pass table and its driver loop: one record per pass in table order, statistics that agree
// with the graph the passes left (counted here from the graph, not from the passes' own
// counters), --dump-after printing the graph of the named pass, and failing passes located in
// the model file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "driver/pass_table.h"
#include "driver/pipeline.h"

namespace htvm {
namespace {

using testing::HasSubstr;
using testing::Not;

const std::string kModel = std::string(HTVM_SOURCE_DIR) + "/models/resnet8/ResNet_QL_NOANNOTATION.onnx";

int64_t stat(const PassRecord& r, const std::string& name) {
  for (const auto& [k, v] : r.stats)
    if (k == name) return v;
  ADD_FAILURE() << "pass '" << r.name << "' has no statistic '" << name << "'";
  return -1;
}

const PassRecord& record(const CompiledModel& m, const std::string& pass) {
  for (const PassRecord& r : m.passes)
    if (r.name == pass) return r;
  throw std::runtime_error("no record of pass " + pass);
}

int64_t countOp(const Graph& g, OpKind op) {
  int64_t n = 0;
  for (const Node& node : g.nodes) n += node.op == op ? 1 : 0;
  return n;
}

TEST(PassTable, NamesAreUniqueAndListed) {
  std::set<std::string> names;
  for (const Pass& p : passTable()) {
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate pass " << p.name;
    EXPECT_THAT(passNames(), HasSubstr(p.name));
    EXPECT_GT(std::string(p.summary).size(), 10u) << p.name;
  }
  EXPECT_EQ(passTable().front().name, std::string("import"));
}

// ResNet8 lowered for the digital accelerator.
Result<CompiledModel> lowerDigital(const std::string& schedule, bool verifyEach) {
  CompileOptions opts;
  opts.modelPath = kModel;
  opts.conf = "digital";
  opts.schedule = schedule;
  opts.verifyEach = verifyEach;
  return lowerModel(opts);
}

TEST(PassTable, EveryPassRunsOnceInOrderAndItsStatisticsMatchTheGraph) {
  Result<CompiledModel> m = lowerDigital("ours", true);
  ASSERT_TRUE(m.ok()) << m.diag().text();
  ASSERT_EQ(m->passes.size(), passTable().size());
  for (size_t i = 0; i < passTable().size(); ++i) {
    EXPECT_EQ(m->passes[i].name, passTable()[i].name);
    EXPECT_GE(m->passes[i].seconds, 0.0);
  }
  EXPECT_EQ(stat(record(*m, "import"), "nodes"), static_cast<int64_t>(m->floatGraph.nodes.size()));
  EXPECT_EQ(stat(record(*m, "integerize"), "nodes"), static_cast<int64_t>(m->integer.graph.nodes.size()));
  const Graph& g = m->graph;
  EXPECT_EQ(stat(record(*m, "fuse-requant"), "qconv2d"), countOp(g, OpKind::QConv2D));
  EXPECT_EQ(stat(record(*m, "fuse-requant"), "qdense"), countOp(g, OpKind::QDense));
  EXPECT_EQ(stat(record(*m, "fuse-input-quant"), "fused"), countOp(g, OpKind::QuantizeF32));
  const int64_t relayouts = countOp(g, OpKind::Relayout);
  EXPECT_EQ(stat(record(*m, "insert-relayout"), "inserted"), relayouts);
  EXPECT_GT(relayouts, 0) << "a digital ResNet8 has CPU/accelerator borders";
  // Partition counts the nodes before relayouts were inserted: every one on exactly one core.
  const PassRecord& part = record(*m, "partition");
  int64_t placed = 0, onDigital = 0;
  for (const auto& [core, n] : part.stats) placed += n;
  for (const Node& n : g.nodes) onDigital += n.accel >= 0 ? 1 : 0;
  EXPECT_EQ(placed, static_cast<int64_t>(g.nodes.size()) - relayouts);
  EXPECT_EQ(stat(part, "digital"), onDigital);
  EXPECT_EQ(stat(part, "analog"), 0) << "conf digital";
  EXPECT_EQ(stat(record(*m, "plan-l1"), "accelerator_layers"), onDigital);
  EXPECT_GE(stat(record(*m, "plan-arena"), "arena_bytes"), stat(record(*m, "plan-arena"), "lower_bound_bytes"));
}

TEST(PassTable, DumpAfterPrintsTheGraphOfThatPass) {
  CompileOptions opts;
  opts.modelPath = kModel;
  std::ostringstream before, after;
  opts.dumpAfter = "integerize";
  opts.dumpTo = &before;
  ASSERT_TRUE(lowerModel(opts).ok());
  opts.dumpAfter = "fuse-requant";
  opts.dumpTo = &after;
  ASSERT_TRUE(lowerModel(opts).ok());
  EXPECT_THAT(before.str(), HasSubstr("// IR after integerize\n"));
  EXPECT_THAT(before.str(), Not(HasSubstr("qconv2d(")));
  EXPECT_THAT(after.str(), HasSubstr("// IR after fuse-requant\n"));
  EXPECT_THAT(after.str(), HasSubstr("qconv2d("));
  EXPECT_THAT(after.str(), Not(HasSubstr("relayout("))) << "relayouts come later";
}

TEST(PassTable, UnknownDumpPassIsAnErrorListingThePasses) {
  CompileOptions opts;
  opts.modelPath = kModel;
  opts.dumpAfter = "fuse";
  Result<CompiledModel> m = lowerModel(opts);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.diag().text(), "unknown pass 'fuse' for --dump-after: passes are " + passNames());
}

TEST(PassTable, FailingPassIsLocatedInTheModelFile) {
  CompileOptions opts;
  opts.modelPath = "/nonexistent/model.onnx";
  Result<CompiledModel> m = lowerModel(opts);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.diag().file, "/nonexistent/model.onnx");
  EXPECT_EQ(m.diag().message, "no such file");
  EXPECT_EQ(m.diag().text(), "/nonexistent/model.onnx: no such file");
}

// The partition prices each accelerator layer with the tiler and keeps the result; the L1 stage
// reuses it for our schedule and tiles again only for the HTVM-style one, a different question.
TEST(PassTable, PlanL1ReusesThePartitionsTilingForOurSchedule) {
  for (const std::string schedule : {"ours", "htvm"}) {
    Result<CompiledModel> m = lowerDigital(schedule, false);
    ASSERT_TRUE(m.ok()) << m.diag().text();
    int64_t accel = 0;
    for (size_t i = 0; i < m->graph.nodes.size(); ++i) {
      if (m->graph.nodes[i].accel < 0) continue;
      ++accel;
      EXPECT_TRUE(m->decisions[i].tiling.has_value()) << m->graph.nodes[i].name;
    }
    ASSERT_GT(accel, 0);
    const PassRecord& l1 = record(*m, "plan-l1");
    EXPECT_EQ(stat(l1, "accelerator_layers"), accel);
    EXPECT_EQ(stat(l1, "tiler_runs"), schedule == "ours" ? 0 : accel) << schedule;
  }
}

// The in-memory path the fuzz target takes: model bytes in, the project's files out, nothing
// written; the files are the ones compileModel writes for the same model (report.json aside: it
// records each compile's own pass times).
TEST(Pipeline, GenerateProjectFromBytesMatchesCompileAndWritesNothing) {
  std::ifstream in(kModel, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "htvm_generate_project_test";
  std::filesystem::remove_all(dir);
  CompileOptions opts;
  opts.modelPath = kModel;
  opts.modelBytes = bytes.str();
  opts.outDir = dir.string();
  Result<GeneratedProject> p = generateProject(opts);
  ASSERT_TRUE(p.ok()) << p.diag().text();
  EXPECT_FALSE(std::filesystem::exists(dir));
  ASSERT_TRUE(compileModel(opts).ok());
  ASSERT_GT(p->files.size(), 10u);
  for (const GeneratedFile& f : p->files) {
    if (f.path == "report.json") continue;
    std::ifstream written(dir / f.path, std::ios::binary);
    std::ostringstream text;
    text << written.rdbuf();
    EXPECT_TRUE(text.str() == f.text) << f.path << " differs from what compileModel wrote";
  }
  std::filesystem::remove_all(dir);
}

// modelPath names bytes given in memory, in messages as for a file.
TEST(Pipeline, ModelBytesAreNamedByModelPathInErrors) {
  CompileOptions opts;
  opts.modelPath = "mem.onnx";
  opts.modelBytes = std::string("not a model");
  Result<GeneratedProject> p = generateProject(opts);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.diag().text(), testing::StartsWith("mem.onnx: not an ONNX model"));
}

}  // namespace
}  // namespace htvm
