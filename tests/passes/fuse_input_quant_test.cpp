// fuseInputQuant on hand-built float graphs shaped like integerize's output for a Quantlib input:
// x -> div(2^-k) -> floor -> max(lo) -> min(hi) -> cast(i8). The chain and its variants (mul, either
// clip order, clip nodes, constants first) fuse into one quantize_f32 with the expected
// attributes; each non-matching variant is left alone. Semantics: the graph before and after the
// pass run through the reference interpreter on every special value and on random bit patterns,
// and must agree exactly wherever the unfused chain is defined; where it is not (a NaN or an
// out-of-range value reaching the cast: the interpreter reports it) the fused op's definition is
// checked instead.
#include "passes/fuse_input_quant.h"

#include <gtest/gtest.h>

#include <cmath>

#include "interp/interp_test_util.h"
#include "interp/quantize_f32_values.h"
#include "ir/verify.h"

namespace htvm {
namespace {

using interp::Buffer;
using testing::Attrs;
using testing::GraphBuilder;

const Shape kShape = {1, 3, 4, 4};

struct Chain {
  double scale = 0.0078125;  // 2^-7
  bool mul = false;          // mul by `scale` instead of div
  bool constFirst = false;   // max(c, v) / min(c, v) / mul(c, x)
  bool floor = true;
  bool minFirst = false;
  bool useClipNode = false;  // one clip(lo, hi) instead of max + min
  std::optional<double> lo = -128, hi = 127;
  DType to = DType::I8;
  bool floorHasSecondReader = false;
  bool floorIsOutput = false;
};

Graph build(const Chain& c) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, kShape});
  TensorId s = b.constant("s", {DType::F32, {}}, {c.scale});
  TensorId v =
      c.mul ? b.node("scale", OpKind::Mul, c.constFirst ? std::vector{s, x} : std::vector{x, s},
                     {DType::F32, kShape})
            : b.node("scale", OpKind::Div, {x, s}, {DType::F32, kShape});
  if (c.floor) v = b.node("floor", OpKind::Floor, {v}, {DType::F32, kShape});
  const TensorId floored = v;
  auto clip = [&](const char* name, OpKind op, double bound) {
    TensorId k = b.constant(std::string(name) + "_c", {DType::F32, {1}}, {bound});
    return b.node(name, op, c.constFirst ? std::vector{k, v} : std::vector{v, k},
                  {DType::F32, kShape});
  };
  if (c.useClipNode) {
    v = b.node("clip", OpKind::Clip, {v}, {DType::F32, kShape},
               Attrs{{"lo", *c.lo}, {"hi", *c.hi}});
  } else {
    if (c.minFirst && c.hi) v = clip("min", OpKind::Min, *c.hi);
    if (c.lo) v = clip("max", OpKind::Max, *c.lo);
    if (!c.minFirst && c.hi) v = clip("min", OpKind::Min, *c.hi);
  }
  TensorId y = b.node("cast", OpKind::Cast, {v}, {c.to, kShape});
  if (c.floorHasSecondReader) {
    TensorId z = b.node("other", OpKind::Cast, {floored}, {DType::I32, kShape});
    b.g.outputs = {y, z};
  } else if (c.floorIsOutput) {
    b.g.outputs = {y, floored};
  } else {
    b.g.outputs = {y};
  }
  EXPECT_TRUE(verify(b.g).ok()) << verify(b.g).diag().message;
  return b.g;
}

// Runs both graphs element by element on `values` (one single-element sample per value would be
// slow: the values are packed into samples of the input size, where the unfused chain is defined).
void expectSameValues(const Graph& before, const Graph& after, const std::vector<float>& values,
                      bool nanDefined) {
  const size_t n = static_cast<size_t>(numElements(kShape));
  std::vector<float> ok;
  for (float v : values) {
    if (std::isnan(v) && !nanDefined) continue;
    ok.push_back(v);
  }
  while (ok.size() % n) ok.push_back(0.0f);
  for (size_t base = 0; base < ok.size(); base += n) {
    Buffer in(ok.begin() + static_cast<std::ptrdiff_t>(base),
              ok.begin() + static_cast<std::ptrdiff_t>(base + n));
    Buffer want = testing::runLast(before, {in});
    Buffer got = testing::runLast(after, {in});
    ASSERT_EQ(want, got) << "inputs from element " << base;
  }
}

int count(const Graph& g, OpKind k) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.op == k;
  return n;
}

// Fuses a copy; returns it and the fused node (nullptr if none).
Graph fused(const Graph& g, int expectFused) {
  Graph f = g;
  Result<FuseInputQuantStats> r = fuseInputQuant(f);
  EXPECT_TRUE(r.ok()) << r.diag().message;
  if (r.ok()) {
    EXPECT_EQ(r.value().fused, expectFused);
  }
  EXPECT_TRUE(verify(f).ok());
  return f;
}

const Node& quantNode(const Graph& g) {
  for (const Node& n : g.nodes)
    if (n.op == OpKind::QuantizeF32) return n;
  static Node none;
  ADD_FAILURE() << "no quantize_f32 node";
  return none;
}

void expectUnfused(const Chain& c) {
  Graph g = build(c);
  Graph f = fused(g, 0);
  EXPECT_EQ(f.nodes.size(), g.nodes.size());
  EXPECT_EQ(count(f, OpKind::QuantizeF32), 0);
}

// Fuses `c`, checks the attributes and the values against the unfused graph.
void expectFused(const Chain& c, int64_t k, int64_t lo, int64_t hi, int64_t nan, bool nanDefined) {
  Graph g = build(c);
  Graph f = fused(g, 1);
  ASSERT_EQ(f.nodes.size(), 1u);
  const Node& q = quantNode(f);
  EXPECT_EQ(q.attrInt("k"), k);
  EXPECT_EQ(q.attrInt("lo"), lo);
  EXPECT_EQ(q.attrInt("hi"), hi);
  EXPECT_EQ(q.attrInt("nan"), nan);
  EXPECT_EQ(q.inputs[0], g.inputs[0]);
  EXPECT_EQ(q.outputs[0], g.outputs[0]);
  std::vector<float> values = testing::quantizeSpecialValues(static_cast<int>(k), lo, hi);
  std::vector<float> random = testing::randomFloatBits(20000, 7);
  values.insert(values.end(), random.begin(), random.end());
  expectSameValues(g, f, values, nanDefined);
}

TEST(FuseInputQuant, QuantlibInputChain) {
  expectFused({}, 7, -128, 127, 0, false);
}

TEST(FuseInputQuant, Variants) {
  Chain c;
  c.mul = true;
  c.scale = 16;  // mul by 2^4
  expectFused(c, 4, -128, 127, 0, false);
  c.constFirst = true;  // mul(2^4, x), max(-128, v) turns NaN into -128, then min gives -128
  expectFused(c, 4, -128, 127, -128, true);
  c = Chain{};
  c.minFirst = true;
  c.lo = 0;
  expectFused(c, 7, 0, 127, 0, false);
  c.constFirst = true;  // min(127, NaN) = 127, then max(0, 127)
  expectFused(c, 7, 0, 127, 127, true);
  c = Chain{};
  c.scale = 1;  // k = 0
  c.useClipNode = true;
  c.lo = -32;
  c.hi = 31;
  expectFused(c, 0, -32, 31, 0, false);
  c = Chain{};
  c.scale = std::ldexp(1.0, -149);  // the smallest subnormal: k = 149
  expectFused(c, 149, -128, 127, 0, false);
  c = Chain{};
  c.to = DType::I16;
  c.hi = 1000;
  expectFused(c, 7, -128, 1000, 0, false);
}

// A missing bound saturates at the dtype (where the chain's cast would be out of range).
TEST(FuseInputQuant, OneSidedClipClosesWithDtype) {
  Chain c;
  c.hi.reset();
  c.lo = 0;
  Graph f = fused(build(c), 1);
  EXPECT_EQ(quantNode(f).attrInt("lo"), 0);
  EXPECT_EQ(quantNode(f).attrInt("hi"), 127);
  c.lo.reset();  // no clip at all
  f = fused(build(c), 1);
  EXPECT_EQ(quantNode(f).attrInt("lo"), -128);
  EXPECT_EQ(quantNode(f).attrInt("hi"), 127);
  // Defined values agree: those within the dtype after the scale.
  Graph g = build(c);
  std::vector<float> in;
  for (int j = -128 * 128; j < 128 * 128; j += 7) in.push_back(static_cast<float>(j) / 16384.0f * 0.99f);
  expectSameValues(g, f, in, false);
}

TEST(FuseInputQuant, NonMatchingChainsAreLeftAlone) {
  Chain c;
  c.scale = 3;
  expectUnfused(c);  // not a power of two
  c.scale = 2;
  expectUnfused(c);  // div by 2^1: k = -1
  c = Chain{};
  c.mul = true;
  c.scale = 0.5;
  expectUnfused(c);  // mul by 2^-1: k = -1
  c = Chain{};
  c.floorHasSecondReader = true;
  expectUnfused(c);
  c = Chain{};
  c.floorIsOutput = true;
  expectUnfused(c);
  c = Chain{};
  c.floor = false;
  expectUnfused(c);
  c = Chain{};
  c.hi = 200;  // outside i8
  expectUnfused(c);
  c = Chain{};
  c.lo = -0.5;  // not an integer
  expectUnfused(c);
  c = Chain{};
  c.to = DType::F32;  // no integer cast
  expectUnfused(c);
}

TEST(FuseInputQuant, BroadcastingConstantIsLeftAlone) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1, 3, 1, 1}});
  TensorId s = b.constant("s", {DType::F32, {1, 1, 2, 2}}, {0.5, 0.5, 0.5, 0.5});
  TensorId v = b.node("div", OpKind::Div, {x, s}, {DType::F32, {1, 3, 2, 2}});
  v = b.node("floor", OpKind::Floor, {v}, {DType::F32, {1, 3, 2, 2}});
  b.output(b.node("cast", OpKind::Cast, {v}, {DType::I8, {1, 3, 2, 2}}));
  Graph f = fused(b.g, 0);
  EXPECT_EQ(f.nodes.size(), 3u);
}

}  // namespace
}  // namespace htvm
