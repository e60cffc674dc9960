// insertRelayouts: conversions only at real borders between cores with different layouts.
#include "passes/insert_relayout.h"

#include <gtest/gtest.h>

#include "ir/layout.h"
#include "ir/op_registry.h"
#include "ir/verify.h"

namespace htvm {
namespace {

struct Builder {
  Graph g;
  TensorId input(Shape s) {
    TensorId t = g.addTensor({"x", {DType::I8, s}, std::nullopt});
    g.inputs.push_back(t);
    return t;
  }
  TensorId node(const std::string& name, OpKind op, std::vector<TensorId> ins, std::map<std::string, AttrValue> attrs,
                int accel) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = std::move(ins);
    n.attrs = std::move(attrs);
    n.accel = accel;
    Result<Shape> s = OpRegistry::builtin().get(op).shape(g, n);
    EXPECT_TRUE(s.ok()) << s.diag().message;
    n.outputs = {g.addTensor({name + ".out", {DType::I8, s.value()}, std::nullopt})};
    g.addNode(n);
    return n.outputs[0];
  }
  TensorId qconv(const std::string& name, TensorId x, int accel) {
    int64_t c = g.type(x).shape[1];
    TensorId w = g.addConstant(name + ".w", {DType::I8, {c, c, 1, 1}}, std::vector<double>(static_cast<size_t>(c * c), 1));
    return node(name, OpKind::QConv2D, {x, w},
                {{"strides", Ints{1, 1}}, {"pads", Ints{0, 0, 0, 0}}, {"dilations", Ints{1, 1}}, {"group", int64_t{1}},
                 {"shift", int64_t{2}}, {"lo", int64_t{-128}}, {"hi", int64_t{127}}},
                accel);
  }
};

Layout accelLayout(const Graph&, const Node& n, int) {
  return n.accel < 0 ? Layout::NCHW : Layout::CHW_W16_REV4;
}

int countRelayouts(const Graph& g) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == OpKind::Relayout;
  return c;
}

TEST(InsertRelayout, ConvertsOnlyAtCoreBorders) {
  Builder b;
  TensorId x = b.input({1, 4, 5, 5});
  TensorId y = b.qconv("a", x, 0);
  TensorId z = b.qconv("b", y, 0);
  TensorId o = b.node("relu", OpKind::Clip, {z}, {{"lo", 0.0}, {"hi", 127.0}}, -1);
  b.g.outputs = {o};
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
  Builder b;
  TensorId x = b.input({1, 4, 5, 5});
  TensorId y = b.qconv("a", x, 0);
  TensorId c1 = b.node("c1", OpKind::Clip, {y}, {{"lo", 0.0}, {"hi", 127.0}}, -1);
  TensorId c2 = b.node("c2", OpKind::Clip, {y}, {{"lo", -5.0}, {"hi", 5.0}}, -1);
  TensorId s = b.node("sum", OpKind::QAdd, {c1, c2}, {{"shift", int64_t{1}}, {"lo", int64_t{-128}}, {"hi", int64_t{127}}}, 0);
  b.g.outputs = {s};
  auto r = insertRelayouts(b.g, accelLayout);
  ASSERT_TRUE(r.ok()) << r.diag().message;
  // x in, y out (shared by c1 and c2), c1 in, c2 in, and the graph output back to NCHW.
  EXPECT_EQ(r->inserted, 5);
  EXPECT_EQ(countRelayouts(b.g), 5);
  EXPECT_EQ(b.g.type(b.g.outputs[0]).layout, Layout::NCHW);
  EXPECT_EQ(b.g.tensor(b.g.outputs[0]).name, "sum.out");
  EXPECT_TRUE(verify(b.g).ok());
}

TEST(InsertRelayout, CpuOnlyGraphIsUnchanged) {
  Builder b;
  TensorId x = b.input({1, 4, 5, 5});
  TensorId y = b.qconv("a", x, -1);
  b.g.outputs = {y};
  auto r = insertRelayouts(b.g, accelLayout);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(b.g.nodes.size(), 1u);
}

TEST(InsertRelayout, RejectsALayoutTheTensorCannotHave) {
  Builder b;
  TensorId x = b.input({2, 4, 5, 5});  // batch 2: accelerator layouts are batch 1
  TensorId y = b.qconv("a", x, 0);
  b.g.outputs = {y};
  auto r = insertRelayouts(b.g, accelLayout);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("node 'a'"), std::string::npos) << r.diag().message;
}

}  // namespace
}  // namespace htvm
