// Generated CPU kernels of the fused integer layers and of relayout, built and run like
// cpu_kernels_test.cpp (host and rv32, -Wall -Wextra -Werror). Expected values are worked out by
// hand from the op definitions in op_kind.h and from the layout definition in ir/layout.h, never
// taken from the interpreter or the emitter.
#include <gtest/gtest.h>

#include <regex>

#include "codegen_test_util.h"

namespace htvm {
namespace {

using namespace htvm::testing;

// Input f32 -> i8, one fused node, -> f32 output.
TensorId toI8(GraphBuilder& b, const std::string& name, Shape s) {
  return b.node("q", OpKind::Cast, {b.input(name, {DType::F32, std::move(s)})}, DType::I8);
}

Graph finish(GraphBuilder& b, TensorId y) {
  return b.output(b.node("f", OpKind::Cast, {y}, DType::F32));
}

// Two output channels with the same kernels (ch0 of x: [[1,-1],[2,0]], ch1 of x: all 3) over
// x ch0 = 1..9, ch1 = -1: acc = 7 - 12, 9 - 12, 13 - 12, 15 - 12 = -5, -3, 1, 3 plus bias.
//   out ch0, bias 10: 5, 7, 11, 13     -> shift 1: 2, 3, 5, 6      -> clip [-6, 6]: 2, 3, 5, 6
//   out ch1, bias -8: -13, -11, -7, -5 -> shift 1: -7, -6, -4, -3  -> clip: -6, -6, -4, -3
//   (floor: -6.5 -> -7, -5.5 -> -6, -3.5 -> -4, -2.5 -> -3)
TEST(FusedKernels, QConv2DRequantInTheEpilogue) {
  GraphBuilder b;
  TensorId x = toI8(b, "x", {1, 2, 3, 3});
  TensorId w = b.constant("w", {DType::I8, {2, 2, 2, 2}},
                          {1, -1, 2, 0, 3, 3, 3, 3, 1, -1, 2, 0, 3, 3, 3, 3});
  TensorId bias = b.constant("b", {DType::I32, {2}}, {10, -8});
  TensorId y = b.node({"qconv", "Conv"}, OpKind::QConv2D, {x, w, bias}, {DType::I8, {1, 2, 2, 2}},
                      withRequant(convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), 1, -6, 6));
  TempDir dir("qconv");
  EXPECT_EQ(compileAndRun(finish(b, y), dir.path(),
                          {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1}),
            (std::vector<float>{2, 3, 5, 6, -6, -6, -4, -3}));
  // One pass over the output: the accumulators start at the bias and the requant sits in the conv
  // loop nest, stored straight as int8.
  std::string layers = readText(dir.path() / "src/cpu_layers.c");
  EXPECT_NE(layers.find("int32_t a0_0 = (int32_t)b[m]"), std::string::npos) << layers;
  EXPECT_NE(layers.find("v >>= 1;"), std::string::npos) << layers;
  EXPECT_EQ(layers.find("int32_t y"), std::string::npos) << layers;
}

// x = [100, -100] then [-100, 100]; W (trans_b 0) [[127, 1], [-128, 1]], b [1, 2]:
//   [25501, 2] -> shift 8 -> [99, 0]; [-25499, 2] -> [-100, 0]; clip [-128, 50].
TEST(FusedKernels, QDense) {
  GraphBuilder b;
  TensorId x = toI8(b, "x", {1, 2});
  TensorId w = b.constant("w", {DType::I8, {2, 2}}, {127, 1, -128, 1});
  TensorId bias = b.constant("b", {DType::I32, {2}}, {1, 2});
  TensorId y = b.node({"qfc", "Gemm"}, OpKind::QDense, {x, w, bias}, {DType::I8, {1, 2}},
                      withRequant({{"trans_b", int64_t{0}}}, 8, -128, 50));
  TempDir dir("qdense");
  EXPECT_EQ(compileAndRun(finish(b, y), dir.path(), {100, -100, -100, 100}),
            (std::vector<float>{50, 0, -100, 0}));
}

// [-128, 127, 5, -5] + [-128, 127, -6, 4] = [-256, 254, -1, -1] -> shift 1 -> [-128, 127, -1, -1]
// -> clip [-100, 100] -> [-100, 100, -1, -1].
TEST(FusedKernels, QAdd) {
  GraphBuilder b;
  TensorId x = toI8(b, "x", {4});
  TensorId c = b.constant("c", {DType::I8, {4}}, {-128, 127, -6, 4});
  TensorId y = b.node({"qadd", "Add"}, OpKind::QAdd, {x, c}, {DType::I8, {4}},
                      withRequant({}, 1, -100, 100));
  TempDir dir("qadd");
  EXPECT_EQ(compileAndRun(finish(b, y), dir.path(), {-128, 127, 5, -5}),
            (std::vector<float>{-100, 100, -1, -1}));
}

// 1x1 conv, two output channels, on x = [10, -7] (1x2): w = [3, -5]; acc ch0 [30, -21], ch1 [-50,
// 35]; / 2.5 and floor: [12, -9], [-20, 14]; ADC [-16, 13]: [12, -9], [-16, 13].
Graph analogGraph(std::vector<double> k, std::vector<double> l, int64_t shift, int64_t lo,
                  int64_t hi) {
  GraphBuilder b;
  TensorId x = toI8(b, "x", {1, 1, 1, 2});
  TensorId w = b.constant("w", {DType::I8, {2, 1, 1, 1}}, {3, -5});
  TensorId kc = b.constant("k", {DType::I16, {2}}, std::move(k));
  TensorId lc = b.constant("l", {DType::I16, {2}}, std::move(l));
  auto a = withRequant(convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), shift, lo, hi);
  a["gain"] = 2.5;
  a["adc_lo"] = int64_t{-16};
  a["adc_hi"] = int64_t{13};
  TensorId y = b.node({"analog", "Conv"}, OpKind::AnalogConv2D, {x, w, kc, lc},
                      {DType::I8, {1, 2, 1, 2}}, a);
  return finish(b, y);
}

// BN k = [2, -3], l = [1, 5]: [25, -17], [53, -34]; shift 2: [6, -5], [13, -9]; clip [-6, 10].
TEST(FusedKernels, AnalogConv2DAdcBnRequant) {
  TempDir dir("analog");
  EXPECT_EQ(compileAndRun(analogGraph({2, -3}, {1, 5}, 2, -6, 10), dir.path(), {10, -7}),
            (std::vector<float>{6, -5, 10, -6}));
}

// Identity BN (the partially fused residual projection): the multiply-add is folded away.
TEST(FusedKernels, AnalogConv2DIdentityBnIsFolded) {
  TempDir dir("analog_id");
  EXPECT_EQ(compileAndRun(analogGraph({1, 1}, {0, 0}, 0, -16, 13), dir.path(), {10, -7}),
            (std::vector<float>{12, -9, -16, 13}));
  std::string layers = readText(dir.path() / "src/cpu_layers.c");
  EXPECT_NE(layers.find("(void)k;"), std::string::npos) << layers;
  EXPECT_EQ(layers.find("k[m]"), std::string::npos) << layers;
}

// ---- relayout ----

TensorId relayout(GraphBuilder& b, const std::string& name, TensorId x, Layout l) {
  TensorType t = b.g.type(x);
  t.layout = l;
  return b.node(name, OpKind::Relayout, {x}, t);
}

// NCHW -> each layout (-> further layouts) -> NCHW gives back the input.
void expectRoundTrip(const Shape& s, const std::vector<Layout>& path, const std::string& tag) {
  GraphBuilder b;
  TensorId t = toI8(b, "x", s);
  for (size_t i = 0; i < path.size(); ++i) t = relayout(b, "to_" + std::to_string(i), t, path[i]);
  t = relayout(b, "back", t, Layout::NCHW);
  Graph g = finish(b, t);
  std::vector<float> in(static_cast<size_t>(numElements(s)));
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = static_cast<float>(static_cast<int>(i * 37 % 255) - 127);
  TempDir dir(tag);
  EXPECT_EQ(compileAndRun(g, dir.path(), in), in) << tag;
}

TEST(FusedKernels, RelayoutRoundTrips) {
  expectRoundTrip({1, 3, 5, 17}, {Layout::CHW_W16_REV4}, "chw16");
  expectRoundTrip({1, 65, 3, 2}, {Layout::HWC_C64_REV4}, "hwc64");
  expectRoundTrip({1, 21}, {Layout::VEC16_REV4}, "vec16");
  expectRoundTrip({1, 3, 5, 17}, {Layout::CHW_W16_REV4, Layout::HWC_C64_REV4, Layout::CHW_W16_REV4},
                  "accel");
}

// Runs the relayout layer function named after node `node` of g on `in` (int8 values) through a
// small C harness linked with the generated cpu_layers.c only, and returns the `bytes` bytes it
// stores. The destination starts filled with 0x55 so that unwritten padding shows.
std::vector<int> storageBytes(const Graph& g, const std::string& node, const std::vector<int>& in,
                              size_t bytes, const fs::path& dir) {
  EXPECT_TRUE(emitAndMake(g, dir));
  std::smatch m;
  const std::string header = readText(dir / "src/cpu_layers.h");
  EXPECT_TRUE(std::regex_search(header, m, std::regex("void (htvm_l[0-9]+_" + node + ")\\(")));
  std::string x;
  for (int v : in) x += std::to_string(v) + ", ";
  std::ofstream(dir / "harness.c")
      << "#include <stdio.h>\n#include <string.h>\n#include \"cpu_layers.h\"\n"
      << "int main(void) {\n  static const int8_t x[] = {" << x << "};\n"
      << "  int8_t y[" << bytes << "];\n  memset(y, 0x55, sizeof y);\n  " << m[1].str()
      << "(x, y);\n"
      << "  for (unsigned i = 0; i < sizeof y; ++i) printf(\"%d\\n\", y[i]);\n"
      << "  return 0;\n}\n";
  const std::string d = dir.string();
  EXPECT_EQ(
      shell("cc -std=c11 -Wall -Wextra -Werror -I'" + d + "/src' '" + d + "/src/cpu_layers.c' '" +
            d + "/harness.c' -o '" + d + "/harness' -lm > '" + d + "/harness.log' 2>&1"),
      0)
      << readText(dir / "harness.log");
  EXPECT_EQ(shell("'" + d + "/harness' > '" + d + "/bytes.txt'"), 0);
  std::vector<int> out;
  std::istringstream ss(readText(dir / "bytes.txt"));
  for (int v; ss >> v;) out.push_back(v);
  return out;
}

// x: 1x2x2x3 with x[c][h][w] = 1 + 6c + 3h + w (1..12).
Graph storageGraph(Layout l) {
  GraphBuilder b;
  TensorId t = relayout(b, "pack", toI8(b, "x", {1, 2, 2, 3}), l);
  return finish(b, relayout(b, "unpack", t, Layout::NCHW));
}

const std::vector<int> kStorageInput{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// CHW_W16_REV4: rows padded to 16 columns, position p = (c * 2 + h) * 16 + w, stored at p ^ 3.
// Row (c, h) occupies the word at 16 * (2c + h): p = .., +1, +2 land at bytes 3, 2, 1 of it and
// the padding column 3 at byte 0, so the word reads [0, x[c][h][2], x[c][h][1], x[c][h][0]].
TEST(FusedKernels, RelayoutChwW16StorageBytes) {
  TempDir dir("chw_bytes");
  std::vector<int> expected(64, 0);
  const int rows[4][4] = {{0, 3, 2, 1}, {0, 6, 5, 4}, {0, 9, 8, 7}, {0, 12, 11, 10}};
  for (int r = 0; r < 4; ++r)
    for (int k = 0; k < 4; ++k) expected[static_cast<size_t>(16 * r + k)] = rows[r][k];
  EXPECT_EQ(storageBytes(storageGraph(Layout::CHW_W16_REV4), "pack", kStorageInput, 64, dir.path()),
            expected);
}

// HWC_C64_REV4: pixel (h, w) holds its 2 channels in a 64-byte slot: p = (3h + w) * 64 + c, stored
// at p ^ 3, so slot k = 3h + w starts with the word [0, 0, x[1][h][w], x[0][h][w]].
TEST(FusedKernels, RelayoutHwcC64StorageBytes) {
  TempDir dir("hwc_bytes");
  std::vector<int> expected(6 * 64, 0);
  const int words[6][4] = {{0, 0, 7, 1},  {0, 0, 8, 2},  {0, 0, 9, 3},
                           {0, 0, 10, 4}, {0, 0, 11, 5}, {0, 0, 12, 6}};
  for (int s = 0; s < 6; ++s)
    for (int k = 0; k < 4; ++k) expected[static_cast<size_t>(64 * s + k)] = words[s][k];
  EXPECT_EQ(
      storageBytes(storageGraph(Layout::HWC_C64_REV4), "pack", kStorageInput, 6 * 64, dir.path()),
      expected);
}

// VEC16_REV4 of [1, 5] = [1..5]: i stored at i ^ 3: bytes 3, 2, 1, 0, 7 hold 1..5; 16 bytes.
TEST(FusedKernels, RelayoutVec16StorageBytes) {
  GraphBuilder b;
  TensorId t = relayout(b, "pack", toI8(b, "x", {1, 5}), Layout::VEC16_REV4);
  Graph g = finish(b, relayout(b, "unpack", t, Layout::NCHW));
  TempDir dir("vec_bytes");
  EXPECT_EQ(storageBytes(g, "pack", {1, 2, 3, 4, 5}, 16, dir.path()),
            (std::vector<int>{4, 3, 2, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0}));
}

// A CPU kernel other than relayout that would read an accelerator layout is reported.
TEST(FusedKernels, NonNchwOperandOfACpuKernelIsReported) {
  GraphBuilder b;
  TensorId t = relayout(b, "pack", toI8(b, "x", {1, 2, 2, 3}), Layout::CHW_W16_REV4);
  Graph g = finish(b, t);
  TempDir dir("nchw");
  Status s = emitC(g, planArena(g), testOptions(), dir.path().string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(
      s.diag().message,
      "node 'f' (cast): codegen: CPU kernel cast needs NCHW operands, but 'pack_out' is stored as "
      "chw_w16_rev4 (a relayout is missing)");
}

}  // namespace
}  // namespace htvm
