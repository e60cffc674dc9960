// report.json as the one report module writes it: per layer the node, its code and storage (from
// the graph and the arena plan), its core and reason (from the decisions), names that are not
// UTF-8, and the file compileModel writes being exactly this module's text.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "driver/pipeline.h"
#include "driver/report_json.h"
#include "support/graph_builder.h"

namespace htvm {
namespace {

using namespace htvm::testing;
namespace fs = std::filesystem;

CompileOptions named(const std::string& model) {
  CompileOptions o;
  o.modelPath = "/models/" + model;
  o.conf = "cpu";
  return o;
}

CompiledModel compiled(Graph g) {
  CompiledModel m;
  m.plan = planArena(g);
  m.graph = std::move(g);
  m.platform.name = "host";
  return m;
}

nlohmann::json parse(const std::string& text) { return nlohmann::json::parse(text); }

// x -> cast i8 -> conv (2 -> 3 channels, 2x2, bias) -> cast f32 -> Flatten (an arena alias) ->
// Reshape (the graph output, a copy).
Graph convGraph() {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 2, 3, 3}});
  TensorId xi = b.node("quant", OpKind::Cast, {x}, DType::I8);
  TensorId w = b.constant("conv.w", {DType::I8, {3, 2, 2, 2}}, std::vector<double>(24, 1));
  TensorId bias = b.constant("conv.b", {DType::I32, {3}}, {1, 2, 3});
  TensorId acc = b.node({"conv", "ConvInteger"}, OpKind::Conv2D, {xi, w, bias}, {DType::I32, {1, 3, 2, 2}},
                        convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1));
  TensorId f = b.node("dequant", OpKind::Cast, {acc}, DType::F32);
  TensorId flat = b.node({"flat", "Flatten"}, OpKind::Reshape, {f}, {DType::F32, {1, 12}}, {{"shape", Ints{1, 12}}});
  return b.output(b.node({"out", "Reshape"}, OpKind::Reshape, {flat}, {DType::F32, {12}}, {{"shape", Ints{12}}}));
}

TEST(ReportJson, LayersStorageMacsAndMemory) {
  CompiledModel m = compiled(convGraph());
  ASSERT_EQ(m.plan.offset[static_cast<size_t>(m.graph.nodes[3].outputs[0])],
            m.plan.offset[static_cast<size_t>(m.graph.nodes[2].outputs[0])])
      << "the Flatten is meant to alias its input";
  nlohmann::json r = parse(reportJson(m, named("tiny.onnx")));
  EXPECT_EQ(r["model"], "tiny");
  EXPECT_EQ(r["source"], "tiny.onnx");
  EXPECT_EQ(r["platform"], "host");
  EXPECT_EQ(r["conf"], "cpu");
  EXPECT_EQ(r["input"]["shape"], (std::vector<int64_t>{1, 2, 3, 3}));
  EXPECT_EQ(r["output"]["name"], m.graph.tensor(m.graph.outputs[0]).name);
  ASSERT_EQ(r["layers"].size(), 5u);
  const auto& conv = r["layers"][1];
  EXPECT_EQ(conv["name"], "conv");
  EXPECT_EQ(conv["source_op"], "ConvInteger");
  EXPECT_EQ(conv["op"], "conv2d");
  EXPECT_EQ(conv["function"], "htvm_l1_conv");
  EXPECT_EQ(conv["output"]["dtype"], "i32");
  EXPECT_EQ(conv["macs"], 12 * 2 * 2 * 2);  // 12 outputs x 2 channels x 2x2 taps
  EXPECT_EQ(conv["storage"], "arena");
  EXPECT_EQ(conv["arena_bytes"], 12 * 4);
  EXPECT_FALSE(r["layers"][0].contains("macs"));
  EXPECT_TRUE(r["layers"][3]["function"].is_null());
  EXPECT_EQ(r["layers"][3]["storage"], "arena (aliases input)");
  EXPECT_EQ(r["layers"][4]["storage"], "output");
  EXPECT_EQ(r["layers"][4]["bytes"], 12 * 4);
  EXPECT_EQ(r["total_macs"], 96);
  EXPECT_EQ(r["memory"]["arena_bytes"], m.plan.size);
  EXPECT_EQ(r["memory"]["weights_bytes"], 24 + 3 * 4);  // int8 weights and int32 bias
  EXPECT_EQ(r["memory"]["accelerator_weights_bytes"], 0);
  EXPECT_FALSE(r["layers"][1].contains("core")) << "no decisions were made for this graph";
}

TEST(ReportJson, CoreAndReasonComeFromTheDecisions) {
  CompiledModel m = compiled(convGraph());
  m.decisions.resize(m.graph.nodes.size());
  m.decisions[1].reason = "no accelerator takes conv2d with i32 output";
  m.decisions[1].candidates.push_back({-1, 1234.0, ""});
  m.platform.cpu.cost.cyclesPerMac.value = 2;
  m.platform.cpu.cost.cyclesPerElement.value = 1;
  nlohmann::json r = parse(reportJson(m, named("tiny.onnx")));
  const auto& conv = r["layers"][1];
  EXPECT_EQ(conv["core"], "cpu");
  EXPECT_EQ(conv["reason"], "no accelerator takes conv2d with i32 output");
  EXPECT_EQ(conv["predicted_cycles"], 1234);
  // The CPU cost model: per MAC, and per element of the larger activation (the 2x3x3 input).
  EXPECT_EQ(conv["modeled"]["cycles"], 96 * 2 + 18 * 1);
  EXPECT_FALSE(r["layers"][0].contains("reason"));
}

TEST(ReportJson, NamesThatAreNotUtf8BecomeReplacementCharacters) {
  const std::string rtl = "rtl\xe2\x80\xae" "evil";  // U+202E, valid UTF-8: kept
  GraphBuilder b;
  TensorId x = b.input("in\xc3\xa9", {DType::F32, {1, 4}});
  TensorId q = b.node(rtl, OpKind::Cast, {x}, DType::I8);
  CompiledModel m = compiled(b.output(b.node("bad\xff\xfe" "name", OpKind::Cast, {q}, DType::F32)));
  nlohmann::json r = parse(reportJson(m, named("m.onnx")));
  std::vector<std::string> names;
  for (const auto& l : r["layers"]) names.push_back(l["name"].get<std::string>());
  EXPECT_EQ(names, (std::vector<std::string>{rtl, "bad\xef\xbf\xbd\xef\xbf\xbdname"}));
  EXPECT_EQ(r["input"]["name"], "in\xc3\xa9");
}

// The file in the project is this module's text for the model compileModel returns, and its
// accelerator layers name the accelerator and carry their L1 buffers.
TEST(ReportJson, CompileWritesThisModulesReport) {
  fs::path dir = fs::temp_directory_path() / ("htvm_report_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  CompileOptions o;
  o.modelPath = std::string(HTVM_SOURCE_DIR) + "/models/resnet8/ResNet_QL_NOANNOTATION.onnx";
  o.outDir = dir.string();
  o.conf = "digital";
  Result<CompiledModel> m = compileModel(o);
  ASSERT_TRUE(m.ok()) << m.diag().message;
  std::ifstream f(dir / "report.json");
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_EQ(text.str(), reportJson(*m, o));
  nlohmann::json r = parse(text.str());
  int accelLayers = 0;
  for (size_t i = 0; i < m->graph.nodes.size(); ++i) {
    const Node& n = m->graph.nodes[i];
    const auto& l = r["layers"][i];
    EXPECT_EQ(l["name"], n.name);
    if (n.accel < 0) continue;
    ++accelLayers;
    EXPECT_EQ(l["core"], m->platform.accelerators[static_cast<size_t>(n.accel)].name);
    EXPECT_FALSE(l["l1"]["buffers"].empty()) << n.name;
  }
  EXPECT_GT(accelLayers, 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace htvm
