#include "ir/op_registry.h"

#include <gtest/gtest.h>

#include <set>

#include "ir/verify.h"
#include "support/graph_builder.h"

namespace htvm {
namespace {

TEST(OpRegistry, EveryKindHasAUniqueNameAndShapeRule) {
  const OpRegistry& r = OpRegistry::builtin();
  std::set<std::string> names;
  for (int k = 0; k < static_cast<int>(OpKind::kCount); ++k) {
    const OpDef& d = r.get(static_cast<OpKind>(k));
    EXPECT_EQ(static_cast<int>(d.kind), k);
    EXPECT_TRUE(names.insert(d.name).second) << d.name;
    EXPECT_TRUE(static_cast<bool>(d.shape)) << d.name;
  }
}

TEST(Broadcast, FollowsNumpyRules) {
  EXPECT_EQ(broadcastShapes({1, 16, 8, 8}, {1, 16, 1, 1}).value(), (Shape{1, 16, 8, 8}));
  EXPECT_EQ(broadcastShapes({1, 16, 8, 8}, {1}).value(), (Shape{1, 16, 8, 8}));
  EXPECT_EQ(broadcastShapes({4, 1}, {3}).value(), (Shape{4, 3}));
  auto bad = broadcastShapes({1, 16, 8, 8}, {1, 15, 1, 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.diag().message.find("do not broadcast"), std::string::npos);
}

// x:i8[1,4,9,9] -> conv kxk (8 outputs, no bias) : i32, the output shape worked out here.
Graph convGraph(int64_t k, int64_t stride, int64_t pad) {
  testing::GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 4, 9, 9}});
  TensorId w = b.filled("w", {DType::I8, {8, 4, k, k}}, 1.0);
  int64_t o = (9 + 2 * pad - k) / stride + 1;
  return b.output(b.node("conv", OpKind::Conv2D, {x, w, -1}, {DType::I32, {1, 8, o, o}},
                         testing::convAttrs({stride, stride}, {pad, pad, pad, pad}, {1, 1}, 1)));
}

TEST(Verify, AcceptsWellFormedConv) {
  EXPECT_TRUE(verify(convGraph(3, 2, 1)).ok());
  EXPECT_TRUE(verify(convGraph(1, 1, 0)).ok());
}

TEST(Verify, RejectsWrongOutputShapeNamingTheNode) {
  Graph g = convGraph(3, 1, 1);
  g.tensor(g.outputs[0]).type.shape = {1, 8, 8, 8};
  Status s = verify(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.diag().message.find("node 'conv'"), std::string::npos) << s.diag().message;
  EXPECT_NE(s.diag().message.find("1x8x9x9"), std::string::npos) << s.diag().message;
}

TEST(Verify, RejectsUseBeforeDefinition) {
  Graph g = convGraph(3, 1, 1);
  g.inputs.clear();
  Status s = verify(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.diag().message.find("before it is defined"), std::string::npos);
}

TEST(Verify, RejectsFloatOnlyOpOnIntegers) {
  testing::GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {4}});
  Graph& g = b.output(b.node("f", OpKind::Floor, {x}, {DType::I8, {4}}));
  Status s = verify(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.diag().message.find("float-only"), std::string::npos);
}

// In-place reuse is a property of elementwise kernels only; ops that read a window or a whole
// row (conv, dense, pools, relayout) must never be offered an input's buffer.
TEST(OpProps, OnlyElementwiseOpsAreInPlaceSafe) {
  for (int k = 0; k < static_cast<int>(OpKind::kCount); ++k) {
    const OpProps& p = opProps(static_cast<OpKind>(k));
    if (p.inPlaceSafe) {
      EXPECT_TRUE(p.elementwise) << opName(static_cast<OpKind>(k));
    }
  }
  for (OpKind k : {OpKind::Conv2D, OpKind::QConv2D, OpKind::AnalogConv2D, OpKind::Dense,
                   OpKind::QDense, OpKind::GlobalAvgPool, OpKind::GlobalSum, OpKind::Relayout,
                   OpKind::Reshape})
    EXPECT_FALSE(opProps(k).inPlaceSafe) << opName(k);
  for (OpKind k : {OpKind::Add, OpKind::Mul, OpKind::Clip, OpKind::ShiftRight, OpKind::QAdd})
    EXPECT_TRUE(opProps(k).inPlaceSafe) << opName(k);
}

// Conv with `group` groups: x [1, 4, 9, 9], w [8, 4/group, 3, 3], stride 2, pad 1 -> y [1, 8, 5, 5].
Graph groupedConv(int64_t group) {
  Graph g = convGraph(3, 2, 1);
  Node& n = g.nodes[0];
  n.attrs["group"] = group;
  g.tensor(n.inputs[1]).type.shape = {8, 4 / group, 3, 3};
  return g;
}

TEST(OpProps, MacsCountOneMultiplyPerOutputAndTap) {
  // 8 * 5 * 5 outputs, each over 4 input channels * 9 taps.
  EXPECT_EQ(nodeMacs(convGraph(3, 2, 1), convGraph(3, 2, 1).nodes[0]), 200 * 36);
  Graph g2 = groupedConv(2);  // each output sees 2 channels of its group
  EXPECT_EQ(nodeMacs(g2, g2.nodes[0]), 200 * 18);
  Graph g4 = groupedConv(4);  // depthwise-like: one channel per output
  EXPECT_EQ(nodeMacs(g4, g4.nodes[0]), 200 * 9);

  Graph d;
  TensorId x = d.addTensor({"x", {DType::I8, {2, 16}}, std::nullopt});
  TensorId w = d.addConstant("w", {DType::I8, {10, 16}}, std::vector<double>(160, 1.0));
  TensorId y = d.addTensor({"y", {DType::I32, {2, 10}}, std::nullopt});
  Node n;
  n.name = "fc";
  n.op = OpKind::Dense;
  n.inputs = {x, w, -1};
  n.outputs = {y};
  n.attrs = {{"trans_b", int64_t{1}}};
  d.addNode(n);
  EXPECT_EQ(nodeMacs(d, d.nodes[0]), 2 * 10 * 16);
  n.op = OpKind::Add;
  EXPECT_EQ(nodeMacs(d, n), 0);
}

}  // namespace
}  // namespace htvm
