// For every real model: the reference interpreter reproduces the exporter's recorded intermediate
// tensors (intermediates/intermediate_K.npy, mapped to ONNX names by onnx_tensor_map.json) on the
// model's input.npy, both on the float graph and on the integerized graph; and the float graph's
// output equals output.npy. These goldens come from the original export, not from htvm.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "driver/pipeline.h"
#include "e2e/real_models.h"
#include "interp/interpreter.h"
#include "support/npy.h"

namespace htvm {
namespace {

namespace fs = std::filesystem;
using testing_support::modelParamName;
using testing_support::modelTestName;
using testing_support::realModels;

class RealModel : public testing::TestWithParam<std::string> {};

TEST(RealModels, ArePresent) { EXPECT_GE(realModels().size(), 9u) << "looked in " << HTVM_SHARED_MODELS; }

TEST_P(RealModel, InterpreterMatchesRecordedIntermediates) {
  fs::path dir = fs::path(GetParam()).parent_path();
  CompileOptions opts;
  opts.modelPath = GetParam();
  Result<CompiledModel> m = lowerModel(opts);
  ASSERT_TRUE(m.ok()) << m.diag().message;
  Result<NpyArray> input = loadNpy((dir / "input.npy").string());
  ASSERT_TRUE(input.ok()) << input.diag().message;
  interp::Buffer x(input->data.begin(), input->data.end());

  const Graph& fg = m->floatGraph;
  const Graph& ig = m->integer.graph;
  auto fr = interp::run(fg, {x});
  ASSERT_TRUE(fr.ok()) << fr.diag().message;
  auto ir = interp::run(ig, {x});
  ASSERT_TRUE(ir.ok()) << ir.diag().message;

  std::ifstream mapFile(dir / "intermediates" / "onnx_tensor_map.json");
  ASSERT_TRUE(mapFile.good());
  nlohmann::json map = nlohmann::json::parse(mapFile);
  int floatChecked = 0, intChecked = 0;
  for (auto& [file, names] : map.items()) {
    Result<NpyArray> want = loadNpy((dir / "intermediates" / file).string());
    ASSERT_TRUE(want.ok()) << want.diag().message;
    for (const auto& jn : names) {
      std::string name = jn.get<std::string>();
      std::optional<TensorId> ft = fg.findTensor(name);
      ASSERT_TRUE(ft.has_value()) << name << " not in the float graph";
      const interp::Buffer& got = fr.value()[static_cast<size_t>(*ft)];
      ASSERT_EQ(got.size(), want->data.size()) << name;
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(static_cast<float>(got[i]), want->data[i]) << "float graph, " << name << " element " << i;
      ++floatChecked;
      auto it = m->integer.sameValue.find(name);
      if (it == m->integer.sameValue.end()) continue;
      const interp::Buffer& igot = ir.value()[static_cast<size_t>(it->second)];
      ASSERT_EQ(igot.size(), want->data.size()) << name;
      for (size_t i = 0; i < igot.size(); ++i)
        ASSERT_EQ(static_cast<float>(igot[i]), want->data[i]) << "integer graph, " << name << " element " << i;
      ++intChecked;
    }
  }
  EXPECT_GT(floatChecked, 0);
  // Every requantized activation the exporter recorded is an integer tensor of the new graph.
  EXPECT_EQ(intChecked, floatChecked);

  Result<NpyArray> out = loadNpy((dir / "output.npy").string());
  ASSERT_TRUE(out.ok()) << out.diag().message;
  const interp::Buffer& fy = fr.value()[static_cast<size_t>(fg.outputs[0])];
  const interp::Buffer& iy = ir.value()[static_cast<size_t>(ig.outputs[0])];
  ASSERT_EQ(fy.size(), out->data.size());
  for (size_t i = 0; i < fy.size(); ++i) {
    EXPECT_EQ(static_cast<float>(fy[i]), out->data[i]) << "float graph output " << i;
    EXPECT_EQ(static_cast<float>(iy[i]), out->data[i]) << "integer graph output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, RealModel, testing::ValuesIn(realModels()), modelParamName);

}  // namespace
}  // namespace htvm
