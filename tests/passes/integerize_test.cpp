// Integerize: checks the rewrites it promises and that integer and float graphs agree bit for bit
// (both evaluated by the reference interpreter), plus the floor-division argument itself.
#include "passes/integerize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "interp/interpreter.h"
#include "ir/op_registry.h"
#include "ir/verify.h"
#include "support/graph_builder.h"

namespace htvm {
namespace {

using testing::Attrs;
using testing::GraphBuilder;

// Float graphs the way the ONNX frontend delivers Quantlib exports: every value f32, output shapes
// from the op's rule, constants and unnamed nodes named by their index (names must be unique:
// integerize maps values back by name).
TensorId input(GraphBuilder& b, Shape s) { return b.input("input", {DType::F32, std::move(s)}); }
TensorId constant(GraphBuilder& b, Shape s, std::vector<double> v) {
  return b.constant("c" + std::to_string(b.g.tensors.size()), {DType::F32, std::move(s)},
                    std::move(v));
}
TensorId scalar(GraphBuilder& b, double v) { return constant(b, {1}, {v}); }
TensorId op(GraphBuilder& b, OpKind k, std::vector<TensorId> ins, Attrs attrs = {},
            std::string name = "") {
  if (name.empty()) name = std::string(opName(k)) + "_" + std::to_string(b.g.nodes.size());
  return b.node(name, k, std::move(ins), DType::F32, std::move(attrs));
}
// Quantlib requantizer: [Div(d)] -> Floor -> Max(lo) -> Min(hi).
TensorId requant(GraphBuilder& b, TensorId x, double d, double lo, double hi) {
  if (d != 1.0) x = op(b, OpKind::Div, {x, scalar(b, d)});
  x = op(b, OpKind::Floor, {x});
  x = op(b, OpKind::Max, {x, scalar(b, lo)});
  return op(b, OpKind::Min, {x, scalar(b, hi)});
}
// A "same" conv with random integer weights in [-wmax, wmax] and random biases.
TensorId conv(GraphBuilder& b, TensorId x, int64_t cout, int64_t k, int64_t stride, int64_t group,
              std::mt19937& rng, int wmax = 127, bool bias = true) {
  int64_t cin = b.g.type(x).shape[1];
  std::uniform_int_distribution<int> wd(-wmax, wmax), bd(-2000, 2000);
  std::vector<double> w(static_cast<size_t>(cout * (cin / group) * k * k));
  for (double& v : w) v = wd(rng);
  std::vector<TensorId> ins{x, constant(b, {cout, cin / group, k, k}, w)};
  if (bias) {
    std::vector<double> bv(static_cast<size_t>(cout));
    for (double& v : bv) v = bd(rng);
    ins.push_back(constant(b, {cout}, bv));
  }
  int64_t p = k / 2;
  return op(b, OpKind::Conv2D, ins,
            testing::convAttrs({stride, stride}, {p, p, p, p}, {1, 1}, group));
}

int countOp(const Graph& g, OpKind k) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == k;
  return c;
}

// Runs both graphs on the same input and expects identical outputs (and a non-trivial output).
void expectSameResults(const Graph& fg, const Graph& ig, std::mt19937& rng, int trials = 3) {
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  std::set<double> distinct;
  for (int t = 0; t < trials; ++t) {
    interp::Buffer x(static_cast<size_t>(fg.type(fg.inputs[0]).elements()));
    for (double& v : x) v = d(rng);
    auto a = interp::run(fg, {x});
    auto b = interp::run(ig, {x});
    ASSERT_TRUE(a.ok()) << a.diag().message;
    ASSERT_TRUE(b.ok()) << b.diag().message;
    const auto& ya = a.value()[static_cast<size_t>(fg.outputs[0])];
    const auto& yb = b.value()[static_cast<size_t>(ig.outputs[0])];
    ASSERT_EQ(ya.size(), yb.size());
    for (size_t i = 0; i < ya.size(); ++i) ASSERT_EQ(ya[i], yb[i]) << "element " << i << " trial " << t;
    for (double v : ya) distinct.insert(v);
  }
  EXPECT_GT(distinct.size(), 1u) << "degenerate test: every output is the same value";
}

TEST(Integerize, RequantChainBecomesConvShiftClip) {
  std::mt19937 rng(1);
  GraphBuilder b;
  TensorId x = requant(b, input(b, {1, 3, 8, 8}), 1.0 / 64, -128, 127);
  TensorId y = requant(b, conv(b, x, 8, 3, 1, 1, rng), 256, 0, 127);
  b.output(op(b, OpKind::Div, {y, scalar(b, 4)}));
  auto r = integerize(b.g);
  ASSERT_TRUE(r.ok()) << r.diag().message;
  const Graph& g = r->graph;
  EXPECT_TRUE(verify(g).ok());
  EXPECT_EQ(countOp(g, OpKind::Conv2D), 1);
  EXPECT_EQ(countOp(g, OpKind::ShiftRight), 1);
  EXPECT_EQ(countOp(g, OpKind::Floor), 1);  // only the input quantizer stays float
  for (const Node& n : g.nodes) {
    if (n.op == OpKind::ShiftRight) {
      EXPECT_EQ(n.attrInt("shift"), 8);
    }
    if (n.op == OpKind::Conv2D) {
      EXPECT_EQ(g.type(n.inputs[0]).dtype, DType::I8);
      EXPECT_EQ(g.type(n.inputs[1]).dtype, DType::I8);
      EXPECT_EQ(g.type(n.inputs[2]).dtype, DType::I32);
      EXPECT_EQ(g.type(n.outputs[0]).dtype, DType::I32);
    }
  }
  // The requantized activation is int8 and maps back to its source name.
  TensorId act = r->sameValue.at(b.g.tensor(y).name);
  EXPECT_EQ(g.type(act).dtype, DType::I8);
  EXPECT_EQ(g.type(g.outputs[0]).dtype, DType::F32);
  expectSameResults(b.g, g, rng);
}

TEST(Integerize, NonPowerOfTwoDivisorsKeepFloatSemantics) {
  std::mt19937 rng(2);
  GraphBuilder b;
  TensorId x = requant(b, input(b, {1, 4, 6, 6}), 1.0 / 32, -128, 127);
  TensorId c = conv(b, x, 4, 3, 1, 1, rng, 1, false);  // ternary, no bias (analog export)
  TensorId a = requant(b, c, 2.9293065071105957, -32, 31);
  TensorId m = op(b, OpKind::Mul, {a, constant(b, {1, 4, 1, 1}, {3, 5, 7, 13})});
  TensorId s = op(b, OpKind::Add, {m, constant(b, {1, 4, 1, 1}, {-10, 0, 7, 77})});
  TensorId q = requant(b, s, 3, -128, 127);               // integer divisor: exact floor division
  TensorId p = op(b, OpKind::Div, {q, scalar(b, 0.25)});  // residual branch scaling: times 4
  b.output(op(b, OpKind::Div, {p, scalar(b, 8)}));
  auto r = integerize(b.g);
  ASSERT_TRUE(r.ok()) << r.diag().message;
  EXPECT_EQ(countOp(r->graph, OpKind::FloorDivF32), 1);
  EXPECT_EQ(countOp(r->graph, OpKind::FloorDiv), 1);
  for (const Node& n : r->graph.nodes)
    if (n.op == OpKind::FloorDivF32) {
      EXPECT_EQ(static_cast<float>(n.attrFloat("divisor")), 2.9293065071105957f);
    }
  expectSameResults(b.g, r->graph, rng, 5);
}

TEST(Integerize, AveragePoolFloorIsIntegerFloorDivision) {
  std::mt19937 rng(3);
  GraphBuilder b;
  TensorId x = requant(b, input(b, {1, 5, 12, 12}), 1.0 / 64, -128, 127);  // mean over 144 values
  TensorId gap = op(b, OpKind::GlobalAvgPool, {x});
  TensorId flat = op(b, OpKind::Reshape, {gap}, {{"shape", Ints{1, 5}}});
  b.output(requant(b, flat, 1, -128, 127));
  auto r = integerize(b.g);
  ASSERT_TRUE(r.ok()) << r.diag().message;
  EXPECT_EQ(countOp(r->graph, OpKind::GlobalSum), 1);
  EXPECT_EQ(countOp(r->graph, OpKind::FloorDiv), 1);
  EXPECT_EQ(countOp(r->graph, OpKind::GlobalAvgPool), 0);
  expectSameResults(b.g, r->graph, rng, 5);
}

TEST(Integerize, RejectsAccumulatorBeyondTwoToTheTwentyFourNamingTheNode) {
  std::mt19937 rng(4);
  GraphBuilder b;
  TensorId x = requant(b, input(b, {1, 512, 4, 4}), 1.0 / 64, -128, 127);
  // 512 * 9 weights of magnitude up to 127 against inputs up to 128: bound ~ 7.5e7 > 2^24.
  TensorId c =
      op(b, OpKind::Conv2D, {x, constant(b, {1, 512, 3, 3}, std::vector<double>(512 * 9, 127.0))},
         {{"strides", Ints{1, 1}},
          {"pads", Ints{1, 1, 1, 1}},
          {"dilations", Ints{1, 1}},
          {"group", int64_t{1}}},
         "big_conv");
  b.output(requant(b, c, 256, -128, 127));
  auto r = integerize(b.g);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("node 'big_conv'"), std::string::npos) << r.diag().message;
  EXPECT_NE(r.diag().message.find("2^24"), std::string::npos) << r.diag().message;
}

TEST(Integerize, RejectsConvOnFloatData) {
  std::mt19937 rng(5);
  GraphBuilder b;
  TensorId c = conv(b, input(b, {1, 2, 4, 4}), 2, 1, 1, 1, rng);
  b.output(c);
  auto r = integerize(b.g);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("not integer-valued"), std::string::npos) << r.diag().message;
}

TEST(Integerize, RandomNetworksMatchTheFloatGraph) {
  std::mt19937 rng(6);
  for (int trial = 0; trial < 20; ++trial) {
    GraphBuilder b;
    std::uniform_int_distribution<int> ch(1, 12), kd(0, 2), sh(4, 10);
    TensorId x = requant(b, input(b, {1, ch(rng), 9, 9}), 1.0 / 32, -128, 127);
    TensorId skip = -1;
    for (int l = 0; l < 4; ++l) {
      int64_t k = 1 + 2 * kd(rng);
      bool dw = (rng() % 3) == 0;
      int64_t cin = b.g.type(x).shape[1];
      TensorId y = conv(b, x, dw ? cin : ch(rng), k, 1, dw ? cin : 1, rng);
      x = requant(b, y, std::ldexp(1.0, sh(rng)), (rng() % 2) ? 0 : -128, 127);
      if (skip >= 0 && b.g.type(skip).shape == b.g.type(x).shape) {
        x = requant(b, op(b, OpKind::Add, {x, skip}), 2, -128, 127);
      }
      skip = x;
    }
    TensorId gap = op(b, OpKind::GlobalAvgPool, {x});
    int64_t c = b.g.type(gap).shape[1];
    TensorId f = requant(b, op(b, OpKind::Reshape, {gap}, {{"shape", Ints{1, c}}}), 1, -128, 127);
    std::vector<double> w(static_cast<size_t>(3 * c));
    for (double& v : w) v = static_cast<double>(static_cast<int>(rng() % 255) - 127);
    TensorId d = op(b, OpKind::Dense, {f, constant(b, {3, c}, w), constant(b, {3}, {5, -7, 100})},
                    {{"trans_b", int64_t{1}}});
    b.output(op(b, OpKind::Div, {requant(b, d, 128, -128, 127), scalar(b, 16)}));
    auto r = integerize(b.g);
    ASSERT_TRUE(r.ok()) << r.diag().message;
    expectSameResults(b.g, r->graph, rng, 2);
  }
}

// The argument in integerize.cpp (floorDivIsExact): floor(fl32(x / n)) equals the integer floor
// division for every integer |x| < 2^24. Checked exhaustively for a few divisors, including the
// pooling counts of the real models and the largest divisor below 2^24.
TEST(FloorDivArgument, HoldsExhaustivelyBelowTwoToTheTwentyFour) {
  const int32_t limit = 1 << 24;
  for (int32_t n : {3, 144, 1000, 16777215}) {
    const float fn = static_cast<float>(n);
    int64_t bad = 0;
    for (int32_t x = -limit + 1; x < limit; ++x) {
      int32_t q = x / n - ((x % n != 0) && (x < 0));
      bad += static_cast<int32_t>(std::floor(static_cast<float>(x) / fn)) != q;
    }
    EXPECT_EQ(bad, 0) << "divisor " << n;
  }
}

// At 2^24 and beyond the argument fails: float32 rounding then changes some floors, which is why
// the pass refuses ranges that reach 2^24.
TEST(FloorDivArgument, FailsAboveTwoToTheTwentyFour) {
  int64_t bad = 0;
  for (int64_t x = (1 << 24); x < (1 << 24) + 100000; ++x) {
    float fx = static_cast<float>(x);
    bad += static_cast<int64_t>(std::floor(fx / 3.0f)) != x / 3;
  }
  EXPECT_GT(bad, 0);
}

}  // namespace
}  // namespace htvm
