// The quantize_f32 reference kernel on hand-checked values: rounding toward -inf on both sides of
// zero, -0.0, subnormals, saturation (finite and infinite), NaN, large k, int32 bounds; and its
// attribute errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "interp/interp_test_util.h"
#include "interp/quantize_f32_values.h"

namespace htvm::interp {
namespace {

using testing::Attrs;
using testing::GraphBuilder;
using htvm::testing::floatFromBits;

Graph quantGraph(int64_t k, int64_t lo, int64_t hi, int64_t nan, DType to, size_t n) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {static_cast<int64_t>(n)}});
  b.output(b.node("q", OpKind::QuantizeF32, {x}, {to, {static_cast<int64_t>(n)}},
                  Attrs{{"k", k}, {"lo", lo}, {"hi", hi}, {"nan", nan}}));
  return b.g;
}

Buffer quantize(int64_t k, int64_t lo, int64_t hi, int64_t nan, DType to, const std::vector<float>& x) {
  return testing::runLast(quantGraph(k, lo, hi, nan, to, x.size()), {Buffer(x.begin(), x.end())});
}

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(QuantizeF32, FloorsTowardMinusInfinityAndSaturates) {
  const std::vector<float> x = {0.0f, -0.0f, 0.5f, -0.5f, 1.0f, -1.0f, 2.75f, -2.75f, 127.9f,
                                128.0f, -128.0f, -128.5f, 1e30f, -1e30f, kInf, -kInf, NAN};
  EXPECT_EQ(quantize(0, -128, 127, 5, DType::I8, x),
            (Buffer{0, 0, 0, -1, 1, -1, 2, -3, 127, 127, -128, -128, 127, -128, 127, -128, 5}));
}

TEST(QuantizeF32, ScalesByPowerOfTwo) {
  // k = 3: x * 8. With k = 149 the smallest subnormal becomes 1, the largest 2^23 - 1.
  EXPECT_EQ(quantize(3, -32, 31, 0, DType::I8, {0.1f, -0.1f, 3.9f, -3.9f, 0.125f, -0.125f}),
            (Buffer{0, -1, 31, -32, 1, -1}));
  EXPECT_EQ(quantize(149, -128, 127, 0, DType::I8,
                     {floatFromBits(1), floatFromBits(0x80000001u), floatFromBits(0x7fffffu),
                      floatFromBits(0x807fffffu), floatFromBits(0x800000u)}),
            (Buffer{1, -1, 127, -128, 127}));
  EXPECT_EQ(quantize(0, 0, 127, 0, DType::I8, {floatFromBits(1), floatFromBits(0x80000001u)}),
            (Buffer{0, 0}));  // -tiny floors to -1, clamped to 0
}

TEST(QuantizeF32, Int32Bounds) {
  const int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(quantize(0, lo, hi, 0, DType::I32, {2147483648.0f, -2147483648.0f, 2147483520.0f, -kInf}),
            (Buffer{static_cast<double>(hi), static_cast<double>(lo), 2147483520.0, static_cast<double>(lo)}));
}

TEST(QuantizeF32, RejectsBadAttributes) {
  EXPECT_NE(testing::runError(quantGraph(150, 0, 1, 0, DType::I8, 1), {{0.0}}).find("k 150"),
            std::string::npos);
  EXPECT_NE(testing::runError(quantGraph(0, 2, 1, 0, DType::I8, 1), {{0.0}}).find("empty"),
            std::string::npos);
  EXPECT_NE(testing::runError(quantGraph(0, 0, 300, 0, DType::I8, 1), {{1000.0}}).find("does not fit"),
            std::string::npos);
}

}  // namespace
}  // namespace htvm::interp
