// run(): kernel coverage, input and constant validation, the returned per-tensor values, a small
// requantization chain, and the ResNet20-sized speed budget.
#include "interp/interpreter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "interp/interp_test_util.h"
#include "interp/kernels.h"

namespace htvm::interp {
namespace {

using testing::convAttrs;
using testing::GraphBuilder;
using testing::runError;

TEST(KernelTable, CoversEveryOpKind) {
  for (int k = 0; k < static_cast<int>(OpKind::kCount); ++k)
    EXPECT_NE(kernelFor(static_cast<OpKind>(k)), nullptr) << opName(static_cast<OpKind>(k));
}

// x:i8[1,1,2,2] -> conv 1x1 (w = 3, bias -10) : i32 -> shift_right 2 -> clip [0, 127] : i8.
struct RequantChain {
  GraphBuilder b;
  TensorId x, w, bias, acc, shifted, out, unused;
  RequantChain() {
    x = b.input("x", {DType::I8, {1, 1, 2, 2}});
    w = b.constant("w", {DType::I8, {1, 1, 1, 1}}, {3});
    bias = b.constant("bias", {DType::I32, {1}}, {-10});
    unused = b.value("unused", {DType::I8, {4}});
    acc = b.node("conv", OpKind::Conv2D, {x, w, bias}, {DType::I32, {1, 1, 2, 2}},
                 convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1));
    shifted = b.node("shift", OpKind::ShiftRight, {acc}, {DType::I32, {1, 1, 2, 2}},
                     {{"shift", int64_t{2}}});
    out = b.node("clip", OpKind::Clip, {shifted}, {DType::I8, {1, 1, 2, 2}},
                 {{"lo", 0.0}, {"hi", 127.0}});
    b.output(out);
  }
};

TEST(Run, ReturnsEveryTensorOfARequantChain) {
  RequantChain c;
  auto r = run(c.b.g, {{10, 1, -5, 40}});
  ASSERT_TRUE(r.ok()) << r.diag().message;
  const std::vector<Buffer>& v = r.value();
  ASSERT_EQ(v.size(), c.b.g.tensors.size());
  EXPECT_EQ(v[c.x], (Buffer{10, 1, -5, 40}));
  EXPECT_EQ(v[c.w], (Buffer{3}));
  EXPECT_EQ(v[c.bias], (Buffer{-10}));
  EXPECT_TRUE(v[c.unused].empty());
  EXPECT_EQ(v[c.acc], (Buffer{20, -7, -25, 110}));   // 3x - 10
  EXPECT_EQ(v[c.shifted], (Buffer{5, -2, -7, 27}));  // floor(/4)
  EXPECT_EQ(v[c.out], (Buffer{5, 0, 0, 27}));
}

TEST(Run, RejectsWrongNumberOfInputs) {
  RequantChain c;
  EXPECT_NE(runError(c.b.g, {}).find("has 1 inputs, got 0 buffers"), std::string::npos);
}

TEST(Run, RejectsWrongInputSize) {
  RequantChain c;
  std::string msg = runError(c.b.g, {{1, 2, 3}});
  EXPECT_NE(msg.find("input 0 'x' of type i8[1x1x2x2] needs 4 values, got 3"), std::string::npos) << msg;
}

TEST(Run, RejectsIntegerInputOutOfRange) {
  RequantChain c;
  std::string msg = runError(c.b.g, {{1, 2, 128, 4}});
  EXPECT_NE(msg.find("'x' element 2 value 128 is not an integer in range of i8"), std::string::npos) << msg;
}

TEST(Run, RejectsNonIntegralIntegerInput) {
  RequantChain c;
  EXPECT_NE(runError(c.b.g, {{1, 2, 3, 0.5}}).find("element 3 value 0.5"), std::string::npos);
}

TEST(Run, RejectsFloatInputThatIsNotFloat32) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {1}});
  b.output(b.node("f", OpKind::Floor, {x}, {DType::F32, {1}}));
  std::string msg = runError(b.g, {{0.1}});  // the double 0.1 has no exact float32 twin
  EXPECT_NE(msg.find("is not a float32 value"), std::string::npos) << msg;
}

TEST(Run, RejectsInvalidConstant) {
  RequantChain c;
  c.b.g.tensor(c.w).data = std::vector<double>{300};
  std::string msg = runError(c.b.g, {{1, 2, 3, 4}});
  EXPECT_NE(msg.find("constant 'w' element 0 value 300"), std::string::npos) << msg;
}

TEST(Run, PropagatesVerifierErrors) {
  RequantChain c;
  c.b.g.tensor(c.acc).type.shape = {1, 1, 2, 3};
  std::string msg = runError(c.b.g, {{1, 2, 3, 4}});
  EXPECT_NE(msg.find("node 'conv'"), std::string::npos) << msg;
}

// ResNet20 for 32x32x3 inputs, int8 with a shift + clip requant after each conv and residual adds:
// about 41M MACs.
Graph resnet20Like(std::mt19937& rng) {
  GraphBuilder b;
  std::uniform_int_distribution<int> wdist(-20, 20);
  int id = 0;
  auto requant = [&](TensorId t, Shape s) {
    TensorId sh = b.node("shift" + std::to_string(id), OpKind::ShiftRight, {t}, {DType::I32, s},
                         {{"shift", int64_t{6}}});
    return b.node("clip" + std::to_string(id++), OpKind::Clip, {sh}, {DType::I8, s},
                  {{"lo", -128.0}, {"hi", 127.0}});
  };
  auto conv = [&](TensorId x, int64_t cin, int64_t cout, int64_t hw, int64_t stride, int64_t k) {
    std::vector<double> w(static_cast<size_t>(cout * cin * k * k));
    for (double& v : w) v = wdist(rng);
    TensorId wt = b.constant("w" + std::to_string(id), {DType::I8, {cout, cin, k, k}}, w);
    int64_t p = k / 2, ohw = (hw + 2 * p - k) / stride + 1;
    Shape s = {1, cout, ohw, ohw};
    TensorId y = b.node("conv" + std::to_string(id), OpKind::Conv2D, {x, wt}, {DType::I32, s},
                        convAttrs({stride, stride}, {p, p, p, p}, {1, 1}, 1));
    return requant(y, s);
  };
  TensorId x = b.input("x", {DType::I8, {1, 3, 32, 32}});
  TensorId h = conv(x, 3, 16, 32, 1, 3);
  int64_t c = 16, hw = 32;
  for (int stage = 0; stage < 3; ++stage) {
    for (int block = 0; block < 3; ++block) {
      int64_t stride = (stage > 0 && block == 0) ? 2 : 1, cout = c * stride, ohw = hw / stride;
      TensorId y = conv(conv(h, c, cout, hw, stride, 3), cout, cout, ohw, 1, 3);
      TensorId skip = stride == 1 ? h : conv(h, c, cout, hw, stride, 1);
      Shape s = {1, cout, ohw, ohw};
      TensorId sum = b.node("add" + std::to_string(id), OpKind::Add, {y, skip}, {DType::I16, s});
      h = b.node("relu" + std::to_string(id++), OpKind::Clip, {sum}, {DType::I8, s},
                 {{"lo", 0.0}, {"hi", 127.0}});
      c = cout;
      hw = ohw;
    }
  }
  TensorId pooled = b.node("gap", OpKind::GlobalSum, {h}, {DType::I32, {1, c, 1, 1}});
  TensorId flat =
      b.node("flat", OpKind::Reshape, {pooled}, {DType::I32, {1, c}}, {{"shape", Ints{1, c}}});
  std::vector<double> fw(static_cast<size_t>(10 * c));
  for (double& v : fw) v = wdist(rng);
  TensorId fcw = b.constant("fc_w", {DType::I32, {10, c}}, fw);
  b.output(
      b.node("fc", OpKind::Dense, {flat, fcw}, {DType::I32, {1, 10}}, {{"trans_b", int64_t{1}}}));
  return b.g;
}

// Speed is a benchmark figure (printed), not an assertion; the test asserts the run completes
// within int32 ranges on a whole network.
TEST(Run, ResNet20SizedInt8ModelRuns) {
  std::mt19937 rng(7);
  Graph g = resnet20Like(rng);
  Buffer in(3 * 32 * 32);
  std::uniform_int_distribution<int> xdist(-128, 127);
  for (double& v : in) v = xdist(rng);
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(g, {in});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.ok()) << r.diag().message;
  EXPECT_EQ(r.value()[static_cast<size_t>(g.nodes.back().outputs[0])].size(), 10u);
  std::cout << "resnet20-sized int8 graph: " << g.nodes.size() << " nodes, " << secs << " s\n";
}

}  // namespace
}  // namespace htvm::interp
