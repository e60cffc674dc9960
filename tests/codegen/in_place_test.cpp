// Elementwise kernels running in place: the arena planner puts a chain of clip, broadcasting mul
// and qadd on one buffer (each output over its dying input), and the generated kernels, called
// with the same pointer for input and output, still compute the values worked out by hand below.
#include <gtest/gtest.h>

#include "codegen_test_util.h"

namespace htvm {
namespace {

using namespace htvm::testing;

// x = [-10, -2, -1, 0, 1, 2, 5, 100] -> i8 -> clip [-3, 3]: [-3, -2, -1, 0, 1, 2, 3, 3]
// -> * 3 (broadcast constant): [-9, -6, -3, 0, 3, 6, 9, 9]
// -> qadd with itself, shift 0, clip [-10, 15]: [-10, -10, -6, 0, 6, 12, 15, 15].
TEST(InPlace, ElementwiseChainSharesOneBufferAndComputesTheSameValues) {
  GraphBuilder b;
  TensorId q = b.node("q", OpKind::Cast, {b.input("x", {DType::F32, {1, 8}})}, DType::I8);
  TensorId c = b.node("c", OpKind::Clip, {q}, DType::I8, {{"lo", -3.0}, {"hi", 3.0}});
  TensorId three = b.constant("three", {DType::I8, {1}}, {3});
  TensorId m = b.node({"m", "Mul"}, OpKind::Mul, {c, three}, {DType::I8, {1, 8}});
  TensorId a = b.node({"a", "Add"}, OpKind::QAdd, {m, m}, {DType::I8, {1, 8}},
                      {{"shift", int64_t{0}}, {"lo", int64_t{-10}}, {"hi", int64_t{15}}});
  Graph g = b.output(b.node("f", OpKind::Cast, {a}, DType::F32));
  ArenaPlan plan = planArena(g);
  for (TensorId t : {c, m, a})
    EXPECT_EQ(plan.offset[static_cast<size_t>(t)], plan.offset[static_cast<size_t>(q)])
        << g.tensor(t).name;
  EXPECT_EQ(plan.size, 8);
  EXPECT_FALSE(anyBuffersOverlap(g, plan));
  TempDir dir("chain");
  EXPECT_EQ(compileAndRun(g, dir.path(), {-10, -2, -1, 0, 1, 2, 5, 100}),
            (std::vector<float>{-10, -10, -6, 0, 6, 12, 15, 15}));
}

}  // namespace
}  // namespace htvm
