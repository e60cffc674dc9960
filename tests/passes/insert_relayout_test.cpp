// insertRelayouts: conversions only at real borders between cores with different layouts.
#include "passes/insert_relayout.h"

#include <gtest/gtest.h>

#include "ir/layout.h"
#include "ir/verify.h"
#include "support/graph_builder.h"

namespace htvm {
namespace {

using testing::GraphBuilder;

TensorId input(GraphBuilder& b, Shape s) { return b.input("x", {DType::I8, std::move(s)}); }
// A 1x1 int8 conv keeping the channel count, placed on `accel`.
TensorId qconv(GraphBuilder& b, const std::string& name, TensorId x, int32_t accel) {
  int64_t c = b.g.type(x).shape[1];
  TensorId w = b.filled(name + "_w", {DType::I8, {c, c, 1, 1}}, 1);
  return b.node(
      {name, "", accel}, OpKind::QConv2D, {x, w}, DType::I8,
      testing::withRequant(testing::convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), 2, -128, 127));
}

Layout accelLayout(const Graph&, const Node& n, int) {
  return n.accel < 0 ? Layout::NCHW : Layout::CHW_W16_REV4;
}

int countRelayouts(const Graph& g) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == OpKind::Relayout;
  return c;
}

TEST(InsertRelayout, ConvertsOnlyAtCoreBorders) {
  GraphBuilder b;
  TensorId x = input(b, {1, 4, 5, 5});
  TensorId y = qconv(b, "a", x, 0);
  TensorId z = qconv(b, "b", y, 0);
  b.output(b.node("relu", OpKind::Clip, {z}, DType::I8, {{"lo", 0.0}, {"hi", 127.0}}));
  auto r = insertRelayouts(b.g, accelLayout);
  ASSERT_TRUE(r.ok()) << r.diag().message;
  EXPECT_EQ(r->inserted, 2);
  ASSERT_EQ(b.g.nodes.size(), 5u);
  // input -> relayout -> a -> b -> relayout -> relu
  EXPECT_EQ(b.g.nodes[0].op, OpKind::Relayout);
  EXPECT_EQ(b.g.nodes[1].name, "a");
  EXPECT_EQ(b.g.nodes[2].name, "b");
  EXPECT_EQ(b.g.nodes[3].op, OpKind::Relayout);
  EXPECT_EQ(b.g.nodes[4].name, "relu");
  EXPECT_EQ(b.g.type(y).layout, Layout::CHW_W16_REV4);  // a -> b needs no conversion
  EXPECT_EQ(b.g.nodes[2].inputs[0], y);
  EXPECT_EQ(b.g.type(b.g.nodes[4].inputs[0]).layout, Layout::NCHW);
  EXPECT_TRUE(verify(b.g).ok());
}

TEST(InsertRelayout, OneConversionServesSeveralConsumers) {
  GraphBuilder b;
  TensorId x = input(b, {1, 4, 5, 5});
  TensorId y = qconv(b, "a", x, 0);
  TensorId c1 = b.node("c1", OpKind::Clip, {y}, DType::I8, {{"lo", 0.0}, {"hi", 127.0}});
  TensorId c2 = b.node("c2", OpKind::Clip, {y}, DType::I8, {{"lo", -5.0}, {"hi", 5.0}});
  b.output(b.node({"sum", "", 0}, OpKind::QAdd, {c1, c2}, DType::I8,
                  testing::withRequant({}, 1, -128, 127)));
  auto r = insertRelayouts(b.g, accelLayout);
  ASSERT_TRUE(r.ok()) << r.diag().message;
  // x in, y out (shared by c1 and c2), c1 in, c2 in, and the graph output back to NCHW.
  EXPECT_EQ(r->inserted, 5);
  EXPECT_EQ(countRelayouts(b.g), 5);
  EXPECT_EQ(b.g.type(b.g.outputs[0]).layout, Layout::NCHW);
  EXPECT_EQ(b.g.tensor(b.g.outputs[0]).name, "sum_out");
  EXPECT_TRUE(verify(b.g).ok());
}

TEST(InsertRelayout, CpuOnlyGraphIsUnchanged) {
  GraphBuilder b;
  TensorId x = input(b, {1, 4, 5, 5});
  TensorId y = qconv(b, "a", x, -1);
  b.output(y);
  auto r = insertRelayouts(b.g, accelLayout);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(b.g.nodes.size(), 1u);
}

TEST(InsertRelayout, RejectsALayoutTheTensorCannotHave) {
  GraphBuilder b;
  TensorId x = input(b, {2, 4, 5, 5});  // batch 2: accelerator layouts are batch 1
  TensorId y = qconv(b, "a", x, 0);
  b.output(y);
  auto r = insertRelayouts(b.g, accelLayout);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("node 'a'"), std::string::npos) << r.diag().message;
}

}  // namespace
}  // namespace htvm
