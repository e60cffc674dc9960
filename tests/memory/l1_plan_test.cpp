// L1 placement of whole accelerator layers: aligned, granule-rounded, disjoint, within L1.
#include "memory/l1_plan.h"

#include <gtest/gtest.h>

namespace htvm {
namespace {

Graph twoInputLayer(Shape s, Layout layout) {
  Graph g;
  TensorId a = g.addTensor({"a", {DType::I8, s, layout}, std::nullopt});
  TensorId b = g.addTensor({"b", {DType::I8, s, layout}, std::nullopt});
  TensorId y = g.addTensor({"y", {DType::I8, s, layout}, std::nullopt});
  Node n;
  n.name = "add";
  n.op = OpKind::QAdd;
  n.inputs = {a, b};
  n.outputs = {y};
  n.attrs = {{"shift", int64_t{0}}, {"lo", int64_t{-128}}, {"hi", int64_t{127}}};
  n.accel = 0;
  g.addNode(n);
  g.inputs = {a, b};
  g.outputs = {y};
  return g;
}

TEST(L1Plan, PlacesOperandsAlignedAndRoundedToTheGranule) {
  // 1x3x5x5 in CHW_W16_REV4: 3 * 5 * 16 = 240 bytes -> 256 with a 32 B granule.
  Graph g = twoInputLayer({1, 3, 5, 5}, Layout::CHW_W16_REV4);
  L1Limits lim{{4096}, {32}, 32};
  auto p = planL1(g, lim);
  ASSERT_TRUE(p.ok()) << p.diag().message;
  const L1LayerPlan& lp = p->layers[0];
  ASSERT_EQ(lp.inputs.size(), 2u);
  EXPECT_EQ(lp.inputs[0].offset, 0);
  EXPECT_EQ(lp.inputs[0].bytes, 256);
  EXPECT_EQ(lp.inputs[1].offset, 256);
  EXPECT_EQ(lp.output.offset, 512);
  EXPECT_EQ(lp.used, 768);
  EXPECT_TRUE(l1PlanIsValid(*p, lim));
}

TEST(L1Plan, RejectsALayerLargerThanL1NamingIt) {
  Graph g = twoInputLayer({1, 3, 5, 5}, Layout::CHW_W16_REV4);
  auto p = planL1(g, L1Limits{{700}, {32}, 32});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.diag().message.find("node 'add'"), std::string::npos) << p.diag().message;
  EXPECT_NE(p.diag().message.find("768"), std::string::npos) << p.diag().message;
}

TEST(L1Plan, CheckerCatchesOverlapAndOverflow) {
  Graph g = twoInputLayer({1, 3, 5, 5}, Layout::CHW_W16_REV4);
  L1Limits lim{{4096}, {32}, 32};
  L1Plan p = planL1(g, lim).value();
  L1Plan overlap = p;
  overlap.layers[0].inputs[1].offset = 128;
  EXPECT_FALSE(l1PlanIsValid(overlap, lim));
  L1Plan overflow = p;
  overflow.layers[0].output.offset = 4000;
  EXPECT_FALSE(l1PlanIsValid(overflow, lim));
}

}  // namespace
}  // namespace htvm
