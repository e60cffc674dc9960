// Property tests of the tiler over seeded random layers (conv, depthwise, dense, add, analog conv;
// kernels 1..7, strides 1 and 2, odd sizes) with random, often tight, L1 and weight-memory limits.
// Every expectation is worked out here from the layer and docs/ACCELERATOR_FORMATS.md (layouts,
// tile layouts in L1, weight streams, DMA charge, double buffering), never from src/tiling's own
// helpers:
//  - coverage: every output element is computed by exactly one job and stored to L2 by exactly
//    one output copy; every input element an output's window needs (the conv arithmetic written
//    out below) is in L1 where the job reads it, and the job's padding is exactly the window
//    positions outside the tensor;
//  - copies move exactly the bytes each tile needs, read only the input tensor and write L2 only
//    inside their own tile (or row padding);
//  - buffers: each is at least what its tiles need, their number follows the double-buffering
//    rule, all of them fit the L1 limit, no job reads an input tile its buffer no longer holds and
//    every input tile is copied once; one job's weight stream fits the weight memory and starts
//    where the layer's stream format puts it;
//  - cost: DMA cycles, calls and jobs as the docs charge them; the elapsed time lies between the
//    busiest resource and the serial sum (equal to it with blocking calls); more L1 never gives a
//    slower schedule, nor does running the layer whole, nor the HTVM-style schedule.
// Bit-exactness against a reference on the simulator is tests/runtime/tiled_exec_test.cpp; through
// generated C, tests/runtime/tiling_e2e.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "platform/platform_test_util.h"
#include "support/test_layers.h"
#include "tiling/tiler.h"

namespace htvm {
namespace {

using testing::setOp;
using testing::TestLayer;
using testing::TestOp;
using testing::testOpName;

int64_t ceilDiv(int64_t v, int64_t m) { return (v + m - 1) / m; }
int64_t roundUp(int64_t v, int64_t m) { return ceilDiv(v, m) * m; }

const Platform& diana() {
  static Platform p = platformByName("diana", builtinBackends()).value();
  return p;
}

// Storage index (before REV4) of element (c, y, x) of a [C][H][W] tensor: CHW_W16 is
// [C][H][ceil(W/16)*16], HWC_C64 is [H][W][ceil(C/64)*64]. Tiles in L1 use the same layouts with
// the tile's sizes.
struct Layout3 {
  bool hwc = false;
  int64_t c = 0, h = 0, w = 0;
  int64_t plain(int64_t ci, int64_t y, int64_t x) const {
    return hwc ? (y * w + x) * roundUp(c, 64) + ci : (ci * h + y) * roundUp(w, 16) + x;
  }
  int64_t bytes() const { return hwc ? h * w * roundUp(c, 64) : c * h * roundUp(w, 16); }
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

// Byte map of one copy, the HAL's 3-D copy (`count` blocks of `rows` 1-D calls of `rowBytes`):
// L1 position (relative to the buffer) -> L2 position, or -1 where the copy does not write; and
// the end of the L1 bytes the engine touches, each call covering whole granules. A position
// written twice, or an L2 position before the tensor, is a failure.
struct CopyMap {
  std::vector<int64_t> to;
  int64_t extent = 0;
  int64_t at(int64_t l1) const {
    return l1 >= 0 && l1 < static_cast<int64_t>(to.size()) ? to[static_cast<size_t>(l1)] : -1;
  }
};

CopyMap copyMap(const Xfer& x, int64_t granule) {
  CopyMap m;
  int64_t end = 0;
  for (int64_t b = 0; b < x.count; ++b)
    for (int64_t r = 0; r < x.rows; ++r) {
      int64_t start = x.l1Offset + b * x.l1BlockStride + r * x.l1RowStride;
      end = std::max(end, start + x.rowBytes);
      m.extent = std::max(m.extent, start + roundUp(x.rowBytes, granule));
    }
  m.to.assign(static_cast<size_t>(end), -1);
  for (int64_t b = 0; b < x.count; ++b)
    for (int64_t r = 0; r < x.rows; ++r)
      for (int64_t j = 0; j < x.rowBytes; ++j) {
        int64_t& slot =
            m.to[static_cast<size_t>(x.l1Offset + b * x.l1BlockStride + r * x.l1RowStride + j)];
        EXPECT_EQ(slot, -1) << "copy writes an L1 byte twice";
        slot = x.l2Offset + b * x.l2BlockStride + r * x.l2RowStride + j;
        EXPECT_GE(slot, 0) << "copy touches L2 before the start of its tensor";
      }
  return m;
}

struct Case {
  TestLayer layer;
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
  TestLayer& l = c.layer;
  int64_t whole = 0;
  if (kind <= 4) {  // conv
    setOp(l, TestOp::Conv);
    l.conv = randomConv(rng, false, false);
    whole = l.conv.c * l.conv.ih * roundUp(l.conv.iw, 16) +
            l.conv.k * l.conv.oh * roundUp(l.conv.ow, 16);
  } else if (kind <= 6) {
    setOp(l, TestOp::Depthwise);
    l.conv = randomConv(rng, true, false);
    whole = 2 * l.conv.c * l.conv.ih * roundUp(l.conv.iw, 16);
  } else if (kind == 7) {
    setOp(l, TestOp::Dense);
    l.denseC = pick(1, 600);
    l.denseK = pick(1, 200);
    whole = roundUp(l.denseC, 16) + roundUp(l.denseK, 16);
    c.accel.l1.weightBytes.value = pick(roundUp(l.denseC, 16) * 16 + 256, 64000);
  } else if (kind == 8) {
    setOp(l, TestOp::Add);
    l.operands = 2;
    l.addBytes = 16 * pick(1, 1500);
    whole = 3 * l.addBytes;
  } else {
    setOp(l, TestOp::AnalogConv);
    l.conv = randomConv(rng, false, true);
    whole = l.conv.ih * l.conv.iw * roundUp(l.conv.c, 64) +
            l.conv.oh * l.conv.ow * roundUp(l.conv.k, 64);
  }
  if (l.op == TestOp::Conv) {  // sometimes force channel tiles through the weight memory
    int64_t block = 16 * l.conv.c * l.conv.kh * l.conv.kw + 64;
    if (pick(0, 2) == 0) c.accel.l1.weightBytes.value = std::max(block, pick(block, 4 * block));
  }
  // From a twentieth of the untiled need up to all of it: mostly tiled.
  c.l1 = std::max<int64_t>(256, pick(whole / 20, whole + 64));
  c.str = std::string(testOpName(l.op)) + " C" + std::to_string(l.conv.c) + " K" +
          std::to_string(l.conv.k) + " " + std::to_string(l.conv.ih) + "x" +
          std::to_string(l.conv.iw) + " k" + std::to_string(l.conv.kh) + "x" +
          std::to_string(l.conv.kw) + " s" + std::to_string(l.conv.strideH) + " p" +
          std::to_string(l.conv.padT) + "," + std::to_string(l.conv.padL) + " dense " +
          std::to_string(l.denseC) + "->" + std::to_string(l.denseK) + " add " +
          std::to_string(l.addBytes) + " L1 " + std::to_string(c.l1) + " W " +
          std::to_string(c.accel.l1.weightBytes.value);
  return c;
}

// ---- coverage and copies ----------------------------------------------------------------------

// One axis of a job's windows. Output o with tap t reads the layer's input at g = o * stride - pad
// + t (ONNX conv); the job, which sees its tile as a small layer, reads its L1 tile at
// l = (o - o0) * stride + t - tilePad. A position is padding for the job exactly when it is
// outside the tensor; `need` collects the (l, g) pairs of positions inside.
::testing::AssertionResult windows(int64_t o0, int64_t on, int64_t stride, int64_t kernel,
                                   int64_t pad, int64_t size, int64_t tilePad, int64_t tileSize,
                                   std::map<int64_t, int64_t>& need) {
  for (int64_t o = o0; o < o0 + on; ++o)
    for (int64_t t = 0; t < kernel; ++t) {
      int64_t g = o * stride - pad + t, l = (o - o0) * stride + t - tilePad;
      bool inside = g >= 0 && g < size, read = l >= 0 && l < tileSize;
      if (inside != read)
        return ::testing::AssertionFailure()
               << "output " << o << " tap " << t << ": input " << g
               << (inside ? " inside" : " outside") << " the tensor but local " << l
               << (read ? " inside" : " outside") << " the tile";
      if (!inside) continue;
      auto [it, fresh] = need.emplace(l, g);
      if (!fresh && it->second != g)
        return ::testing::AssertionFailure()
               << "local " << l << " read as inputs " << it->second << " and " << g;
    }
  return ::testing::AssertionSuccess();
}

// Conv-like layers.
void checkConv(const Case& c, const LayerSchedule& s) {
  const ConvDims& d = c.layer.conv;
  const int64_t granule = c.accel.dma.granuleBytes.value;
  bool analog = c.layer.op == TestOp::AnalogConv, dw = c.layer.op == TestOp::Depthwise;
  Layout3 in{analog, d.c, d.ih, d.iw}, out{analog, d.k, d.oh, d.ow};
  const size_t outputs = static_cast<size_t>(d.k * d.oh * d.ow);
  std::vector<int> computed(outputs, 0), stored(outputs, 0);
  std::set<std::array<int64_t, 8>> readsChecked;  // input tile and window shape
  for (const TileStep& st : s.steps) {
    const TileJob& j = st.job;
    for (int64_t k = j.k0; k < j.k0 + j.k; ++k)
      for (int64_t y = j.oy0; y < j.oy0 + j.oh; ++y)
        for (int64_t x = j.ox0; x < j.ox0 + j.ow; ++x)
          ++computed[static_cast<size_t>((k * d.oh + y) * d.ow + x)];
    ASSERT_EQ(j.c, dw ? j.k : d.c) << c.str;  // input channels are never tiled
    if (c.layer.op == TestOp::Conv) {
      ASSERT_EQ(j.k0 % 16, 0) << c.str;  // whole 16-channel stream blocks
    }
    // The small layer the job sees has exactly the tile's outputs.
    ASSERT_EQ((j.padT + j.ih + j.padB - d.kh) / d.strideH + 1, j.oh) << c.str;
    ASSERT_EQ((j.padL + j.iw + j.padR - d.kw) / d.strideW + 1, j.ow) << c.str;
    std::map<int64_t, int64_t> rows, cols;
    ASSERT_TRUE(windows(j.oy0, j.oh, d.strideH, d.kh, d.padT, d.ih, j.padT, j.ih, rows)) << c.str;
    ASSERT_TRUE(windows(j.ox0, j.ow, d.strideW, d.kw, d.padL, d.iw, j.padL, j.iw, cols)) << c.str;
    // Every input the windows need is where the job reads it: the input copy put L2 element
    // (c0 + ci, g_row, g_col) at L1 element (ci, l_row, l_col) of the tile.
    const int64_t c0 = dw ? j.k0 : 0;
    if (readsChecked.insert({st.inTile, j.oy0, j.oh, j.ox0, j.ow, j.padT, j.padL, c0}).second) {
      Layout3 tile{analog, j.c, j.ih, j.iw};
      CopyMap m = copyMap(s.inTiles[static_cast<size_t>(st.inTile)].operands[0], granule);
      for (int64_t ci = 0; ci < j.c; ++ci)
        for (const auto& [lr, gr] : rows)
          for (const auto& [lc, gc] : cols)
            ASSERT_EQ(m.at(tile.plain(ci, lr, lc) ^ 3), in.plain(c0 + ci, gr, gc) ^ 3)
                << c.str << ": input (" << c0 + ci << "," << gr << "," << gc << ")";
      for (int64_t l2 : m.to) ASSERT_LT(l2, in.bytes()) << c.str << ": copy reads past the input";
    }
    // Output copy: every element of the tile goes home; nothing outside the tile (except row
    // padding) is written.
    Layout3 otile{analog, j.k, j.oh, j.ow};
    CopyMap o = copyMap(st.out, granule);
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
      if (!padding) ++stored[static_cast<size_t>((k * d.oh + y) * d.ow + x)];
    }
  }
  for (size_t i = 0; i < outputs; ++i) {
    ASSERT_EQ(computed[i], 1) << c.str << ": output " << i << " computed";
    ASSERT_EQ(stored[i], 1) << c.str << ": output " << i << " stored";
  }
}

// Dense (VEC16: outputs in storage order, the whole input vector per job) and add (storage bytes).
void checkFlat(const Case& c, const LayerSchedule& s) {
  const int64_t granule = c.accel.dma.granuleBytes.value;
  bool dense = c.layer.op == TestOp::Dense;
  int64_t n = dense ? c.layer.denseK : c.layer.addBytes;
  std::vector<int> computed(static_cast<size_t>(n), 0), stored(static_cast<size_t>(n), 0);
  for (const TileStep& st : s.steps) {
    int64_t b = dense ? st.job.k0 : st.job.addOffset, e = b + (dense ? st.job.k : st.job.addBytes);
    if (dense) {
      ASSERT_EQ(b % 16, 0) << c.str;
      ASSERT_EQ(st.job.c, c.layer.denseC) << c.str;
    }
    for (int64_t i = b; i < e; ++i) ++computed[static_cast<size_t>(i)];
    CopyMap o = copyMap(st.out, granule);
    for (int64_t i = b; i < e; ++i) ASSERT_EQ(o.at((i - b) ^ 3), i ^ 3) << c.str;
    for (int64_t l2 : o.to) {
      ASSERT_TRUE(l2 < 0 || (l2 >= b && l2 < e) || (dense && l2 >= n)) << c.str;
      if (l2 >= 0 && (l2 ^ 3) < n) ++stored[static_cast<size_t>(l2 ^ 3)];
    }
    for (const Xfer& x : s.inTiles[static_cast<size_t>(st.inTile)].operands) {
      CopyMap in = copyMap(x, granule);
      int64_t from = dense ? 0 : b, to = dense ? c.layer.denseC : e;
      for (int64_t i = from; i < to; ++i) ASSERT_EQ(in.at((i - from) ^ 3), i ^ 3) << c.str;
      int64_t storage = dense ? roundUp(c.layer.denseC, 16) : c.layer.addBytes;
      for (int64_t l2 : in.to) ASSERT_LT(l2, storage) << c.str << ": copy reads past the input";
    }
  }
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    ASSERT_EQ(computed[i], 1) << c.str << ": output " << i << " computed";
    ASSERT_EQ(stored[i], 1) << c.str << ": output " << i << " stored";
  }
}

// ---- buffers and weights ----------------------------------------------------------------------

// L1 bytes a job reads from its input buffer and writes to its output buffer: its tile in the L1
// tile layout (rows padded to 16 columns, pixels to 64 channels, vectors to 16).
int64_t jobInBytes(const TestLayer& l, const TileJob& j) {
  switch (l.op) {
    case TestOp::Conv:
    case TestOp::Depthwise:
      return j.c * j.ih * roundUp(j.iw, 16);
    case TestOp::AnalogConv:
      return j.ih * j.iw * roundUp(l.conv.c, 64);
    case TestOp::Dense:
      return roundUp(l.denseC, 16);
    case TestOp::Add:
      return j.addBytes;
  }
  return 0;
}

int64_t jobOutBytes(const TestLayer& l, const TileJob& j) {
  switch (l.op) {
    case TestOp::Conv:
    case TestOp::Depthwise:
      return j.k * j.oh * roundUp(j.ow, 16);
    case TestOp::AnalogConv:
      return j.oh * j.ow * roundUp(l.conv.k, 64);
    case TestOp::Dense:
      return roundUp(j.k, 16);
    case TestOp::Add:
      return j.addBytes;
  }
  return 0;
}

void checkBuffers(const Case& c, const LayerSchedule& s) {
  const TestLayer& l = c.layer;
  const int64_t granule = c.accel.dma.granuleBytes.value;
  const size_t operands = l.op == TestOp::Add ? 2 : 1;
  ASSERT_EQ(s.inBufBytes.size(), operands) << c.str;
  ASSERT_EQ(s.inBufCount.size(), operands) << c.str;
  std::vector<int64_t> needIn(operands, 0);
  int64_t needOut = 0;
  for (const TileStep& st : s.steps) {
    const InputTile& in = s.inTiles[static_cast<size_t>(st.inTile)];
    ASSERT_EQ(in.operands.size(), operands) << c.str;
    for (size_t k = 0; k < operands; ++k)
      needIn[k] =
          std::max({needIn[k], jobInBytes(l, st.job), copyMap(in.operands[k], granule).extent});
    needOut = std::max({needOut, jobOutBytes(l, st.job), copyMap(st.out, granule).extent});
  }
  // Two buffers per operand when the input tiles change and two output buffers when there are
  // several steps (double-buffered only); every buffer rounded up to the DMA granule.
  const bool dbl = s.scheme == BufferScheme::Double;
  const int32_t inCount = dbl && s.inTiles.size() > 1 ? 2 : 1;
  const int32_t outCount = dbl && s.steps.size() > 1 ? 2 : 1;
  int64_t need = roundUp(needOut, granule) * outCount, placed = s.outBufBytes * s.outBufCount;
  ASSERT_EQ(s.outBufCount, outCount) << c.str;
  ASSERT_GE(s.outBufBytes, roundUp(needOut, granule)) << c.str;
  for (size_t k = 0; k < operands; ++k) {
    ASSERT_EQ(s.inBufCount[k], inCount) << c.str;
    ASSERT_GE(s.inBufBytes[k], roundUp(needIn[k], granule)) << c.str;
    ASSERT_FALSE(s.inResident[k]) << c.str;
    need += roundUp(needIn[k], granule) * inCount;
    placed += s.inBufBytes[k] * s.inBufCount[k];
  }
  ASSERT_FALSE(s.outResident) << c.str;
  ASSERT_LE(need, c.l1) << c.str << ": the tiles need " << need << " B of L1";
  ASSERT_LE(placed, c.l1) << c.str << ": the buffers take " << placed << " B of L1";
  ASSERT_GE(s.l1Bytes, need) << c.str;
  ASSERT_LE(s.l1Bytes, c.l1) << c.str;

  // Replays which buffer holds which input tile: a job must find its tile in its buffer, a copy
  // issued during a job must not write the buffer that job reads, and consecutive jobs of a
  // double-buffered layer write different output buffers (the previous output is being copied
  // out meanwhile). Each input tile is copied once.
  std::vector<int> copies(s.inTiles.size(), 0);
  std::vector<int32_t> holds(static_cast<size_t>(inCount), -1);
  auto copyIn = [&](int32_t t) {
    int32_t b = s.inTiles[static_cast<size_t>(t)].buf;
    ASSERT_TRUE(b >= 0 && b < inCount) << c.str;
    ++copies[static_cast<size_t>(t)];
    holds[static_cast<size_t>(b)] = t;
  };
  if (dbl) copyIn(s.steps[0].inTile);
  for (size_t i = 0; i < s.steps.size(); ++i) {
    const TileStep& st = s.steps[i];
    ASSERT_EQ(dbl ? st.load : st.prefetch, -1) << c.str;
    if (!dbl && st.load >= 0) copyIn(st.load);
    const int32_t reads = s.inTiles[static_cast<size_t>(st.inTile)].buf;
    ASSERT_EQ(holds[static_cast<size_t>(reads)], st.inTile)
        << c.str << ": step " << i << " reads an input tile its buffer does not hold";
    if (dbl && st.prefetch >= 0) {
      ASSERT_NE(s.inTiles[static_cast<size_t>(st.prefetch)].buf, reads)
          << c.str << ": prefetch into the buffer the job reads";
      copyIn(st.prefetch);
    }
    ASSERT_TRUE(st.outBuf >= 0 && st.outBuf < outCount) << c.str;
    if (dbl && i > 0) {
      ASSERT_NE(st.outBuf, s.steps[i - 1].outBuf) << c.str << ": step " << i;
    }
  }
  for (int n : copies) ASSERT_EQ(n, 1) << c.str << ": an input tile copied " << n << " times";
}

// Weight streams (digital): a conv job reads ceil(K/16) blocks of 16*C*kh*kw weights + 64 bias
// bytes, starting at block k0/16 of the layer's stream; a depthwise job (per channel) one block of
// 16*kh*kw + 64 at block k0; a dense tile its own stream of Kp*Cp weights + 16*Kp bias bytes
// (Kp, Cp rounded up to 16), stored after the streams of the tiles before it.
void checkWeights(const Case& c, const LayerSchedule& s) {
  const TestLayer& l = c.layer;
  ASSERT_EQ(s.preload, l.op == TestOp::AnalogConv) << c.str;
  if (l.op == TestOp::AnalogConv || l.op == TestOp::Add) return;
  const ConvDims& d = l.conv;
  auto denseStream = [&](int64_t k) {
    return roundUp(k, 16) * roundUp(l.denseC, 16) + 16 * roundUp(k, 16);
  };
  std::map<int64_t, int64_t> denseOffsets;  // k0 -> where its stream starts
  if (l.op == TestOp::Dense) {
    for (const TileStep& st : s.steps) denseOffsets[st.job.k0] = denseStream(st.job.k);
    int64_t at = 0;
    for (auto& [k0, bytes] : denseOffsets) at += std::exchange(bytes, at);
  }
  for (const TileStep& st : s.steps) {
    const TileJob& j = st.job;
    int64_t bytes = 0, offset = 0;
    if (l.op == TestOp::Conv) {
      int64_t block = 16 * d.c * d.kh * d.kw + 64;
      bytes = ceilDiv(j.k, 16) * block;
      offset = j.k0 / 16 * block;
    } else if (l.op == TestOp::Depthwise) {
      bytes = 16 * d.kh * d.kw + 64;
      offset = j.k0 * bytes;
    } else {
      bytes = denseStream(j.k);
      offset = denseOffsets.at(j.k0);
    }
    ASSERT_LE(bytes, c.accel.l1.weightBytes.value) << c.str;
    ASSERT_EQ(j.weightOffset, offset) << c.str;
  }
}

// ---- cost -------------------------------------------------------------------------------------

// L2 bytes a tile's copies move: whole padded rows when the tile spans the row, else the REV4 words
// covering its columns; whole 64-channel pixel lines; whole 16-element vectors; add bytes.
int64_t tileInBytes(const TestLayer& l, const TileJob& j) {
  const ConvDims& d = l.conv;
  switch (l.op) {
    case TestOp::Conv:
    case TestOp::Depthwise:
      return j.c * j.ih *
             (j.iw == d.iw ? roundUp(d.iw, 16) : 4 * ((j.ix0 + j.iw - 1) / 4 - j.ix0 / 4 + 1));
    case TestOp::AnalogConv:
      return j.ih * j.iw * roundUp(d.c, 64);
    case TestOp::Dense:
      return roundUp(l.denseC, 16);
    case TestOp::Add:
      return 2 * j.addBytes;
  }
  return 0;
}

int64_t tileOutBytes(const TestLayer& l, const TileJob& j) {
  const ConvDims& d = l.conv;
  switch (l.op) {
    case TestOp::Conv:
    case TestOp::Depthwise:
      return j.k * j.oh * roundUp(j.ow == d.ow ? d.ow : j.ow, 16);
    case TestOp::AnalogConv:
      return j.oh * j.ow * roundUp(d.k, 64);
    case TestOp::Dense:
      return roundUp(j.k, 16);
    case TestOp::Add:
      return j.addBytes;
  }
  return 0;
}

void checkCost(const Case& c, const LayerSchedule& s) {
  const TestLayer& l = c.layer;
  const DmaDesc& dma = c.accel.dma;
  // One 1-D call of n bytes: setup + ceil(round_up(n, granule) / bytes_per_cycle).
  auto callCycles = [&](int64_t n) {
    return dma.setupCycles.value +
           ceilDiv(roundUp(n, dma.granuleBytes.value), dma.bytesPerCycle.value);
  };
  int64_t dmaCycles = 0, calls = 0, moved = 0;
  auto copy = [&](const Xfer& x) {
    calls += x.count * x.rows;
    moved += x.count * x.rows * x.rowBytes;
    dmaCycles += x.count * x.rows * callCycles(x.rowBytes);
  };
  for (const InputTile& in : s.inTiles)
    for (const Xfer& x : in.operands) copy(x);
  int64_t want = 0, jobs = s.preload ? 1 : 0;
  std::vector<bool> seen(s.inTiles.size(), false);
  for (const TileStep& st : s.steps) {
    copy(st.out);
    if (!seen[static_cast<size_t>(st.inTile)]) want += tileInBytes(l, st.job);
    seen[static_cast<size_t>(st.inTile)] = true;
    want += tileOutBytes(l, st.job);
    jobs += l.op == TestOp::Depthwise ? st.job.k : 1;  // a depthwise call is one job per channel
  }
  ASSERT_EQ(moved, want) << c.str << ": copies move " << moved << " B, the tiles need " << want;
  const ScheduleCost& k = s.cost;
  ASSERT_EQ(k.dma, dmaCycles) << c.str;
  ASSERT_EQ(k.dmaCalls, calls) << c.str;
  ASSERT_EQ(k.jobs, jobs) << c.str;
  ASSERT_EQ(k.setup, jobs * c.accel.jobSetupCycles.value) << c.str;  // the only per-tile overhead
  // Jobs run one at a time with the host configuring each in between, and the DMA engine does one
  // copy at a time: the elapsed time is at least either, and at most everything in sequence,
  // which it is with blocking calls only.
  const int64_t work = k.setup + k.compute + k.weights;
  ASSERT_GE(k.elapsed, work) << c.str;
  ASSERT_GE(k.elapsed, dmaCycles) << c.str;
  ASSERT_LE(k.elapsed, work + dmaCycles) << c.str;
  if (s.scheme == BufferScheme::Single) {
    ASSERT_EQ(k.elapsed, work + dmaCycles) << c.str;
  }
}

void checkSchedule(const Case& c, const LayerSchedule& s) {
  if (c.layer.op == TestOp::Dense || c.layer.op == TestOp::Add)
    checkFlat(c, s);
  else
    checkConv(c, s);
  if (::testing::Test::HasFatalFailure()) return;
  checkBuffers(c, s);
  if (::testing::Test::HasFatalFailure()) return;
  checkWeights(c, s);
  if (::testing::Test::HasFatalFailure()) return;
  checkCost(c, s);
}

TEST(TilerProperty, RandomLayersAreCoveredOnceFitAndCostConsistently) {
  std::mt19937 rng(20240611);
  int tiled = 0, doubled = 0, none = 0, columns = 0;
  for (int i = 0; i < 1200; ++i) {
    Case c = randomCase(rng);
    TilerOptions o;
    o.l1Limit = c.l1;
    Result<TilingResult> r = tileLayer(c.layer, c.accel, o);
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
    checkSchedule(c, s);
    if (::testing::Test::HasFatalFailure()) return;
    // Running the layer whole is one of the schedules the tiler chooses from.
    if (r->whole) {
      ASSERT_EQ(r->whole->steps.size(), 1u) << c.str;
      ASSERT_LE(s.cost.elapsed, r->whole->cost.elapsed) << c.str;
    }
    // Every schedule that fits this L1 fits twice as much: never slower with more.
    o.l1Limit = 2 * c.l1;
    Result<TilingResult> more = tileLayer(c.layer, c.accel, o);
    ASSERT_TRUE(more.ok()) << c.str << ": " << more.diag().message;
    ASSERT_LE(more->best.cost.elapsed, s.cost.elapsed) << c.str;
    // HTVM's schedule (single buffer, blocking copies) is one of ours too.
    o.l1Limit = c.l1;
    o.style = ScheduleStyle::Htvm;
    Result<TilingResult> h = tileLayer(c.layer, c.accel, o);
    ASSERT_TRUE(h.ok()) << c.str << ": " << h.diag().message;
    ASSERT_EQ(h->best.scheme, BufferScheme::Single);
    checkSchedule(c, h->best);
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_LE(s.cost.elapsed, h->best.cost.elapsed) << c.str;
  }
  // The generator must exercise what it claims to.
  EXPECT_GT(tiled, 600);
  EXPECT_GT(doubled, 300);
  EXPECT_GT(columns, 20);
  EXPECT_LT(none, 200);
  std::printf(
      "1200 layers: %d tiled, %d double-buffered, %d with column tiles, %d without any tiling\n",
      tiled, doubled, columns, none);
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
  TestLayer l;
  setOp(l, TestOp::Dense);
  l.denseC = 64;
  l.denseK = 12;
  Result<TilingResult> r = tileLayer(l, diana().accelerators[0], TilerOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->best.steps.size(), 1u);
  ASSERT_TRUE(r->whole.has_value());
}

TEST(Tiler, NoTilingWhenOneBlockOfWeightsExceedsTheWeightMemory) {
  TestLayer l;
  setOp(l, TestOp::Dense);
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
  TestLayer l;
  setOp(l, TestOp::Conv);
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
