// Property tests of the tiler over seeded random layers (conv, depthwise, dense, add, analog conv;
// kernels 1..7, strides 1 and 2, odd sizes) with random, often tight, L1 and weight-memory limits:
//  - every output element is computed by exactly one tile;
//  - every copy moves exactly the bytes the job expects where it expects them: each logical input
//    element of a tile lands at the L1 position the job reads it from, each output element goes
//    back to its L2 position, and no copy writes L2 outside its own tile (or row padding);
//  - the tile windows and per-side paddings reproduce the layer's geometry;
//  - buffers fit the L1 limit, copies and jobs stay inside their buffers, one job's weights fit;
//  - the modeled cost is consistent (elapsed between the job work and the serial sum, the search's
//    pruning bound equal to the job work) and our schedule is never slower than the HTVM-style one
//    on the same model.
// Bit-exactness against a reference on the simulator is tests/runtime/tiled_exec_test.cpp; through
// generated C, tests/runtime/tiling_e2e.py.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "platform/platform.h"
#include "tiling/schedule_cost.h"
#include "tiling/tiler.h"

namespace htvm {
namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

const Platform& diana() {
  static Platform p = platformByName("diana").value();
  return p;
}

// Storage index (before REV4) of element (c, y, x) of a [C][H][W] tensor in the op's layout.
struct Layout3 {
  bool hwc = false;
  int64_t c = 0, h = 0, w = 0;
  int64_t plain(int64_t ci, int64_t y, int64_t x) const {
    return hwc ? (y * w + x) * roundUp(c, 64) + ci : (ci * h + y) * roundUp(w, 16) + x;
  }
  // (c, y, x) of a storage index, with x >= w (or c >= C) meaning padding.
  void decode(int64_t p, int64_t& ci, int64_t& y, int64_t& x) const {
    if (hwc) {
      int64_t line = roundUp(c, 64);
      ci = p % line;
      x = (p / line) % w;
      y = p / line / w;
    } else {
      int64_t wp = roundUp(w, 16);
      x = p % wp;
      y = (p / wp) % h;
      ci = p / wp / h;
    }
  }
};

// Byte map of one copy: L1 storage position (relative to the buffer) -> L2 storage position, or
// -1 where the copy does not write. A position written twice is a failure.
struct CopyMap {
  std::vector<int64_t> to;
  int64_t at(int64_t l1) const {
    return l1 >= 0 && l1 < static_cast<int64_t>(to.size()) ? to[static_cast<size_t>(l1)] : -1;
  }
};

CopyMap copyMap(const Xfer& x) {
  CopyMap m;
  m.to.assign(static_cast<size_t>(x.l1Extent(1)), -1);
  for (int64_t b = 0; b < x.count; ++b)
    for (int64_t r = 0; r < x.rows; ++r)
      for (int64_t j = 0; j < x.rowBytes; ++j) {
        int64_t& slot =
            m.to[static_cast<size_t>(x.l1Offset + b * x.l1BlockStride + r * x.l1RowStride + j)];
        EXPECT_EQ(slot, -1) << "copy writes an L1 byte twice";
        slot = x.l2Offset + b * x.l2BlockStride + r * x.l2RowStride + j;
      }
  return m;
}

struct Case {
  TileLayer layer;
  AcceleratorDesc accel;
  int64_t l1 = 0;
  std::string str;
};

ConvDims randomConv(std::mt19937& rng, bool depthwise, bool analog) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static const int kKernels[] = {1, 3, 5, 7};
  ConvDims d;
  d.kh = kKernels[pick(0, 3)];
  d.kw = pick(0, 3) == 0 ? kKernels[pick(0, 3)] : d.kh;
  d.strideH = d.strideW = pick(1, 2);
  d.c = analog ? pick(1, 40) : pick(1, 48);
  d.k = depthwise ? d.c : pick(1, analog ? 80 : 70);
  d.ih = pick(1, 40);
  d.iw = pick(1, 48);
  d.padT = d.padB = (d.kh - 1) / 2;
  d.padL = d.padR = pick(0, 4) == 0 ? 0 : (d.kw - 1) / 2;  // pad 0 allows digital column tiles
  if (d.padL == 0 && d.kw > d.iw) d.kw = 1;
  if (d.kh - 1 - 2 * d.padT > d.ih - 1) d.kh = 1, d.padT = d.padB = 0;
  d.oh = (d.ih + d.padT + d.padB - d.kh) / d.strideH + 1;
  d.ow = (d.iw + d.padL + d.padR - d.kw) / d.strideW + 1;
  d.depthwise = depthwise;
  return d;
}

Case randomCase(std::mt19937& rng) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Case c;
  int kind = static_cast<int>(pick(0, 9));
  const Platform& p = diana();
  c.accel = p.accelerators[kind == 9 ? 1 : 0];
  TileLayer& l = c.layer;
  int64_t whole = 0;
  if (kind <= 4) {  // conv
    l.op = TileOp::Conv;
    l.conv = randomConv(rng, false, false);
    whole = l.conv.c * l.conv.ih * roundUp(l.conv.iw, 16) +
            l.conv.k * l.conv.oh * roundUp(l.conv.ow, 16);
  } else if (kind <= 6) {
    l.op = TileOp::Depthwise;
    l.conv = randomConv(rng, true, false);
    whole = 2 * l.conv.c * l.conv.ih * roundUp(l.conv.iw, 16);
  } else if (kind == 7) {
    l.op = TileOp::Dense;
    l.denseC = pick(1, 600);
    l.denseK = pick(1, 200);
    whole = roundUp(l.denseC, 16) + roundUp(l.denseK, 16);
    c.accel.l1.weightBytes.value = pick(roundUp(l.denseC, 16) * 16 + 256, 64000);
  } else if (kind == 8) {
    l.op = TileOp::Add;
    l.operands = 2;
    l.addBytes = 16 * pick(1, 1500);
    whole = 3 * l.addBytes;
  } else {
    l.op = TileOp::AnalogConv;
    l.conv = randomConv(rng, false, true);
    whole = l.conv.ih * l.conv.iw * roundUp(l.conv.c, 64) +
            l.conv.oh * l.conv.ow * roundUp(l.conv.k, 64);
  }
  if (l.op == TileOp::Conv) {  // sometimes force channel tiles through the weight memory
    int64_t block = 16 * l.conv.c * l.conv.kh * l.conv.kw + 64;
    if (pick(0, 2) == 0) c.accel.l1.weightBytes.value = std::max(block, pick(block, 4 * block));
  }
  // From a twentieth of the untiled need up to all of it: mostly tiled.
  c.l1 = std::max<int64_t>(256, pick(whole / 20, whole + 64));
  c.str = std::string(tileOpName(l.op)) + " C" + std::to_string(l.conv.c) + " K" +
          std::to_string(l.conv.k) + " " + std::to_string(l.conv.ih) + "x" +
          std::to_string(l.conv.iw) + " k" + std::to_string(l.conv.kh) + "x" +
          std::to_string(l.conv.kw) + " s" + std::to_string(l.conv.strideH) + " p" +
          std::to_string(l.conv.padT) + "," + std::to_string(l.conv.padL) + " dense " +
          std::to_string(l.denseC) + "->" + std::to_string(l.denseK) + " add " +
          std::to_string(l.addBytes) + " L1 " + std::to_string(c.l1) + " W " +
          std::to_string(c.accel.l1.weightBytes.value);
  return c;
}

// Conv-like layers: coverage, geometry, copies.
void checkConv(const Case& c, const LayerSchedule& s) {
  const ConvDims& d = c.layer.conv;
  bool analog = c.layer.op == TileOp::AnalogConv, dw = c.layer.op == TileOp::Depthwise;
  Layout3 in{analog, d.c, d.ih, d.iw}, out{analog, d.k, d.oh, d.ow};
  std::vector<int> covered(static_cast<size_t>(d.k * d.oh * d.ow), 0);
  for (const TileStep& st : s.steps) {
    const TileJob& j = st.job;
    for (int64_t k = j.k0; k < j.k0 + j.k; ++k)
      for (int64_t y = j.oy0; y < j.oy0 + j.oh; ++y)
        for (int64_t x = j.ox0; x < j.ox0 + j.ow; ++x)
          ++covered[static_cast<size_t>((k * d.oh + y) * d.ow + x)];
    // Geometry: local input row of a window = global - iy0, and the job computes it as
    // oy_local * s + ky - padT, so iy0 - padT must be where the tile's first window starts.
    ASSERT_EQ(j.iy0 - j.padT, j.oy0 * d.strideH - d.padT) << c.str;
    ASSERT_EQ(j.ix0 - j.padL, j.ox0 * d.strideW - d.padL) << c.str;
    ASSERT_GE(j.padT + j.ih + j.padB, (j.oh - 1) * d.strideH + d.kh) << c.str;
    ASSERT_GE(j.padL + j.iw + j.padR, (j.ow - 1) * d.strideW + d.kw) << c.str;
    ASSERT_TRUE(j.iy0 >= 0 && j.iy0 + j.ih <= d.ih && j.ix0 >= 0 && j.ix0 + j.iw <= d.iw) << c.str;
    // Padding only where the windows leave the tensor.
    ASSERT_EQ(j.padT > 0, j.oy0 * d.strideH - d.padT < 0) << c.str;
    ASSERT_EQ(j.padL > 0, j.ox0 * d.strideW - d.padL < 0) << c.str;
    ASSERT_EQ(j.c, dw ? j.k : d.c) << c.str;
    if (c.layer.op == TileOp::Conv) {
      ASSERT_TRUE(j.k0 % 16 == 0) << c.str;  // stream blocks
    }
    // Input copies: every logical element of the tile arrives where the job reads it.
    int64_t c0 = dw ? j.k0 : 0;
    Layout3 tile{analog, j.c, j.ih, j.iw};
    CopyMap m = copyMap(s.inTiles[static_cast<size_t>(st.inTile)].operands[0]);
    for (int64_t ci = 0; ci < j.c; ++ci)
      for (int64_t y = 0; y < j.ih; ++y)
        for (int64_t x = 0; x < j.iw; ++x)
          ASSERT_EQ(m.at(tile.plain(ci, y, x) ^ 3), in.plain(c0 + ci, j.iy0 + y, j.ix0 + x) ^ 3)
              << c.str << ": input (" << ci << "," << y << "," << x << ")";
    // Output copy: every element goes home; nothing outside the tile (except row padding) is
    // written.
    Layout3 otile{analog, j.k, j.oh, j.ow};
    CopyMap o = copyMap(st.out);
    for (int64_t k = 0; k < j.k; ++k)
      for (int64_t y = 0; y < j.oh; ++y)
        for (int64_t x = 0; x < j.ow; ++x)
          ASSERT_EQ(o.at(otile.plain(k, y, x) ^ 3), out.plain(j.k0 + k, j.oy0 + y, j.ox0 + x) ^ 3)
              << c.str;
    for (int64_t l2 : o.to) {
      if (l2 < 0) continue;
      int64_t k, y, x;
      out.decode(l2 ^ 3, k, y, x);
      bool padding = analog ? k >= d.k : x >= d.ow;
      bool mine = k >= j.k0 && k < j.k0 + j.k && y >= j.oy0 && y < j.oy0 + j.oh && x >= j.ox0 &&
                  x < j.ox0 + j.ow;
      ASSERT_TRUE(mine || (padding && y >= j.oy0 && y < j.oy0 + j.oh))
          << c.str << ": output copy writes L2 " << l2 << " outside its tile";
    }
  }
  for (int v : covered) ASSERT_EQ(v, 1) << c.str;
}

void checkFlat(const Case& c, const LayerSchedule& s) {
  bool dense = c.layer.op == TileOp::Dense;
  int64_t n = dense ? c.layer.denseK : c.layer.addBytes;
  std::vector<int> covered(static_cast<size_t>(n), 0);
  for (const TileStep& st : s.steps) {
    int64_t b = dense ? st.job.k0 : st.job.addOffset, e = b + (dense ? st.job.k : st.job.addBytes);
    if (dense) {
      ASSERT_EQ(b % 16, 0) << c.str;
    }
    for (int64_t i = b; i < e; ++i) ++covered[static_cast<size_t>(i)];
    CopyMap o = copyMap(st.out);
    for (int64_t i = b; i < e; ++i) ASSERT_EQ(o.at((i - b) ^ 3), i ^ 3) << c.str;
    for (int64_t l2 : o.to)
      ASSERT_TRUE(l2 < 0 || (l2 >= b && l2 < e) || (dense && l2 >= n)) << c.str;
    for (const Xfer& x : s.inTiles[static_cast<size_t>(st.inTile)].operands) {
      CopyMap in = copyMap(x);
      int64_t from = dense ? 0 : b, to = dense ? c.layer.denseC : e;
      for (int64_t i = from; i < to; ++i) ASSERT_EQ(in.at((i - from) ^ 3), i ^ 3) << c.str;
    }
  }
  for (int v : covered) ASSERT_EQ(v, 1) << c.str;
}

void checkBuffersAndCost(const Case& c, const LayerSchedule& s) {
  int64_t g = c.accel.dma.granuleBytes.value;
  ASSERT_LE(s.l1Bytes, c.l1) << c.str;
  int64_t total = s.outBufBytes * s.outBufCount;
  for (size_t k = 0; k < s.inBufBytes.size(); ++k) total += s.inBufBytes[k] * s.inBufCount[k];
  ASSERT_EQ(total, s.l1Bytes) << c.str;
  for (const TileStep& st : s.steps) {
    ASSERT_LE(st.out.l1Extent(g), s.outBufBytes) << c.str;
    const InputTile& in = s.inTiles[static_cast<size_t>(st.inTile)];
    for (size_t k = 0; k < in.operands.size(); ++k)
      ASSERT_LE(in.operands[k].l1Extent(g), s.inBufBytes[k]) << c.str;
    if (c.layer.op != TileOp::AnalogConv) {
      ASSERT_LE(tileWeightBytes(c.layer, st.job, c.accel), c.accel.l1.weightBytes.value) << c.str;
    }
  }
  // Double buffering alternates; the copy of tile i+1 is issued before tile i+1 is first used.
  if (s.scheme == BufferScheme::Double) {
    std::vector<int> issued(s.inTiles.size(), 0);
    issued[static_cast<size_t>(s.steps[0].inTile)] = 1;
    for (const TileStep& st : s.steps) {
      ASSERT_TRUE(issued[static_cast<size_t>(st.inTile)])
          << c.str << ": input tile used before it was copied";
      if (st.prefetch >= 0) {
        ASSERT_NE(s.inTiles[static_cast<size_t>(st.prefetch)].buf,
                  s.inTiles[static_cast<size_t>(st.inTile)].buf)
            << c.str << ": prefetch into the buffer the job reads";
        issued[static_cast<size_t>(st.prefetch)] = 1;
      }
    }
  }
  const ScheduleCost& k = s.cost;
  ASSERT_EQ(k.serial(), k.compute + k.weights + k.setup + k.dma);
  ASSERT_GE(k.elapsed, k.compute + k.weights + k.setup) << c.str;
  ASSERT_LE(k.elapsed, k.serial()) << c.str;
  if (s.scheme == BufferScheme::Single) {
    ASSERT_EQ(k.elapsed, k.serial()) << c.str;
  }
  ScheduleCost again = costSchedule(c.layer, s, c.accel);
  ASSERT_EQ(again.elapsed, k.elapsed) << c.str;
  // The tiler's pruning bound (job work summed over tile classes) is exactly the built schedule's
  // job work, less the analog array load.
  int64_t work = 0;
  for (const TileClass& tc :
       tileClasses(c.layer, {s.tileK, s.tileH, s.tileW, s.tileBytes, s.scheme}, c.accel)) {
    JobCycles j = tileJobCycles(c.layer, tc.job, c.accel);
    work += tc.count * j.count * (j.setup + j.compute + j.weights);
  }
  int64_t load = 0;
  if (s.analogLoad) {
    ModeledCycles m =
        analogWeightLoadCycles(c.accel, c.layer.conv.c * c.layer.conv.kh * c.layer.conv.kw);
    load = m.setup + m.weights + m.compute;
  }
  ASSERT_EQ(work + load, k.setup + k.compute + k.weights) << c.str;
}

TEST(TilerProperty, RandomLayersAreCoveredOnceFitAndCostConsistently) {
  std::mt19937 rng(20240611);
  int tiled = 0, doubled = 0, none = 0, layers = 0, columns = 0;
  for (int i = 0; i < 1200; ++i) {
    Case c = randomCase(rng);
    TilerOptions o;
    o.l1Limit = c.l1;
    Result<TilingResult> r = tileLayer(c.layer, c.accel, o);
    ++layers;
    if (!r.ok()) {  // then not even the smallest tiles fit, and the reason says so
      ++none;
      EXPECT_NE(r.diag().message.find("no tiling fits: smallest tiles"), std::string::npos)
          << r.diag().message;
      continue;
    }
    const LayerSchedule& s = r->best;
    tiled += s.tiled();
    doubled += s.scheme == BufferScheme::Double;
    columns += s.numW > 1;
    if (c.layer.op == TileOp::Dense || c.layer.op == TileOp::Add)
      checkFlat(c, s);
    else
      checkConv(c, s);
    checkBuffersAndCost(c, s);
    if (::testing::Test::HasFatalFailure()) return;
    o.style = ScheduleStyle::Htvm;
    Result<TilingResult> h = tileLayer(c.layer, c.accel, o);
    ASSERT_TRUE(h.ok()) << c.str << ": " << h.diag().message;
    ASSERT_EQ(h->best.scheme, BufferScheme::Single);
    checkBuffersAndCost(c, h->best);
    ASSERT_LE(s.cost.elapsed, h->best.cost.elapsed) << c.str;
  }
  // The generator must exercise what it claims to.
  EXPECT_EQ(layers, 1200);
  EXPECT_GT(tiled, 600);
  EXPECT_GT(doubled, 300);
  EXPECT_GT(columns, 20);
  EXPECT_LT(none, 200);
  std::printf(
      "%d layers: %d tiled, %d double-buffered, %d with column tiles, %d without any tiling\n",
      layers, tiled, doubled, columns, none);
}

TEST(Tiler, ChoosesTheSameScheduleEveryTime) {
  std::mt19937 rng(7);
  for (int i = 0; i < 50; ++i) {
    Case c = randomCase(rng);
    TilerOptions o;
    o.l1Limit = c.l1;
    Result<TilingResult> a = tileLayer(c.layer, c.accel, o), b = tileLayer(c.layer, c.accel, o);
    ASSERT_EQ(a.ok(), b.ok());
    if (!a.ok()) continue;
    EXPECT_EQ(a->best.steps.size(), b->best.steps.size());
    EXPECT_EQ(a->best.cost.elapsed, b->best.cost.elapsed);
    EXPECT_EQ(a->best.l1Bytes, b->best.l1Bytes);
  }
}

TEST(Tiler, WholeLayerWhenItFitsAndOverlapPaysNothing) {
  // A dense layer with one 16-output block cannot be tiled at all: one step, as before tiling.
  TileLayer l;
  l.op = TileOp::Dense;
  l.denseC = 64;
  l.denseK = 12;
  Result<TilingResult> r = tileLayer(l, diana().accelerators[0], TilerOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->best.steps.size(), 1u);
  ASSERT_TRUE(r->whole.has_value());
}

TEST(Tiler, NoTilingWhenOneBlockOfWeightsExceedsTheWeightMemory) {
  TileLayer l;
  l.op = TileOp::Dense;
  l.denseC = 4096;  // 16 outputs x 4096 inputs + bias slots > 64000 B; inputs are not tiled
  l.denseK = 32;
  Result<TilingResult> r = tileLayer(l, diana().accelerators[0], TilerOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().message,
            "no tiling fits: smallest tiles (K16) need weight stream of one job 65792 B > weight "
            "memory 64000 B "
            "(input channels are not tiled)");
}

TEST(Tiler, TilesAConvThatDoesNotFitL1WholeWithHalosAndBorderPads) {
  TileLayer l;
  l.op = TileOp::Conv;
  l.conv = ConvDims{64, 64, 64, 64, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, false};
  Result<TilingResult> r = tileLayer(l, diana().accelerators[0], TilerOptions{});
  ASSERT_TRUE(r.ok()) << r.diag().message;
  const LayerSchedule& s = r->best;
  EXPECT_GT(s.numH, 1);
  EXPECT_LE(s.l1Bytes, 256000);
  const TileJob& first = s.steps.front().job;
  const TileJob& last = s.steps.back().job;
  EXPECT_EQ(first.padT, 1);
  EXPECT_EQ(first.padB, 0);
  EXPECT_EQ(last.padT, 0);
  EXPECT_EQ(last.padB, 1);
  EXPECT_EQ(first.ih, first.oh + 1);  // one halo row below, the padding above
}

}  // namespace
}  // namespace htvm
