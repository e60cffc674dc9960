// L1 placement of scheduled accelerator layers: aligned, disjoint, within L1, double buffers,
// resident tensors kept at the top of L1 over their lifetime.
#include "memory/l1_plan.h"

#include <gtest/gtest.h>

#include "support/graph_builder.h"

namespace htvm {
namespace {

using testing::GraphBuilder;

// A QAdd of two inputs on accelerator 0, every tensor of shape s in `layout`.
Graph twoInputLayer(Shape s, Layout layout) {
  GraphBuilder b;
  const TensorType t{DType::I8, s, layout};
  TensorId x = b.input("a", t), y = b.input("b", t);
  return b.output(
      b.node({"add", "", 0}, OpKind::QAdd, {x, y}, t, testing::withRequant({}, 0, -128, 127)));
}

// A schedule as the tiler would hand it over: only the buffer fields matter to the planner.
LayerSchedule buffers(std::vector<int64_t> in, int32_t inCount, int64_t out, int32_t outCount) {
  LayerSchedule s;
  s.inBufBytes = in;
  s.inBufCount.assign(in.size(), inCount);
  s.inResident.assign(in.size(), false);
  s.outBufBytes = out;
  s.outBufCount = outCount;
  return s;
}

TEST(L1Plan, PlacesOperandsOneAfterTheOther) {
  // 1x3x5x5 in CHW_W16_REV4: 3 * 5 * 16 = 240 bytes -> 256 with a 32 B granule.
  Graph g = twoInputLayer({1, 3, 5, 5}, Layout::CHW_W16_REV4);
  L1Limits lim{{4096}, {32}, 32};
  auto p = planL1(g, lim, {buffers({256, 256}, 1, 256, 1)});
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

TEST(L1Plan, DoubleBuffersGetTwoSlotsEach) {
  Graph g = twoInputLayer({1, 3, 5, 5}, Layout::CHW_W16_REV4);
  L1Limits lim{{4096}, {32}, 32};
  auto p = planL1(g, lim, {buffers({64, 64}, 2, 96, 2)});
  ASSERT_TRUE(p.ok()) << p.diag().message;
  const L1LayerPlan& lp = p->layers[0];
  EXPECT_EQ(lp.inputOffsets[0], (std::vector<int64_t>{0, 64}));
  EXPECT_EQ(lp.inputOffsets[1], (std::vector<int64_t>{128, 192}));
  EXPECT_EQ(lp.outputOffsets, (std::vector<int64_t>{256, 352}));
  EXPECT_EQ(lp.used, 448);
  EXPECT_TRUE(l1PlanIsValid(*p, lim));
}

TEST(L1Plan, RejectsALayerLargerThanL1NamingIt) {
  Graph g = twoInputLayer({1, 3, 5, 5}, Layout::CHW_W16_REV4);
  auto p = planL1(g, L1Limits{{700}, {32}, 32}, {buffers({256, 256}, 1, 256, 1)});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.diag().message.find("node 'add'"), std::string::npos) << p.diag().message;
  EXPECT_NE(p.diag().message.find("256 B buffer for 'add_out'"), std::string::npos)
      << p.diag().message;
}

// x -> n0 -> n1 -> n2, each node adding its input to itself on accelerator 0.
Graph chain3() {
  GraphBuilder b;
  const TensorType t{DType::I8, {1, 4, 4, 4}, Layout::CHW_W16_REV4};
  TensorId v = b.input("x", t);
  for (int i = 0; i < 3; ++i)
    v = b.node({"n" + std::to_string(i), "", 0}, OpKind::QAdd, {v, v}, t,
               testing::withRequant({}, 0, -128, 127));
  return b.output(v);
}

TEST(L1Plan, ResidentTensorsSitAtTheTopOverTheirLifetime) {
  Graph g = chain3();
  L1Limits lim{{1024}, {32}, 32};
  std::vector<std::optional<LayerSchedule>> s(3, buffers({256, 256}, 1, 256, 1));
  s[0]->outResident = true;  // n0's output stays in L1 until n1 has read it
  s[1]->inResident = {true, true};
  auto p = planL1(g, lim, s);
  ASSERT_TRUE(p.ok()) << p.diag().message;
  ASSERT_EQ(p->residents.size(), 1u);
  EXPECT_EQ(p->residents[0].offset, 768);
  EXPECT_EQ(p->residents[0].producer, 0u);
  EXPECT_EQ(p->residents[0].lastConsumer, 1u);
  EXPECT_EQ(p->layers[0].output.offset, 768);
  EXPECT_EQ(p->layers[1].inputOffsets[0], (std::vector<int64_t>{768}));
  EXPECT_EQ(p->layers[1].inputOffsets[1], (std::vector<int64_t>{768}));
  EXPECT_EQ(p->layers[1].output.offset, 0);  // working buffers start at the bottom
  EXPECT_TRUE(l1PlanIsValid(*p, lim));

  // With 700 B the slot sits at 416 and n0's second input finds no room around it.
  L1Limits small{{700}, {32}, 32};
  auto q = planL1(g, small, s);
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.diag().message.find("node 'n0'"), std::string::npos) << q.diag().message;
}

TEST(L1Plan, CheckerCatchesOverlapOverflowAndMisalignment) {
  Graph g = twoInputLayer({1, 3, 5, 5}, Layout::CHW_W16_REV4);
  L1Limits lim{{4096}, {32}, 32};
  L1Plan p = planL1(g, lim, {buffers({256, 256}, 1, 256, 1)}).value();
  L1Plan overlap = p;
  overlap.layers[0].inputOffsets[1] = {128};
  EXPECT_FALSE(l1PlanIsValid(overlap, lim));
  L1Plan overflow = p;
  overflow.layers[0].outputOffsets = {3872};
  EXPECT_FALSE(l1PlanIsValid(overflow, lim));
  L1Plan odd = p;
  odd.layers[0].outputOffsets = {2000};
  EXPECT_FALSE(l1PlanIsValid(odd, lim));
}

}  // namespace
}  // namespace htvm
