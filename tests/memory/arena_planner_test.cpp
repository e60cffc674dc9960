// Tests for the static arena planner: reuse along chains, fan-out lifetimes, Reshape aliasing,
// in-place elementwise nodes, caller-owned tensors, the lower bound, and the overlap checker on
// hand-corrupted and random plans.
#include "memory/arena_planner.h"

#include <gtest/gtest.h>

#include <random>

#include "ir/print.h"
#include "ir/verify.h"
#include "support/graph_builder.h"

namespace htvm {
namespace {

using testing::GraphBuilder;

// The planner only sees sizes and lifetimes, so the graphs are chains of clips, adds, reshapes
// and dense layers whose values do not matter.
TensorId clip(GraphBuilder& b, const std::string& name, TensorId x, DType out) {
  TensorType t = b.g.type(x);
  t.dtype = out;
  return b.node(name, OpKind::Clip, {x}, t, {{"lo", -100.0}, {"hi", 100.0}});
}
TensorId add(GraphBuilder& b, const std::string& name, TensorId x, TensorId y) {
  return b.node(name, OpKind::Add, {x, y}, b.g.type(x));
}
TensorId reshape(GraphBuilder& b, const std::string& name, TensorId x, Shape s) {
  return b.node(name, OpKind::Reshape, {x}, {b.g.type(x).dtype, s}, {{"shape", Ints(s)}});
}
TensorId dense(GraphBuilder& b, const std::string& name, TensorId x, int64_t m, DType out) {
  int64_t k = b.g.type(x).shape[1];
  TensorId w = b.filled(name + "_w", {DType::I8, {k, m}}, 1.0);
  return b.node(name, OpKind::Dense, {x, w, -1}, {out, {1, m}}, {{"trans_b", int64_t{0}}});
}

const TensorType kAct{DType::I8, {1, 16, 8, 8}};  // 1024 bytes

// Arena offset of the tensor node `node` writes.
int64_t off(const Graph& g, const ArenaPlan& p, const std::string& node) {
  for (const Node& n : g.nodes)
    if (n.name == node) return p.offset.at(static_cast<size_t>(n.outputs[0]));
  ADD_FAILURE() << "no node '" << node << "'";
  return -2;
}

TEST(ArenaPlanner, ChainReusesBufferOnceProducerIsDead) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId t1 = clip(b, "a", x, DType::I8);
  TensorId t2 = clip(b, "b", t1, DType::I8);
  TensorId t3 = clip(b, "c", t2, DType::I8);
  TensorId y = clip(b, "y", t3, DType::I8);
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok());
  ArenaPlan p = planArena(b.g, 4, InPlace::Off);
  // a is dead after node 1 (which produces b), so c (produced at node 2) can take a's bytes.
  EXPECT_EQ(off(b.g, p, "c"), off(b.g, p, "a"));
  EXPECT_NE(off(b.g, p, "b"), off(b.g, p, "a"));
  EXPECT_EQ(p.size, 2048);
  EXPECT_EQ(p.lowerBound, 2048);
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
}

TEST(ArenaPlanner, CallerBuffersAndConstantsAreNotInTheArena) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 8}});
  TensorId h = dense(b, "h", x, 4, DType::I32);
  TensorId y = clip(b, "y", h, DType::I32);
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok());
  ArenaPlan p = planArena(b.g);
  EXPECT_EQ(p.offset[static_cast<size_t>(x)], -1);
  EXPECT_EQ(p.offset[static_cast<size_t>(y)], -1);
  EXPECT_EQ(p.offset[static_cast<size_t>(b.g.findTensor("h_w").value())], -1);
  EXPECT_EQ(p.offset[static_cast<size_t>(h)], 0);
  EXPECT_EQ(p.bytes[static_cast<size_t>(h)], 16);
  EXPECT_EQ(p.size, 16);
}

TEST(ArenaPlanner, FanOutKeepsBufferAliveUntilLastReader) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);   // node 0, read by nodes 1 and 3
  TensorId c1 = clip(b, "b", a, DType::I8);  // node 1
  TensorId c2 =
      clip(b, "c", c1, DType::I8);  // node 2: may not reuse a (still live), may reuse nothing
  TensorId y = add(b, "y", c2, a);  // node 3
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok());
  ArenaPlan p = planArena(b.g, 4, InPlace::Off);
  EXPECT_NE(off(b.g, p, "c"), off(b.g, p, "a"));
  EXPECT_NE(off(b.g, p, "b"), off(b.g, p, "a"));
  // b is dead once c exists, but c is produced by the node reading b: three live buffers at node 2.
  EXPECT_EQ(p.lowerBound, 3072);
  EXPECT_EQ(p.size, 3072);
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
}

TEST(ArenaPlanner, LargerBuffersArePlacedFirstAndSmallOnesFillGaps) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 64}});
  TensorId small = dense(b, "small", x, 16, DType::I32);  // 64 bytes, node 0..1
  TensorId big = dense(b, "big", small, 64, DType::I32);  // 256 bytes, node 1..2
  TensorId tiny = dense(b, "tiny", big, 4, DType::I32);   // 16 bytes, node 2..3
  TensorId y = clip(b, "y", tiny, DType::I32);
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok());
  ArenaPlan p = planArena(b.g);
  EXPECT_EQ(off(b.g, p, "big"), 0);
  EXPECT_EQ(off(b.g, p, "small"), 256);
  EXPECT_EQ(off(b.g, p, "tiny"), 256);  // small is dead when tiny is produced
  EXPECT_EQ(p.size, 320);
  EXPECT_EQ(p.lowerBound, 320);
}

TEST(ArenaPlanner, ReshapeInsideTheArenaAliasesItsInput) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);
  TensorId r = reshape(b, "r", a, {1, 1024});
  TensorId c = clip(b, "c", r, DType::I8);
  TensorId y = add(b, "y", c, r);  // r (and so a's bytes) stay live until here
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok());
  ArenaPlan p = planArena(b.g);
  EXPECT_EQ(off(b.g, p, "r"), off(b.g, p, "a"));
  EXPECT_NE(off(b.g, p, "c"), off(b.g, p, "a"));
  EXPECT_EQ(p.size, 2048);
  EXPECT_EQ(p.lowerBound, 2048);
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
  (void)c;
}

TEST(ArenaPlanner, ReshapeToGraphOutputIsNotAliased) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);
  TensorId y = reshape(b, "y", a, {1, 1024});
  b.output(y);
  ArenaPlan p = planArena(b.g);
  EXPECT_EQ(off(b.g, p, "a"), 0);
  EXPECT_EQ(off(b.g, p, "y"), -1);
}

TEST(ArenaPlanner, OffsetsRespectAlignmentAndElementSize) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 3}});
  TensorId a = clip(b, "a", x, DType::I8);       // 3 bytes
  TensorId c = dense(b, "c", a, 1, DType::I32);  // 4 bytes, live with a
  TensorId y = add(b, "y", clip(b, "d", c, DType::I32), c);
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok());
  for (int64_t align : {1, 4, 16}) {
    ArenaPlan p = planArena(b.g, align);
    for (size_t t = 0; t < b.g.tensors.size(); ++t) {
      if (p.offset[t] < 0) continue;
      EXPECT_EQ(p.offset[t] % align, 0) << b.g.tensors[t].name;
      EXPECT_EQ(p.offset[t] % dtypeBytes(b.g.tensors[t].type.dtype), 0) << b.g.tensors[t].name;
    }
    EXPECT_EQ(p.size % align, 0);
    EXPECT_FALSE(anyBuffersOverlap(b.g, p));
  }
}

TEST(ArenaPlanner, CheckerDetectsOverlapOfLiveBuffers) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);
  TensorId c = clip(b, "c", a, DType::I8);
  TensorId y = clip(b, "y", c, DType::I8);
  b.output(y);
  ArenaPlan p = planArena(b.g);
  ASSERT_FALSE(anyBuffersOverlap(b.g, p));
  p.offset[static_cast<size_t>(c)] =
      p.offset[static_cast<size_t>(a)] + 1000;  // 24 bytes shared, both live at node 1
  EXPECT_TRUE(anyBuffersOverlap(b.g, p));
  p.offset[static_cast<size_t>(c)] = p.offset[static_cast<size_t>(a)] + 1024;  // adjacent: fine
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
}

TEST(ArenaPlanner, CheckerAcceptsReshapeAliasButNotAliasOfOtherOps) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);
  TensorId r = reshape(b, "r", a, {1, 1024});
  TensorId y = clip(b, "y", r, DType::I8);
  b.output(y);
  ArenaPlan p = planArena(b.g);
  ASSERT_EQ(p.offset[static_cast<size_t>(r)], p.offset[static_cast<size_t>(a)]);
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
  // The same sharing between the input and output of a clip whose input is read again later
  // (here by the add) would clobber that input.
  GraphBuilder b2;
  TensorId x2 = b2.input("x", kAct);
  TensorId a2 = clip(b2, "a", x2, DType::I8);
  TensorId c2 = clip(b2, "c", a2, DType::I8);
  b2.output(add(b2, "y", c2, a2));
  ArenaPlan p2 = planArena(b2.g);
  ASSERT_NE(p2.offset[static_cast<size_t>(c2)], p2.offset[static_cast<size_t>(a2)]);
  p2.offset[static_cast<size_t>(c2)] = p2.offset[static_cast<size_t>(a2)];
  EXPECT_TRUE(anyBuffersOverlap(b2.g, p2));
}

// ---- in place ----

TEST(ArenaPlanner, ElementwiseChainRunsInPlace) {
  GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 16}});
  TensorId a = dense(b, "a", x, 1024, DType::I32);  // 4096 bytes
  TensorId c1 = clip(b, "b", a, DType::I32);        // over a: same size, a's last reader
  TensorId c2 = clip(b, "c", c1, DType::I32);       // over b
  TensorId s = b.node("s", OpKind::ShiftRight, {c2}, {DType::I32, {1, 1024}},
                      {{"shift", int64_t{2}}});  // over c
  TensorId y = clip(b, "y", s, DType::I8);       // graph output: caller-owned, never in the arena
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok()) << verify(b.g).diag().message;
  ArenaPlan p = planArena(b.g);
  for (const char* t : {"b", "c", "s"}) EXPECT_EQ(off(b.g, p, t), off(b.g, p, "a")) << t;
  EXPECT_EQ(p.size, 4096);
  EXPECT_EQ(p.lowerBound, 4096);
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
  // Without in place every step holds its input and its output.
  ArenaPlan q = planArena(b.g, 4, InPlace::Off);
  EXPECT_EQ(q.size, 8192);
  EXPECT_FALSE(anyBuffersOverlap(b.g, q));
}

TEST(ArenaPlanner, InPlaceNotChosenWhenTheInputIsReadLater) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);  // x is a graph input: a gets its own bytes
  TensorId c = clip(b, "c", a, DType::I8);  // a is read again by y
  TensorId y = add(b, "y", c, a);
  b.output(y);
  ArenaPlan p = planArena(b.g);
  EXPECT_NE(off(b.g, p, "c"), off(b.g, p, "a"));
  EXPECT_EQ(p.size, 2048);
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
  (void)c;
}

TEST(ArenaPlanner, InPlaceNotChosenWhenAReshapeAliasIsReadLater) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);
  TensorId r = reshape(b, "r", a, {1, 1024});  // same bytes as a
  TensorId c = clip(b, "c", a, DType::I8);     // last reader of a, but r lives on
  TensorId y = add(b, "y", reshape(b, "cr", c, {1, 1024}), r);
  b.output(y);
  ASSERT_TRUE(verify(b.g).ok()) << verify(b.g).diag().message;
  ArenaPlan p = planArena(b.g);
  EXPECT_EQ(off(b.g, p, "r"), off(b.g, p, "a"));
  EXPECT_NE(off(b.g, p, "c"), off(b.g, p, "a"));
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
  // Forcing c onto a's bytes is caught: r is still read after c is written.
  p.offset[static_cast<size_t>(c)] = p.offset[static_cast<size_t>(a)];
  p.offset[static_cast<size_t>(b.g.findTensor("cr_out").value())] =
      p.offset[static_cast<size_t>(a)];
  EXPECT_TRUE(anyBuffersOverlap(b.g, p));
}

TEST(ArenaPlanner, InPlaceNeedsEqualSizesAndAnArenaInput) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);               // over the caller's input: never
  TensorId wide = clip(b, "wide", a, DType::I16);        // 2048 bytes from 1024: not in place
  TensorId narrow = clip(b, "narrow", wide, DType::I8);  // 1024 from 2048: not in place
  TensorId q = b.node("q", OpKind::QAdd, {narrow, a}, kAct,
                      testing::withRequant({}, 0, -128, 127));  // over narrow or a
  b.output(clip(b, "y", q, DType::I8));
  ASSERT_TRUE(verify(b.g).ok()) << verify(b.g).diag().message;
  ArenaPlan p = planArena(b.g);
  EXPECT_NE(off(b.g, p, "wide"), off(b.g, p, "a"));
  EXPECT_NE(off(b.g, p, "narrow"), off(b.g, p, "wide"));
  // qadd takes the first input whose storage dies with it: narrow.
  EXPECT_EQ(off(b.g, p, "q"), off(b.g, p, "narrow"));
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
}

TEST(ArenaPlanner, AcceleratorNodesNeverRunInPlace) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", clip(b, "a0", x, DType::I8), DType::I8);
  TensorId q =
      b.node({"q", "", 0}, OpKind::QAdd, {a, a}, kAct, testing::withRequant({}, 1, -128, 127));
  b.output(clip(b, "y", q, DType::I8));
  ArenaPlan p = planArena(b.g);
  EXPECT_EQ(off(b.g, p, "a"), off(b.g, p, "a0"));  // the CPU clip does
  EXPECT_NE(off(b.g, p, "q"), off(b.g, p, "a"));
  EXPECT_FALSE(anyBuffersOverlap(b.g, p));
  // ... and the checker does not accept an accelerator node's output over its input.
  p.offset[static_cast<size_t>(q)] = p.offset[static_cast<size_t>(a)];
  EXPECT_TRUE(anyBuffersOverlap(b.g, p));
}

TEST(ArenaPlanner, CheckerRejectsInPlaceWithADifferentOffsetOrSize) {
  GraphBuilder b;
  TensorId x = b.input("x", kAct);
  TensorId a = clip(b, "a", x, DType::I8);
  TensorId c = clip(b, "c", a, DType::I8);
  b.output(clip(b, "y", c, DType::I8));
  ArenaPlan p = planArena(b.g);
  ASSERT_EQ(p.offset[static_cast<size_t>(c)], p.offset[static_cast<size_t>(a)]);
  ASSERT_FALSE(anyBuffersOverlap(b.g, p));
  p.size += 16;
  p.offset[static_cast<size_t>(c)] += 4;  // shifted by a few bytes: element i no longer over i
  EXPECT_TRUE(anyBuffersOverlap(b.g, p));
}

// Random DAGs of dense / add / clip / reshape over 2-D tensors of random sizes and dtypes.
Graph randomGraph(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  GraphBuilder b;
  std::vector<TensorId> values{b.input("x", {DType::I8, {1, pick(1, 64)}})};
  int nodes = static_cast<int>(pick(2, 40));
  const DType dtypes[] = {DType::I8, DType::I16, DType::I32};
  for (int i = 0; i < nodes; ++i) {
    std::string name = "t" + std::to_string(i);
    // Prefer recent values so lifetimes vary between short and long.
    TensorId x = values[static_cast<size_t>(
        std::max<int64_t>(0, static_cast<int64_t>(values.size()) - 1 - pick(0, 4)))];
    switch (pick(0, 3)) {
      case 0:
        values.push_back(dense(b, name, x, pick(1, 128), dtypes[pick(0, 2)]));
        break;
      case 1:
        values.push_back(clip(b, name, x, dtypes[pick(0, 2)]));
        break;
      case 2:
        values.push_back(reshape(b, name, x, b.g.type(x).shape));
        break;
      default: {
        std::vector<TensorId> same;
        for (TensorId v : values)
          if (b.g.type(v) == b.g.type(x) && v != x) same.push_back(v);
        TensorId other =
            same.empty()
                ? x
                : same[static_cast<size_t>(pick(0, static_cast<int64_t>(same.size()) - 1))];
        values.push_back(add(b, name, x, other));
      }
    }
  }
  b.output(values.back());
  return b.g;
}

// Independent of the planner's own liveness code: executes the graph symbolically over the arena,
// recording which tensor last wrote each byte, and checks that every read finds its own bytes
// intact. A Reshape planned at its input's offset writes nothing and reads as its input.
::testing::AssertionResult simulatesCleanly(const Graph& g, const ArenaPlan& p) {
  std::vector<int> owner(static_cast<size_t>(p.size), -1);
  std::vector<int> storage(g.tensors.size());
  for (size_t t = 0; t < storage.size(); ++t) storage[t] = static_cast<int>(t);
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const Node& n = g.nodes[s];
    for (TensorId in : n.inputs) {
      size_t t = static_cast<size_t>(in);
      if (in < 0 || p.offset[t] < 0) continue;
      for (int64_t b = p.offset[t]; b < p.offset[t] + p.bytes[t]; ++b)
        if (owner[static_cast<size_t>(b)] != storage[t])
          return ::testing::AssertionFailure() << "node " << s << " reads '" << g.tensors[t].name
                                               << "' but byte " << b << " was overwritten";
    }
    size_t out = static_cast<size_t>(n.outputs[0]);
    if (p.offset[out] < 0) continue;
    size_t in0 = static_cast<size_t>(n.inputs[0]);
    if (n.op == OpKind::Reshape && p.offset[in0] == p.offset[out]) {
      storage[out] = storage[in0];
      continue;
    }
    for (int64_t b = p.offset[out]; b < p.offset[out] + p.bytes[out]; ++b)
      owner[static_cast<size_t>(b)] = static_cast<int>(out);
  }
  return ::testing::AssertionSuccess();
}

TEST(ArenaPlanner, RandomGraphsHaveNoOverlapsAndRespectTheLowerBound) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    Graph g = randomGraph(seed);
    ASSERT_TRUE(verify(g).ok()) << "seed " << seed << ": " << verify(g).diag().message << "\n"
                                << printGraph(g);
    for (int64_t align : {1, 4, 8}) {
      ArenaPlan p = planArena(g, align);
      EXPECT_FALSE(anyBuffersOverlap(g, p)) << "seed " << seed << "\n" << printGraph(g);
      EXPECT_TRUE(simulatesCleanly(g, p)) << "seed " << seed << "\n" << printGraph(g);
      EXPECT_LE(p.lowerBound, p.size) << "seed " << seed;
      int64_t sumOfBuffers = 0;
      for (size_t t = 0; t < g.tensors.size(); ++t) {
        if (p.offset[t] < 0) continue;
        EXPECT_LE(p.offset[t] + p.bytes[t], p.size);
        EXPECT_EQ(p.bytes[t], g.tensors[t].type.bytes());
        sumOfBuffers += p.bytes[t];
      }
      // Reuse never makes the arena larger than giving every tensor its own (aligned) slot.
      EXPECT_LE(p.size, sumOfBuffers + static_cast<int64_t>(g.tensors.size()) * 8)
          << "seed " << seed;
    }
    // Deterministic: planning twice gives the same plan.
    ArenaPlan a = planArena(g), c = planArena(g);
    EXPECT_EQ(a.offset, c.offset);
  }
}

}  // namespace
}  // namespace htvm
