// The generated quantize_f32 kernel (emit_cpu_layer.cpp) in both of its forms, the FPU one
// (HTVM_HARD_FLOAT: multiply, compares, round-down conversion) and the integer-only decoding of
// float32 bits, against the op's definition as the interpreter computes it (interp/quantize_f32.h,
// literal float32 arithmetic), bit-exact: the host build (FPU form), the host build with
// -DHTVM_HARD_FLOAT=0 and rv32imac under QEMU (integer form), rv32imafc under QEMU (FPU form with
// fcvt.w.s). Inputs: every special value (+-0, +-inf, NaNs, subnormal and normal extremes, powers
// of two, every integer boundary in [lo - 2, hi + 2] and the halves between, each with its
// neighbours) for k in 0..10 and three clip ranges, plus 320k seeded random bit patterns. The
// integer form must use no float arithmetic.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "codegen_test_util.h"
#include "interp/quantize_f32.h"
#include "interp/quantize_f32_values.h"

namespace htvm {
namespace {

using namespace htvm::testing;

constexpr int64_t kElems = 1024;  // one sample; the values are packed into several

struct QuantCase {
  int64_t k, lo, hi, nan;
  DType to;
};

Graph quantGraph(const QuantCase& c) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::F32, {kElems}});
  TensorId q = b.node({"q", "Div"}, OpKind::QuantizeF32, {x}, {c.to, {kElems}},
                      {{"k", c.k}, {"lo", c.lo}, {"hi", c.hi}, {"nan", c.nan}});
  return b.output(b.node("to_f32", OpKind::Cast, {q}, DType::F32));
}

// Builds and runs on both targets and compares every output bit-exactly (first mismatches printed).
void check(const QuantCase& c, std::vector<float> in, const std::string& tag) {
  while (in.size() % kElems) in.push_back(0.0f);
  std::vector<float> want;
  for (float v : in)
    want.push_back(static_cast<float>(interp::quantizeF32(v, c.k, c.lo, c.hi, c.nan)));
  TempDir dir(tag);
  Graph g = quantGraph(c);
  ASSERT_TRUE(emitAndMake(g, dir.path()));
  ASSERT_TRUE(emitAndMake(g, dir.path(), "TARGET=rv32"));
  // The integer form (between #else and #endif; all of the body when the FPU form does not
  // apply) has no float type beyond the parameter and no libm call; neither form calls floorf.
  const std::string layers = readText(dir.path() / "src/cpu_layers.c");
  const size_t fn = layers.find("quantize_f32:");
  ASSERT_NE(fn, std::string::npos) << layers;
  const std::string body = layers.substr(layers.find('{', fn), layers.find("\n}\n", fn) - layers.find('{', fn));
  const size_t other = body.find("#else");
  const std::string integer = other == std::string::npos ? body : body.substr(other, body.find("#endif") - other);
  EXPECT_EQ(integer.find("float"), std::string::npos) << integer;
  EXPECT_EQ(body.find("floorf"), std::string::npos) << body;
  EXPECT_EQ(other != std::string::npos, c.k <= 127 && std::llabs(c.lo) <= (1 << 24) && std::llabs(c.hi) <= (1 << 24))
      << "the FPU form is emitted exactly when 2^k and the bounds are float32-exact";
  writeFloats(dir.path() / "in.bin", in);
  const std::string d = "cd '" + dir.path().string() + "' && ";
  ASSERT_EQ(shell(d + "./build/htvm_demo in.bin out_host.bin > host.log 2>&1"), 0)
      << readText(dir.path() / "host.log");
  ASSERT_TRUE(emitAndMake(g, dir.path(), "CFLAGS=-DHTVM_HARD_FLOAT=0"));
  ASSERT_EQ(shell(d + "./build/htvm_demo in.bin out_host_int.bin > host_int.log 2>&1"), 0)
      << readText(dir.path() / "host_int.log");
  ASSERT_EQ(shell(d + "make -s TARGET=rv32 run IN=in.bin OUT=out_rv32.bin > rv32.log 2>&1"), 0)
      << readText(dir.path() / "rv32.log");
  // DIANA's own ISA (platforms/diana.json): the FPU form with fcvt.w.s's round-down.
  ASSERT_EQ(shell(d + "make -s TARGET=rv32 RV32_MARCH=rv32imafc RV32_MABI=ilp32f run IN=in.bin "
                      "OUT=out_rv32f.bin > rv32f.log 2>&1"),
            0)
      << readText(dir.path() / "rv32f.log");
  for (const char* out : {"out_host.bin", "out_host_int.bin", "out_rv32.bin", "out_rv32f.bin"}) {
    std::vector<float> got = readFloats(dir.path() / out);
    ASSERT_EQ(got.size(), want.size()) << out;
    int bad = 0;
    for (size_t i = 0; i < want.size(); ++i)
      if (bitsOf(got[i]) != bitsOf(want[i]) && ++bad <= 5)
        ADD_FAILURE() << out << " k " << c.k << " [" << c.lo << ", " << c.hi << "]: x = " << in[i]
                      << " (0x" << std::hex << bitsOf(in[i]) << std::dec << ") gives " << got[i]
                      << ", expected " << want[i];
    EXPECT_EQ(bad, 0) << out << ": " << bad << " mismatches";
  }
}

// k and the bounds are literals of the kernel: one project per (k, range).
TEST(QuantizeF32Kernel, SpecialAndRandomValues) {
  const std::vector<std::pair<int64_t, int64_t>> ranges = {{-128, 127}, {0, 127}, {-32, 31}};
  uint32_t seed = 1;
  for (int64_t k : {0, 1, 2, 3, 5, 7, 8, 10})
    for (auto [lo, hi] : ranges) {
      std::vector<float> in = quantizeSpecialValues(static_cast<int>(k), lo, hi);
      std::vector<float> rnd = randomFloatBits(14000, seed++);
      in.insert(in.end(), rnd.begin(), rnd.end());
      check({k, lo, hi, lo == 0 ? 0 : lo, DType::I8}, in,
            "k" + std::to_string(k) + "_" + std::to_string(lo) + "_" + std::to_string(hi));
      if (::testing::Test::HasFatalFailure()) return;
    }
}

// Wider outputs and large k: int16/int32 bounds (int32 values reach the output as float32, so the
// bounds stay below 2^24 where that is exact), k up to 149 (subnormals scale to integers).
TEST(QuantizeF32Kernel, WideBoundsAndLargeK) {
  std::vector<float> in = randomFloatBits(40000, 99);
  const std::vector<QuantCase> cases = {{0, -32768, 32767, 7, DType::I16},
                                        {20, -(1 << 24), 1 << 24, -3, DType::I32},
                                        {126, -5, 100, 0, DType::I8},
                                        {149, -128, 127, 0, DType::I8},
                                        {4, 3, 3, 3, DType::I8},
                                        {0, -1, 0, 0, DType::I8}};
  for (const QuantCase& c : cases) {
    std::vector<float> v = in;
    std::vector<float> s = quantizeSpecialValues(static_cast<int>(c.k), -130, 130);
    v.insert(v.end(), s.begin(), s.end());
    for (int64_t j : {c.lo, c.hi})
      for (int64_t d = -2; d <= 2; ++d) {
        pushWithNeighbours(v, std::ldexp(static_cast<float>(j + d), -static_cast<int>(c.k)));
        pushWithNeighbours(v, std::ldexp(static_cast<float>(j + d) + 0.5f, -static_cast<int>(c.k)));
      }
    check(c, v, "wide_k" + std::to_string(c.k));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace htvm
