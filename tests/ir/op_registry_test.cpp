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

}  // namespace
}  // namespace htvm
