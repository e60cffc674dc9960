// Fused CPU chains (passes/fuse_cpu_chains.h, codegen/c/emit_cpu_chain.cpp) against the reference
// interpreter, which runs the same graph op by op: random trees of elementwise integer ops over an
// int8 tensor held in all three activation layouts (NCHW, CHW_W16_REV4, HWC_C64_REV4), with
// broadcast constants, int16/int32 intermediates, shifts, floor division and saturating clips, and
// chains that end in a padded layout another chain reads back; a third of them end in a global
// pooling (integer sum or float mean), which roots the chain. Every output must match exactly.
#include <gtest/gtest.h>

#include <random>

#include "codegen_test_util.h"
#include "interp/interpreter.h"
#include "ir/print.h"
#include "passes/fuse_cpu_chains.h"

namespace htvm {
namespace {

using testing::GraphBuilder;

struct TreeGen {
  GraphBuilder& b;
  std::mt19937& rng;
  Shape shape;
  std::vector<TensorId> leaves;  // the input in NCHW and in the padded layouts
  int count = 0;

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  std::string name(const char* op) { return std::string(op) + std::to_string(count++); }
  TensorType type(DType d, Layout l = Layout::NCHW) const { return {d, shape, l}; }

  TensorId cast(TensorId v, DType d) {
    if (b.g.type(v).dtype == d) return v;
    return b.node(name("cast"), OpKind::Cast, {v}, type(d));
  }
  // A per-channel, per-tensor or full-size constant with small values, broadcast numpy-style.
  TensorId constant(DType d) {
    Shape s;
    switch (pick(0, 3)) {
      case 0: s = {1, shape[1], 1, 1}; break;
      case 1: s = {shape[1], 1, 1}; break;
      case 2: s = {1}; break;
      default: s = shape; break;
    }
    TensorType t{d, s};
    std::vector<double> data(static_cast<size_t>(t.elements()));
    for (double& v : data) v = pick(-4, 4);
    return b.constant(name("k"), t, data);
  }
  TensorId clip8(TensorId v) {
    // A lower bound of 0 (ReLU) has its own emitted form: pick it often.
    int lo = pick(0, 2) == 0 ? 0 : pick(-128, 0), hi = pick(0, 127);
    TensorId c = b.node(name("clip"), OpKind::Clip, {v}, b.g.type(v),
                        {{"lo", static_cast<double>(lo)}, {"hi", static_cast<double>(hi)}});
    return cast(c, DType::I8);
  }
  // An int8 value: a leaf, or an op over smaller trees saturated back to int8.
  TensorId tree(int depth) {
    if (depth == 0 || pick(0, 3) == 0) {
      // Elementwise ops read logical NCHW: a padded leaf is read through a relayout, which the
      // chain absorbs (it then indexes the leaf in its layout).
      TensorId leaf = leaves[static_cast<size_t>(pick(0, 2))];
      if (b.g.type(leaf).layout == Layout::NCHW) return leaf;
      return b.node(name("unpad"), OpKind::Relayout, {leaf}, type(DType::I8));
    }
    DType wide = pick(0, 1) ? DType::I16 : DType::I32;
    switch (pick(0, 5)) {
      case 0: {  // add / sub / max / min of two trees
        static const OpKind ops[] = {OpKind::Add, OpKind::Sub, OpKind::Max, OpKind::Min};
        OpKind op = ops[pick(0, 3)];
        TensorId a = cast(tree(depth - 1), wide), c = cast(tree(depth - 1), wide);
        return clip8(b.node(name("bin"), op, {a, c}, type(wide)));
      }
      case 1: {  // times a broadcast constant, then an arithmetic shift
        TensorId m = b.node(name("mul"), OpKind::Mul, {cast(tree(depth - 1), wide), constant(wide)},
                            type(wide));
        TensorId s = b.node(name("shr"), OpKind::ShiftRight, {m}, type(wide),
                            {{"shift", int64_t{pick(0, 3)}}});
        return clip8(s);
      }
      case 2: {  // plus a broadcast constant
        TensorId a = b.node(name("addk"), OpKind::Add, {cast(tree(depth - 1), wide), constant(wide)},
                            type(wide));
        return clip8(a);
      }
      case 3:  // floor division
        return cast(b.node(name("fdiv"), OpKind::FloorDiv, {cast(tree(depth - 1), wide)},
                           type(wide), {{"divisor", int64_t{pick(1, 5)}}}),
                    DType::I8);
      case 4: {  // a chain that ends in a padded layout, read back twice (so it is a root)
        Layout l = pick(0, 1) ? Layout::CHW_W16_REV4 : Layout::HWC_C64_REV4;
        TensorId r = b.node(name("relayout"), OpKind::Relayout, {tree(depth - 1)}, type(DType::I8, l));
        TensorId back1 = b.node(name("back"), OpKind::Relayout, {r}, type(DType::I8));
        TensorId back2 = b.node(name("back"), OpKind::Relayout, {r}, type(DType::I8));
        TensorId s = b.node(name("bin"), OpKind::Add, {cast(back1, DType::I16), cast(back2, DType::I16)},
                            type(DType::I16));
        return clip8(s);
      }
      default:  // clip only
        return clip8(cast(tree(depth - 1), wide));
    }
  }
};

TEST(FusedChains, RandomElementwiseTreesMatchTheInterpreterInEveryLayout) {
  int fusedGraphs = 0, pooledRoots = 0;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    GraphBuilder b;
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    Shape shape{1, pick(1, 20), pick(1, 7), pick(1, 19)};
    TensorId in = b.input("in", {DType::F32, shape});
    TensorId x = b.node("q", OpKind::QuantizeF32, {in}, {DType::I8, shape},
                        {{"k", int64_t{0}}, {"lo", int64_t{-128}}, {"hi", int64_t{127}},
                         {"nan", int64_t{0}}});
    TreeGen t{b, rng, shape, {}};
    t.leaves = {x, b.node("w16", OpKind::Relayout, {x}, {DType::I8, shape, Layout::CHW_W16_REV4}),
                b.node("c64", OpKind::Relayout, {x}, {DType::I8, shape, Layout::HWC_C64_REV4})};
    TensorId v = t.tree(4);
    // A third of the trees feed a global pooling, which roots the chain (its loop sums them).
    const Shape pooled{1, shape[1], 1, 1};
    switch (seed % 3) {
      case 0: b.output(b.node("out", OpKind::Cast, {v}, {DType::F32, shape})); break;
      case 1: {
        TensorId sum = b.node("sum", OpKind::GlobalSum, {b.node("wide", OpKind::Cast, {v}, {DType::I32, shape})},
                              {DType::I32, pooled});
        b.output(b.node("out", OpKind::Cast, {sum}, {DType::F32, pooled}));
        break;
      }
      default:
        b.output(b.node("out", OpKind::GlobalAvgPool, {b.node("f", OpKind::Cast, {v}, {DType::F32, shape})},
                        {DType::F32, pooled}));
    }
    Graph& g = b.verified();

    std::vector<float> input(static_cast<size_t>(b.g.type(in).elements()));
    for (float& f : input) f = static_cast<float>(pick(-300, 300)) * 0.5f;
    Result<std::vector<interp::Buffer>> want =
        interp::run(g, {interp::Buffer(input.begin(), input.end())});
    ASSERT_TRUE(want.ok()) << want.diag().message;

    Graph fused = g;
    FuseChainStats s = fuseCpuChains(fused);
    fusedGraphs += s.chains > 0;
    for (const Node& n : fused.nodes)
      pooledRoots += n.fusedRoot && (n.op == OpKind::GlobalSum || n.op == OpKind::GlobalAvgPool);
    testing::TempDir dir("chain" + std::to_string(seed));
    std::vector<float> got = seed == 1 ? testing::compileAndRun(fused, dir.path(), input)
                                       : std::vector<float>{};
    if (seed != 1) {  // host only after the first: the rv32 build is the same C
      ASSERT_TRUE(testing::emitAndMake(fused, dir.path()));
      testing::writeFloats(dir.path() / "in.bin", input);
      ASSERT_EQ(testing::shell("cd '" + dir.path().string() +
                               "' && ./build/htvm_demo in.bin out.bin > run.log 2>&1"),
                0);
      got = testing::readFloats(dir.path() / "out.bin");
    }
    const interp::Buffer& w = want->at(static_cast<size_t>(g.outputs[0]));
    ASSERT_EQ(got.size(), w.size());
    for (size_t i = 0; i < w.size(); ++i)
      ASSERT_EQ(got[i], static_cast<float>(w[i])) << printGraph(fused) << "element " << i << ", " << s.chains
                                                  << " chains, " << s.members << " fused nodes";
  }
  EXPECT_GE(fusedGraphs, 10) << "the generator should make fusable trees";
  EXPECT_GE(pooledRoots, 5) << "pooling should root the chains that feed it";
}

// A chain's intermediates take no arena bytes: the arena of the fused graph is smaller.
TEST(FusedChains, IntermediatesLeaveTheArena) {
  GraphBuilder b;
  Shape s{1, 8, 4, 4};
  TensorId in = b.input("in", {DType::F32, s});
  TensorId x = b.node("q", OpKind::QuantizeF32, {in}, {DType::I8, s},
                      {{"k", int64_t{0}}, {"lo", int64_t{-128}}, {"hi", int64_t{127}}, {"nan", int64_t{0}}});
  TensorId w = b.node("w", OpKind::Cast, {x}, {DType::I32, s});
  TensorId m = b.node("m", OpKind::Mul, {w, b.filled("k", {DType::I32, {1, 8, 1, 1}}, 3)}, {DType::I32, s});
  TensorId c = b.node("c", OpKind::Clip, {m}, {DType::I32, s}, {{"lo", -100.0}, {"hi", 100.0}});
  b.output(b.node("out", OpKind::Cast, {c}, {DType::F32, s}));
  Graph& g = b.verified();
  Graph fused = g;
  FuseChainStats st = fuseCpuChains(fused);
  EXPECT_EQ(st.chains, 1);
  EXPECT_EQ(st.members, 4);  // q, w, m, c computed in the loop of `out`
  EXPECT_GT(planArena(g).size, 0);
  EXPECT_EQ(planArena(fused).size, 0);
}

// A residual block's input is needed by an accelerator (in its layout) and later by the skip
// add: the add reads the relayout's copy, the NCHW value then has the relayout as its only reader
// and is computed inside the relayout's loop, so no NCHW copy is stored. Same output as the
// interpreter's.
TEST(FusedChains, SkipAddReadsTheAcceleratorCopy) {
  GraphBuilder b;
  Shape s{1, 6, 3, 9};
  TensorId in = b.input("in", {DType::F32, s});
  TensorId x = b.node("q", OpKind::QuantizeF32, {in}, {DType::I8, s},
                      {{"k", int64_t{1}}, {"lo", int64_t{-128}}, {"hi", int64_t{127}}, {"nan", int64_t{0}}});
  TensorId acc = b.node("to_accel", OpKind::Relayout, {x}, {DType::I8, s, Layout::HWC_C64_REV4});
  // Stands in for the accelerator layer: another CPU value computed from the padded copy.
  TensorId back = b.node("from_accel", OpKind::Relayout, {acc}, {DType::I8, s});
  TensorId body = b.node("body", OpKind::Cast, {back}, {DType::I16, s});
  TensorId skip = b.node("skip", OpKind::Cast, {x}, {DType::I16, s});
  TensorId sum = b.node("add", OpKind::Add, {body, skip}, {DType::I16, s});
  b.output(b.node("out", OpKind::Cast, {sum}, {DType::F32, s}));
  Graph& g = b.verified();

  Graph fused = g;
  FuseChainStats st = fuseCpuChains(fused);
  EXPECT_EQ(st.redirected, 1);
  auto node = [&](const char* name) -> const Node& {
    for (const Node& n : fused.nodes)
      if (n.name == name) return n;
    ADD_FAILURE() << "no node " << name;
    return fused.nodes[0];
  };
  EXPECT_EQ(node("skip").inputs[0], acc) << "the skip path reads the accelerator's copy";
  EXPECT_TRUE(node("to_accel").fusedRoot);
  EXPECT_EQ(node("q").fusedInto, acc) << "the quantizer runs inside the relayout's loop";
  EXPECT_LT(planArena(fused).size, planArena(g).size);

  std::vector<float> input(static_cast<size_t>(g.type(in).elements()));
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>(static_cast<int>(i * 37 % 301) - 150) * 0.5f;
  Result<std::vector<interp::Buffer>> want = interp::run(g, {interp::Buffer(input.begin(), input.end())});
  ASSERT_TRUE(want.ok()) << want.diag().message;
  testing::TempDir dir("skip");
  std::vector<float> got = testing::compileAndRun(fused, dir.path(), input);
  const interp::Buffer& w = want->at(static_cast<size_t>(g.outputs[0]));
  ASSERT_EQ(got.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i) ASSERT_EQ(got[i], static_cast<float>(w[i])) << "element " << i;
}

// A reader before the relayout, or one that is not elementwise, keeps the NCHW value.
TEST(FusedChains, RelayoutIsNotSharedWithAnEarlierOrNonElementwiseReader) {
  GraphBuilder b;
  Shape s{1, 4, 2, 4};
  TensorId in = b.input("in", {DType::F32, s});
  TensorId x = b.node("q", OpKind::QuantizeF32, {in}, {DType::I8, s},
                      {{"k", int64_t{0}}, {"lo", int64_t{-128}}, {"hi", int64_t{127}}, {"nan", int64_t{0}}});
  TensorId pooled = b.node("sum", OpKind::GlobalSum, {x}, {DType::I32, {1, 4, 1, 1}});
  TensorId acc = b.node("to_accel", OpKind::Relayout, {x}, {DType::I8, s, Layout::CHW_W16_REV4});
  TensorId back = b.node("from_accel", OpKind::Relayout, {acc}, {DType::I8, s});
  TensorId pb = b.node("sum2", OpKind::GlobalSum, {b.node("w", OpKind::Cast, {back}, {DType::I32, s})},
                       {DType::I32, {1, 4, 1, 1}});
  TensorId t = b.node("add", OpKind::Add, {pooled, pb}, {DType::I32, {1, 4, 1, 1}});
  b.output(b.node("out", OpKind::Cast, {t}, {DType::F32, {1, 4, 1, 1}}));
  Graph& g = b.verified();
  Graph fused = g;
  FuseChainStats st = fuseCpuChains(fused);
  EXPECT_EQ(st.redirected, 0);
  for (const Node& n : fused.nodes) {
    if (n.name == "sum") {
      EXPECT_EQ(n.inputs[0], x);
    }
    if (n.name == "sum2") {
      EXPECT_TRUE(n.fusedRoot) << "a pooling roots the chain that feeds it";
    }
  }
}

}  // namespace
}  // namespace htvm
