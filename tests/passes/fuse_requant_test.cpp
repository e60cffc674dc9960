// fuseRequant on hand-built integer graphs shaped like integerize's output: each pattern fuses
// into the expected node, multi-use intermediates and graph outputs block fusion, the analog chain
// fuses partially when its BN part does not match. Semantics are checked by running the graph
// before and after the pass through the reference interpreter on seeded random inputs: the
// unfused ops are the reference, never the fused kernels themselves.
#include "passes/fuse_requant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "interp/interpreter.h"
#include "ir/verify.h"
#include "support/graph_builder.h"

namespace htvm {
namespace {

using interp::Buffer;
using testing::Attrs;
using testing::convAttrs;
using testing::GraphBuilder;

constexpr double kInf = INFINITY;

Attrs clipAttrs(double lo, double hi) { return {{"lo", lo}, {"hi", hi}}; }
Attrs shiftAttrs(int64_t s) { return {{"shift", s}}; }

std::vector<double> randomInts(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<double> v(n);
  for (double& e : v) e = d(rng);
  return v;
}

// Random integer values for every graph input, within its dtype and [-1000, 1000].
std::vector<Buffer> randomInputs(const Graph& g, std::mt19937& rng) {
  std::vector<Buffer> in;
  for (TensorId t : g.inputs) {
    const TensorType& ty = g.type(t);
    const bool integer = isInteger(ty.dtype);
    const int lo = integer ? static_cast<int>(std::max<int64_t>(dtypeMin(ty.dtype), -1000)) : -1000;
    const int hi = integer ? static_cast<int>(std::min<int64_t>(dtypeMax(ty.dtype), 1000)) : 1000;
    in.push_back(randomInts(rng, static_cast<size_t>(ty.elements()), lo, hi));
  }
  return in;
}

std::vector<Buffer> outputs(const Graph& g, const std::vector<Buffer>& in) {
  Result<std::vector<Buffer>> r = interp::run(g, in);
  EXPECT_TRUE(r.ok()) << r.diag().message;
  std::vector<Buffer> out;
  if (!r.ok()) return out;
  for (TensorId t : g.outputs) out.push_back(r.value()[static_cast<size_t>(t)]);
  return out;
}

// Fuses a copy of g and checks that outputs agree with g's on `samples` random inputs.
Graph fuseAndCompare(const Graph& g, FuseRequantStats* stats = nullptr, int samples = 20,
                     unsigned seed = 1) {
  Graph f = g;
  Result<FuseRequantStats> r = fuseRequant(f);
  EXPECT_TRUE(r.ok()) << r.diag().message;
  if (r.ok() && stats) *stats = r.value();
  Status s = verify(f);
  EXPECT_TRUE(s.ok()) << s.diag().message;
  std::mt19937 rng(seed);
  for (int i = 0; i < samples; ++i) {
    std::vector<Buffer> in = randomInputs(g, rng);
    EXPECT_EQ(outputs(g, in), outputs(f, in)) << "sample " << i;
  }
  return f;
}

int count(const Graph& g, OpKind k) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.op == k;
  return n;
}

// x:i8[1,2,5,5] -> conv 3x3 pad 1 (3 outputs, bias) : i32 -> shift_right 6 : i16 -> clip lo 0 : i16
// -> clip hi 127 : i8, as integerize writes a conv + requant + ReLU.
struct ConvChain {
  GraphBuilder b;
  TensorId x, acc, shifted, relu, y;
  explicit ConvChain(unsigned seed = 7) {
    std::mt19937 rng(seed);
    x = b.input("x", {DType::I8, {1, 2, 5, 5}});
    TensorId w = b.constant("w", {DType::I8, {3, 2, 3, 3}}, randomInts(rng, 54, -128, 127));
    TensorId bias = b.constant("b", {DType::I32, {3}}, {1000, -2000, 5});
    acc = b.node("conv", OpKind::Conv2D, {x, w, bias}, {DType::I32, {1, 3, 5, 5}},
                 convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 1));
    shifted = b.node("shift", OpKind::ShiftRight, {acc}, {DType::I32, {1, 3, 5, 5}}, shiftAttrs(6));
    relu = b.node("max", OpKind::Clip, {shifted}, {DType::I32, {1, 3, 5, 5}}, clipAttrs(0, kInf));
    y = b.node("min", OpKind::Clip, {relu}, {DType::I8, {1, 3, 5, 5}}, clipAttrs(-kInf, 127));
    b.output(y);
  }
};

TEST(FuseRequant, ConvShiftClipClipBecomesQConv2D) {
  ConvChain c;
  FuseRequantStats st;
  Graph f = fuseAndCompare(c.b.g, &st);
  ASSERT_EQ(f.nodes.size(), 1u);
  const Node& q = f.nodes[0];
  EXPECT_EQ(q.op, OpKind::QConv2D);
  EXPECT_EQ(q.name, "conv");
  EXPECT_EQ(q.inputs, c.b.g.nodes[0].inputs);
  EXPECT_EQ(q.outputs[0], c.y);
  EXPECT_EQ(q.attrInt("shift"), 6);
  EXPECT_EQ(q.attrInt("lo"), 0);
  EXPECT_EQ(q.attrInt("hi"), 127);
  EXPECT_EQ(q.attrInts("pads"), (Ints{1, 1, 1, 1}));
  EXPECT_EQ(st.qconv2d, 1);
  EXPECT_EQ(st.nodesRemoved, 3);
}

// Without shift_right and with a single two-sided clip; the output dtype is the clip's (i16).
TEST(FuseRequant, ConvWithoutShiftTakesTheClipsOutputType) {
  GraphBuilder b;
  std::mt19937 rng(3);
  TensorId x = b.input("x", {DType::I8, {1, 1, 3, 3}});
  TensorId w = b.constant("w", {DType::I8, {2, 1, 2, 2}}, randomInts(rng, 8, -128, 127));
  TensorId acc = b.node("conv", OpKind::Conv2D, {x, w}, {DType::I32, {1, 2, 2, 2}},
                        convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1));
  b.output(b.node("clip", OpKind::Clip, {acc}, {DType::I16, {1, 2, 2, 2}}, clipAttrs(-300, 20000)));
  Graph f = fuseAndCompare(b.g);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.nodes[0].op, OpKind::QConv2D);
  EXPECT_EQ(f.nodes[0].attrInt("shift"), 0);
  EXPECT_EQ(f.nodes[0].attrInt("lo"), -300);
  EXPECT_EQ(f.nodes[0].attrInt("hi"), 20000);
  EXPECT_EQ(f.type(f.nodes[0].outputs[0]).dtype, DType::I16);
}

// A one-sided clip is closed by the output dtype: clip(lo = -5) into i8 gives [-5, 127].
TEST(FuseRequant, OneSidedClipIsClosedByTheOutputType) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 4}});
  TensorId w = b.constant("w", {DType::I8, {4, 2}}, {1, -1, 1, -1, 1, -1, 1, -1});
  TensorId acc =
      b.node("fc", OpKind::Dense, {x, w}, {DType::I32, {1, 2}}, {{"trans_b", int64_t{0}}});
  TensorId s = b.node("shift", OpKind::ShiftRight, {acc}, {DType::I16, {1, 2}}, shiftAttrs(3));
  b.output(b.node("clip", OpKind::Clip, {s}, {DType::I8, {1, 2}}, clipAttrs(-5, kInf)));
  FuseRequantStats st;
  Graph f = fuseAndCompare(b.g, &st);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.nodes[0].op, OpKind::QDense);
  EXPECT_EQ(f.nodes[0].attrInt("trans_b"), 0);
  EXPECT_EQ(f.nodes[0].attrInt("lo"), -5);
  EXPECT_EQ(f.nodes[0].attrInt("hi"), 127);
  EXPECT_EQ(st.qdense, 1);
}

TEST(FuseRequant, DenseWithBiasBecomesQDense) {
  GraphBuilder b;
  std::mt19937 rng(5);
  TensorId x = b.input("x", {DType::I8, {1, 16}});
  TensorId w = b.constant("w", {DType::I8, {8, 16}}, randomInts(rng, 128, -128, 127));
  TensorId bias = b.constant("b", {DType::I32, {8}}, randomInts(rng, 8, -5000, 5000));
  TensorId acc =
      b.node("fc", OpKind::Dense, {x, w, bias}, {DType::I32, {1, 8}}, {{"trans_b", int64_t{1}}});
  TensorId s = b.node("shift", OpKind::ShiftRight, {acc}, {DType::I32, {1, 8}}, shiftAttrs(8));
  TensorId c1 = b.node("max", OpKind::Clip, {s}, {DType::I32, {1, 8}}, clipAttrs(-128, kInf));
  b.output(b.node("min", OpKind::Clip, {c1}, {DType::I8, {1, 8}}, clipAttrs(-kInf, 127)));
  Graph f = fuseAndCompare(b.g, nullptr, 50);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.nodes[0].op, OpKind::QDense);
  EXPECT_EQ(f.nodes[0].inputs.size(), 3u);
  EXPECT_EQ(f.nodes[0].attrInt("shift"), 8);
  EXPECT_EQ(f.nodes[0].attrInt("lo"), -128);
  EXPECT_EQ(f.nodes[0].attrInt("hi"), 127);
}

// Residual add of two i8 activations, with and without the shift (resnet8 digital has both).
TEST(FuseRequant, AddOfTwoInt8BecomesQAdd) {
  for (bool withShift : {true, false}) {
    GraphBuilder b;
    TensorId p = b.input("p", {DType::I8, {1, 2, 3, 3}});
    TensorId q = b.input("q", {DType::I8, {1, 2, 3, 3}});
    TensorId s = b.node("add", OpKind::Add, {p, q}, {DType::I16, {1, 2, 3, 3}});
    if (withShift)
      s = b.node("shift", OpKind::ShiftRight, {s}, {DType::I8, {1, 2, 3, 3}}, shiftAttrs(1));
    TensorId c = b.node("max", OpKind::Clip, {s},
                        {withShift ? DType::I8 : DType::I16, {1, 2, 3, 3}}, clipAttrs(0, kInf));
    b.output(b.node("min", OpKind::Clip, {c}, {DType::I8, {1, 2, 3, 3}}, clipAttrs(-kInf, 127)));
    FuseRequantStats st;
    Graph f = fuseAndCompare(b.g, &st);
    ASSERT_EQ(f.nodes.size(), 1u);
    EXPECT_EQ(f.nodes[0].op, OpKind::QAdd);
    EXPECT_EQ(f.nodes[0].attrInt("shift"), withShift ? 1 : 0);
    EXPECT_EQ(f.nodes[0].attrInt("lo"), 0);
    EXPECT_EQ(f.nodes[0].attrInt("hi"), 127);
    EXPECT_EQ(st.qadd, 1);
  }
}

TEST(FuseRequant, AddWithBroadcastOrWideOperandsIsLeftAlone) {
  GraphBuilder b;
  TensorId p = b.input("p", {DType::I8, {1, 2, 3, 3}});
  TensorId k = b.constant("k", {DType::I8, {1, 2, 1, 1}}, {3, -4});
  TensorId s = b.node("add", OpKind::Add, {p, k}, {DType::I16, {1, 2, 3, 3}});
  TensorId c = b.node("clip", OpKind::Clip, {s}, {DType::I8, {1, 2, 3, 3}}, clipAttrs(-128, 127));
  TensorId wide = b.input("wide", {DType::I16, {1, 2, 3, 3}});
  TensorId s2 = b.node("add2", OpKind::Add, {c, wide}, {DType::I32, {1, 2, 3, 3}});
  b.output(b.node("clip2", OpKind::Clip, {s2}, {DType::I8, {1, 2, 3, 3}}, clipAttrs(-128, 127)));
  FuseRequantStats st;
  Graph f = fuseAndCompare(b.g, &st);
  EXPECT_EQ(f.nodes.size(), 4u);
  EXPECT_EQ(count(f, OpKind::QAdd), 0);
  EXPECT_EQ(st.qadd, 0);
}

TEST(FuseRequant, ConvOnNonInt8DataIsLeftAlone) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I16, {1, 1, 2, 2}});
  TensorId w = b.constant("w", {DType::I8, {1, 1, 1, 1}}, {3});
  TensorId acc = b.node("conv", OpKind::Conv2D, {x, w}, {DType::I32, {1, 1, 2, 2}},
                        convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1));
  b.output(b.node("clip", OpKind::Clip, {acc}, {DType::I8, {1, 1, 2, 2}}, clipAttrs(-128, 127)));
  Graph f = fuseAndCompare(b.g);
  EXPECT_EQ(f.nodes.size(), 2u);
  EXPECT_EQ(f.nodes[0].op, OpKind::Conv2D);
}

TEST(FuseRequant, MultiUseIntermediatesBlockFusion) {
  {  // the shifted accumulator also feeds a second clip
    ConvChain c;
    TensorId other =
        c.b.node("other", OpKind::Clip, {c.shifted}, {DType::I8, {1, 3, 5, 5}}, clipAttrs(-1, 1));
    c.b.g.outputs = {c.y, other};
    FuseRequantStats st;
    Graph f = fuseAndCompare(c.b.g, &st);
    EXPECT_EQ(count(f, OpKind::QConv2D), 0);
    EXPECT_EQ(count(f, OpKind::Conv2D), 1);
    EXPECT_EQ(count(f, OpKind::ShiftRight), 1);
    EXPECT_EQ(st.qconv2d, 0);
  }
  {  // the accumulator itself has a second reader
    ConvChain c;
    TensorId other =
        c.b.node("other", OpKind::Clip, {c.acc}, {DType::I8, {1, 3, 5, 5}}, clipAttrs(-1, 1));
    c.b.g.outputs = {c.y, other};
    Graph f = fuseAndCompare(c.b.g);
    EXPECT_EQ(count(f, OpKind::QConv2D), 0);
    // The remaining clip -> clip pair still merges.
    EXPECT_EQ(count(f, OpKind::Clip), 2);
  }
}

TEST(FuseRequant, GraphOutputsBlockFusion) {
  {  // the shifted accumulator is also a graph output: nothing fuses into the conv
    ConvChain c;
    c.b.g.outputs = {c.y, c.shifted};
    Graph f = fuseAndCompare(c.b.g);
    EXPECT_EQ(count(f, OpKind::QConv2D), 0);
    EXPECT_EQ(count(f, OpKind::Conv2D), 1);
  }
  {  // the first clip's output is a graph output: the fused node stops there
    ConvChain c;
    c.b.g.outputs = {c.y, c.relu};
    Graph f = fuseAndCompare(c.b.g);
    ASSERT_EQ(f.nodes.size(), 2u);
    EXPECT_EQ(f.nodes[0].op, OpKind::QConv2D);
    EXPECT_EQ(f.nodes[0].outputs[0], c.relu);
    EXPECT_EQ(f.nodes[0].attrInt("lo"), 0);
    EXPECT_EQ(f.nodes[0].attrInt("hi"), 2147483647);  // relu's i32 range closes the top
    EXPECT_EQ(f.nodes[1].op, OpKind::Clip);
  }
}

// The analog chain of resnet8/analog: conv (no bias) -> floor_div_f32 -> clip -32 -> clip 31 ->
// mul per-channel k -> add per-channel l [-> shift_right -> clip 0 -> clip 127].
struct AnalogChain {
  GraphBuilder b;
  TensorId x, adc, scaled, bn, y = -1;
  AnalogChain(bool requant, bool constFirst, std::vector<double> k, std::vector<double> l,
              DType bnType = DType::I16) {
    std::mt19937 rng(11);
    const int64_t K = static_cast<int64_t>(k.size());
    const Shape ys{1, K, 4, 4};
    x = b.input("x", {DType::I8, {1, 3, 4, 4}});
    TensorId w = b.constant("w", {DType::I8, {K, 3, 3, 3}},
                            randomInts(rng, static_cast<size_t>(K * 27), -1, 1));
    TensorId acc = b.node("conv", OpKind::Conv2D, {x, w}, {DType::I32, ys},
                          convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 1));
    TensorId q =
        b.node("div", OpKind::FloorDivF32, {acc}, {DType::I16, ys}, {{"divisor", 2.9293065}});
    TensorId c = b.node("adc_max", OpKind::Clip, {q}, {DType::I16, ys}, clipAttrs(-32, kInf));
    adc = b.node("adc_min", OpKind::Clip, {c}, {DType::I8, ys}, clipAttrs(-kInf, 31));
    TensorId kc = b.constant("k", {DType::I32, {1, K, 1, 1}}, std::move(k));
    TensorId lc = b.constant("l", {DType::I32, {1, K, 1, 1}}, std::move(l));
    scaled = b.node("mul", OpKind::Mul,
                    constFirst ? std::vector<TensorId>{kc, adc} : std::vector<TensorId>{adc, kc},
                    {bnType, ys});
    bn = b.node("add", OpKind::Add, {scaled, lc}, {bnType, ys});
    if (requant) {
      TensorId s = b.node("shift", OpKind::ShiftRight, {bn}, {bnType, ys}, shiftAttrs(2));
      TensorId r = b.node("relu", OpKind::Clip, {s}, {bnType, ys}, clipAttrs(0, kInf));
      y = b.node("sat", OpKind::Clip, {r}, {DType::I8, ys}, clipAttrs(-kInf, 127));
      b.output(y);
    }  // else the test adds bn's consumers and the graph output
  }
};

std::vector<double> constData(const Graph& g, TensorId t) { return *g.tensor(t).data; }

TEST(FuseRequant, AnalogChainBecomesAnalogConv2D) {
  for (bool constFirst : {false, true}) {
    AnalogChain a(true, constFirst, {3, -2, 7}, {-5, 100, 0});
    FuseRequantStats st;
    Graph f = fuseAndCompare(a.b.g, &st, 50);
    ASSERT_EQ(f.nodes.size(), 1u);
    const Node& n = f.nodes[0];
    EXPECT_EQ(n.op, OpKind::AnalogConv2D);
    EXPECT_EQ(n.outputs[0], a.y);
    EXPECT_DOUBLE_EQ(n.attrFloat("gain"), 2.9293065);
    EXPECT_EQ(n.attrInt("adc_lo"), -32);
    EXPECT_EQ(n.attrInt("adc_hi"), 31);
    EXPECT_EQ(n.attrInt("shift"), 2);
    EXPECT_EQ(n.attrInt("lo"), 0);
    EXPECT_EQ(n.attrInt("hi"), 127);
    EXPECT_EQ(f.type(n.inputs[2]), (TensorType{DType::I16, {3}}));
    EXPECT_EQ(constData(f, n.inputs[2]), (std::vector<double>{3, -2, 7}));
    EXPECT_EQ(constData(f, n.inputs[3]), (std::vector<double>{-5, 100, 0}));
    EXPECT_EQ(st.analogConv2d, 1);
    EXPECT_EQ(st.analogConv2dPartial, 0);
  }
}

TEST(FuseRequant, AnalogBnConstantsBeyondInt16AreInt32) {
  AnalogChain a(true, false, {40000, 1}, {-70000, 2}, DType::I32);
  Graph f = fuseAndCompare(a.b.g, nullptr, 20);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.type(f.nodes[0].inputs[2]).dtype, DType::I32);
  EXPECT_EQ(f.type(f.nodes[0].inputs[3]).dtype, DType::I32);
}

// The residual projection of resnet8/analog: the per-channel add feeds a residual add, so only
// conv + ADC fuse (identity BN, shift 0, the ADC range, i8 out); mul and add stay.
TEST(FuseRequant, AnalogChainWithoutRequantFusesOnlyTheAdc) {
  AnalogChain a(false, true, {3, -2}, {-5, 100});
  TensorId other = a.b.input("other", {DType::I16, {1, 2, 4, 4}});
  TensorId sum = a.b.node("residual", OpKind::Add, {a.bn, other}, {DType::I32, {1, 2, 4, 4}});
  TensorId s =
      a.b.node("shift", OpKind::ShiftRight, {sum}, {DType::I32, {1, 2, 4, 4}}, shiftAttrs(2));
  a.b.output(a.b.node("sat", OpKind::Clip, {s}, {DType::I8, {1, 2, 4, 4}}, clipAttrs(0, 127)));
  FuseRequantStats st;
  Graph f = fuseAndCompare(a.b.g, &st, 50);
  ASSERT_EQ(f.nodes.size(), 6u);
  const Node& n = f.nodes[0];
  EXPECT_EQ(n.op, OpKind::AnalogConv2D);
  EXPECT_EQ(n.outputs[0], a.adc);
  EXPECT_EQ(f.type(n.outputs[0]).dtype, DType::I8);
  EXPECT_EQ(n.attrInt("shift"), 0);
  EXPECT_EQ(n.attrInt("lo"), -32);
  EXPECT_EQ(n.attrInt("hi"), 31);
  EXPECT_EQ(constData(f, n.inputs[2]), (std::vector<double>{1, 1}));
  EXPECT_EQ(constData(f, n.inputs[3]), (std::vector<double>{0, 0}));
  EXPECT_EQ(f.nodes[1].op, OpKind::Mul);
  EXPECT_EQ(f.nodes[2].op, OpKind::Add);
  EXPECT_EQ(st.analogConv2dPartial, 1);
  EXPECT_EQ(st.analogConv2d, 0);
}

// a * k over the ADC range [-32, 31] with k = 2^27 leaves int32: the BN part must stay unfused.
TEST(FuseRequant, AnalogBnThatCouldLeaveInt32StaysUnfused) {
  AnalogChain a(true, false, {134217728, 1}, {0, 0}, DType::I32);
  Graph f = a.b.g;
  ASSERT_TRUE(fuseRequant(f).ok());
  EXPECT_EQ(count(f, OpKind::AnalogConv2D), 1);
  EXPECT_EQ(count(f, OpKind::Mul), 1);
  EXPECT_EQ(f.nodes[0].attrInt("shift"), 0);
}

TEST(FuseRequant, ClipChainsMerge) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I16, {64}});
  TensorId c1 = b.node("c1", OpKind::Clip, {x}, {DType::I16, {64}}, clipAttrs(-100, kInf));
  TensorId c2 = b.node("c2", OpKind::Clip, {c1}, {DType::I16, {64}}, clipAttrs(-kInf, 50));
  b.output(b.node("c3", OpKind::Clip, {c2}, {DType::I8, {64}}, clipAttrs(-20, 100)));
  FuseRequantStats st;
  Graph f = fuseAndCompare(b.g, &st, 50);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.nodes[0].inputs[0], x);
  EXPECT_EQ(f.nodes[0].attrFloat("lo"), -20);
  EXPECT_EQ(f.nodes[0].attrFloat("hi"), 50);
  EXPECT_EQ(f.type(f.nodes[0].outputs[0]).dtype, DType::I8);
  EXPECT_EQ(st.clipMerges, 2);
}

// Disjoint ranges: clip [0, 10] then clip [20, 30] is the constant 20, not an (empty) intersection.
TEST(FuseRequant, DisjointClipsMergeIntoTheirComposition) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I16, {64}});
  TensorId c1 = b.node("c1", OpKind::Clip, {x}, {DType::I16, {64}}, clipAttrs(0, 10));
  b.output(b.node("c2", OpKind::Clip, {c1}, {DType::I16, {64}}, clipAttrs(20, 30)));
  Graph f = fuseAndCompare(b.g, nullptr, 50);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.nodes[0].attrFloat("lo"), 20);
  EXPECT_EQ(f.nodes[0].attrFloat("hi"), 20);
}

TEST(FuseRequant, FloatClipsMerge) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {64}});
  TensorId c1 = b.node("c1", OpKind::Clip, {x}, {DType::F32, {64}}, clipAttrs(-2.5, kInf));
  b.output(b.node("c2", OpKind::Clip, {c1}, {DType::F32, {64}}, clipAttrs(-kInf, 0.1)));
  Graph f = fuseAndCompare(b.g, nullptr, 50);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.nodes[0].attrFloat("lo"), -2.5);
  EXPECT_EQ(f.nodes[0].attrFloat("hi"), 0.1);
}

// Seeded random chains of every pattern (random shapes, weights, shifts, clip bounds, gains),
// each fused and compared with the unfused graph on random inputs.
TEST(FuseRequant, RandomChainsKeepTheirValues) {
  std::mt19937 rng(2024);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto clipPair = [&](GraphBuilder& b, TensorId t, const Shape& s) {
    double lo = pick(-200, 0), hi = pick(1, 200);
    if (pick(0, 3) == 0) lo = -kInf;
    TensorId c = b.node("lo", OpKind::Clip, {t}, {DType::I32, s}, clipAttrs(lo, kInf));
    return b.node("hi", OpKind::Clip, {c}, {std::isinf(lo) ? DType::I32 : DType::I16, s},
                  clipAttrs(-kInf, hi));
  };
  int fused = 0;
  for (int iter = 0; iter < 40; ++iter) {
    GraphBuilder b;
    const int64_t C = pick(1, 4), K = pick(1, 5), H = pick(1, 6), W = pick(1, 6), k = pick(1, 3);
    const Shape xs{1, C, H, W}, ys{1, K, H, W};
    TensorId x = b.input("x", {DType::I8, xs});
    TensorId w = b.constant("w", {DType::I8, {K, C, k, k}},
                            randomInts(rng, static_cast<size_t>(K * C * k * k), -128, 127));
    Attrs ca = convAttrs({1, 1}, {(k - 1) / 2, (k - 1) / 2, k / 2, k / 2}, {1, 1}, 1);
    const int kind = iter % 3;
    if (kind == 0) {  // qconv2d
      TensorId bias = b.constant("b", {DType::I32, {K}},
                                 randomInts(rng, static_cast<size_t>(K), -100000, 100000));
      TensorId acc = b.node("conv", OpKind::Conv2D, {x, w, bias}, {DType::I32, ys}, ca);
      TensorId s =
          b.node("shift", OpKind::ShiftRight, {acc}, {DType::I32, ys}, shiftAttrs(pick(0, 12)));
      b.output(clipPair(b, s, ys));
    } else if (kind == 1) {  // qadd
      TensorId p = b.input("p", {DType::I8, xs});
      TensorId s = b.node("add", OpKind::Add, {x, p}, {DType::I16, xs});
      s = b.node("shift", OpKind::ShiftRight, {s}, {DType::I16, xs}, shiftAttrs(pick(0, 3)));
      b.output(clipPair(b, s, xs));
    } else {  // analog, full or partial
      TensorId acc = b.node("conv", OpKind::Conv2D, {x, w}, {DType::I32, ys}, ca);
      const double gain =
          static_cast<double>(static_cast<float>(std::ldexp(pick(1 << 20, 1 << 24), -20)));
      TensorId q = b.node("div", OpKind::FloorDivF32, {acc}, {DType::I32, ys}, {{"divisor", gain}});
      const double adcLo = -pick(1, 64), adcHi = pick(1, 63);
      TensorId c = b.node("adc_lo", OpKind::Clip, {q}, {DType::I32, ys}, clipAttrs(adcLo, kInf));
      TensorId a = b.node("adc_hi", OpKind::Clip, {c}, {DType::I8, ys}, clipAttrs(-kInf, adcHi));
      TensorId kc = b.constant("k", {DType::I16, {1, K, 1, 1}},
                               randomInts(rng, static_cast<size_t>(K), -300, 300));
      TensorId lc = b.constant("l", {DType::I16, {1, K, 1, 1}},
                               randomInts(rng, static_cast<size_t>(K), -3000, 3000));
      TensorId m = b.node("mul", OpKind::Mul, {a, kc}, {DType::I32, ys});
      TensorId bn = b.node("bn", OpKind::Add, {lc, m}, {DType::I32, ys});
      if (pick(0, 1)) {
        TensorId s =
            b.node("shift", OpKind::ShiftRight, {bn}, {DType::I32, ys}, shiftAttrs(pick(0, 4)));
        b.output(clipPair(b, s, ys));
      } else {
        b.output(bn);
      }
    }
    Graph f = fuseAndCompare(b.g, nullptr, 5, static_cast<unsigned>(iter));
    fused += f.nodes.size() < b.g.nodes.size();
  }
  EXPECT_EQ(fused, 40);
}

}  // namespace
}  // namespace htvm
