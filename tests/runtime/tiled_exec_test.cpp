// tests/runtime/tiled_exec_test.cpp: tiler schedules run on the simulator, bit-exact and
// cycle-exact. For 1000 seeded random layers (conv, depthwise, dense, add, analog conv; kernels 1..7,
// strides 1 and 2) and tight random L1 and weight-memory limits, the tiler's schedule (ours and
// the HTVM-style one) is executed through the HAL in the same call sequence the C emitter prints
// (tiling/schedule_cost.cpp documents it), with the buffers placed one after the other. Checks:
//  - the output equals the naive reference of sim_test_util.h (written from the format document,
//    sharing no code with the tiler or the simulator), padding included;
//  - the simulator's bounds and race checks never fire (they abort);
//  - the simulator's counters equal the compiler's modeled cost: elapsed_cycles == cost.elapsed
//    (the overlap model agrees), and the serial compute / weights / setup / DMA sums too.
#include <gtest/gtest.h>

#include <functional>

#include "backends/backends.h"
#include "platform/platform.h"
#include "sim_test_util.h"
#include "support/test_layers.h"
#include "tiling/tiler.h"

namespace simtest {
namespace {

using htvm::BufferScheme;
using htvm::LayerSchedule;
using htvm::testing::TestLayer;
using htvm::testing::TestOp;
using htvm::testing::setOp;
using htvm::testing::testOpName;
using htvm::TileStep;
using htvm::Xfer;

const htvm::Platform& diana() {
  static htvm::Platform p = htvm::platformByName("diana", htvm::builtinBackends()).value();
  return p;
}

struct Layer {
  TestLayer tl;
  ConvGeom g{};
  T8 x, x2, w; // input(s) [C][H][W] (dense: [C]); weights
  T32 bias;
  AnalogParams ap;
  int shift = 0;
  bool relu = false;
  std::string str;
};

Layer randomLayer(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static const int kKernels[] = {1, 3, 5, 7};
  Layer l;
  int kind = pick(0, 9);
  l.shift = pick(0, 9);
  l.relu = pick(0, 1) == 1;
  if (kind <= 6 || kind == 9) {
    bool dw = kind == 5 || kind == 6, analog = kind == 9;
    ConvGeom& g = l.g;
    g.kh = kKernels[pick(0, 3)];
    g.kw = pick(0, 2) == 0 ? kKernels[pick(0, 3)] : g.kh;
    g.sh = g.sw = pick(1, 2);
    g.c = pick(1, analog ? 20 : 24);
    g.k = dw ? g.c : pick(1, analog ? 70 : 40);
    g.ih = pick(g.kh, 24);
    g.iw = pick(g.kw, 36);
    g.pt = g.pb = (g.kh - 1) / 2;
    g.pl = g.pr = pick(0, 3) == 0 ? 0 : (g.kw - 1) / 2;
    htvm::ConvDims d{g.c,  g.k,  g.ih, g.iw, g.oh(), g.ow(), g.kh, g.kw,
                     g.sh, g.sw, g.pt, g.pl, g.pb,   g.pr,   dw};
    setOp(l.tl, analog ? TestOp::AnalogConv : dw ? TestOp::Depthwise : TestOp::Conv);
    l.tl.conv = d;
    l.x = T8({g.c, g.ih, g.iw});
    fillRandom(l.x, rng, -128, 127);
    l.w = T8({g.k, dw ? 1 : g.c, g.kh, g.kw});
    fillRandom(l.w, rng, analog ? -1 : -128, analog ? 1 : 127);
    l.bias = T32({g.k});
    fillRandom(l.bias, rng, -5000, 5000);
    if (analog) {
      l.ap.gain = static_cast<float>(pick(1, 40)) + 0.5f;
      l.ap.adcLo = -32;
      l.ap.adcHi = 31;
      for (int i = 0; i < g.k; ++i) {
        l.ap.bnK.push_back(static_cast<int16_t>(pick(-300, 300)));
        l.ap.bnL.push_back(static_cast<int16_t>(pick(-3000, 3000)));
      }
      l.ap.shift = l.shift;
      l.ap.lo = l.relu ? 0 : -128;
      l.ap.hi = 127;
    }
  } else if (kind == 7) {
    setOp(l.tl, TestOp::Dense);
    l.tl.denseC = pick(1, 300);
    l.tl.denseK = pick(1, 120);
    l.x = T8({static_cast<int>(l.tl.denseC)});
    fillRandom(l.x, rng, -128, 127);
    l.w = T8({static_cast<int>(l.tl.denseK), static_cast<int>(l.tl.denseC)});
    fillRandom(l.w, rng, -128, 127);
    l.bias = T32({static_cast<int>(l.tl.denseK)});
    fillRandom(l.bias, rng, -5000, 5000);
  } else {
    setOp(l.tl, TestOp::Add);
    l.tl.operands = 2;
    l.g.c = pick(1, 12);
    l.g.ih = pick(1, 20);
    l.g.iw = pick(1, 40);
    l.tl.addBytes = l.g.c * l.g.ih * roundUp(static_cast<uint32_t>(l.g.iw), 16);
    l.x = T8({l.g.c, l.g.ih, l.g.iw});
    l.x2 = T8({l.g.c, l.g.ih, l.g.iw});
    fillRandom(l.x, rng, -128, 127);
    fillRandom(l.x2, rng, -128, 127);
  }
  l.str = std::string(testOpName(l.tl.op)) + " C" + std::to_string(l.g.c) + " K" +
          std::to_string(l.g.k) + " in " + std::to_string(l.g.ih) + "x" + std::to_string(l.g.iw) +
          " k" + std::to_string(l.g.kh) + "x" + std::to_string(l.g.kw) + " s" +
          std::to_string(l.g.sh) + " p" + std::to_string(l.g.pt) + "," + std::to_string(l.g.pl) +
          " dense " + std::to_string(l.tl.denseC) + "->" + std::to_string(l.tl.denseK);
  return l;
}

// The expected output bytes in the layer's storage layout.
std::vector<uint8_t> reference(const Layer& l) {
  switch (l.tl.op) {
  case TestOp::Conv:
  case TestOp::Depthwise:
    return encodeChw(
        refDigitalConv(l.x, l.w, l.bias, l.g, l.tl.op == TestOp::Depthwise, l.shift, l.relu));
  case TestOp::AnalogConv:
    return encodeHwc(refAnalogConv(l.x, l.w, l.g, l.ap));
  case TestOp::Dense: {
    T8 y({static_cast<int>(l.tl.denseK)});
    for (int k = 0; k < l.tl.denseK; ++k) {
      int64_t acc = l.bias.v[static_cast<size_t>(k)];
      for (int c = 0; c < l.tl.denseC; ++c)
        acc += int64_t{l.x.at({c})} * l.w.at({k, c});
      y.at({k}) = clip8(floorShift(acc, l.shift), l.relu ? 0 : -128, 127);
    }
    return encodeVec(y);
  }
  case TestOp::Add: {
    T8 y = l.x;
    for (size_t i = 0; i < y.v.size(); ++i)
      y.v[i] = clip8(floorShift(int64_t{l.x.v[i]} + l.x2.v[i], l.shift), l.relu ? 0 : -128, 127);
    return encodeChw(y);
  }
  }
  return {};
}

// The weight stream as the emitter lays it out: dense tiles back to back.
std::vector<int8_t> weights(const Layer& l, const LayerSchedule& s) {
  switch (l.tl.op) {
  case TestOp::Conv:
    return convStream(l.w, l.bias);
  case TestOp::Depthwise:
    return dwStream(l.w, l.bias);
  case TestOp::AnalogConv:
    return analogRows(l.w);
  case TestOp::Dense: {
    std::vector<int8_t> all;
    for (const TileStep& st : s.steps) {
      T8 w({static_cast<int>(st.job.k), static_cast<int>(l.tl.denseC)});
      T32 b({static_cast<int>(st.job.k)});
      for (int k = 0; k < st.job.k; ++k) {
        b.at({k}) = l.bias.v[static_cast<size_t>(st.job.k0 + k)];
        for (int c = 0; c < l.tl.denseC; ++c)
          w.at({k, c}) = l.w.at({static_cast<int>(st.job.k0) + k, c});
      }
      std::vector<int8_t> one = denseStream(w, b);
      all.insert(all.end(), one.begin(), one.end());
    }
    return all;
  }
  case TestOp::Add:
    return {};
  }
  return {};
}

// The window fields the digital and analog conv job configurations share.
template <typename Cfg>
void setWindow(Cfg& c, const htvm::TileJob& j, const htvm::ConvDims& d) {
  c.ih = static_cast<uint16_t>(j.ih);
  c.iw = static_cast<uint16_t>(j.iw);
  c.oh = static_cast<uint16_t>(j.oh);
  c.ow = static_cast<uint16_t>(j.ow);
  c.kh = static_cast<uint8_t>(d.kh);
  c.kw = static_cast<uint8_t>(d.kw);
  c.stride_h = static_cast<uint8_t>(d.strideH);
  c.stride_w = static_cast<uint8_t>(d.strideW);
  c.pad_t = static_cast<uint8_t>(j.padT);
  c.pad_l = static_cast<uint8_t>(j.padL);
  c.pad_b = static_cast<uint8_t>(j.padB);
  c.pad_r = static_cast<uint8_t>(j.padR);
}

struct Run {
  const Layer& l;
  const LayerSchedule& s;
  uint32_t acc;
  std::vector<std::vector<uint32_t>> inBuf; // per operand, per buffer
  std::vector<uint32_t> outBuf;
  std::vector<std::vector<uint8_t>> l2in;
  std::vector<uint8_t> l2out;
  std::vector<int8_t> stream;
  htvm_dma_t in[2]{}, out{};

  void place() {
    uint32_t off = 0;
    for (size_t k = 0; k < s.inBufCount.size(); ++k) {
      inBuf.emplace_back();
      for (int b = 0; b < s.inBufCount[k]; ++b, off += static_cast<uint32_t>(s.inBufBytes[k]))
        inBuf[k].push_back(off);
    }
    for (int b = 0; b < s.outBufCount; ++b, off += static_cast<uint32_t>(s.outBufBytes))
      outBuf.push_back(off);
  }
  void copyIn(int32_t tile) {
    const htvm::InputTile& t = s.inTiles[static_cast<size_t>(tile)];
    for (size_t k = 0; k < t.operands.size(); ++k) {
      const Xfer& x = t.operands[k];
      ASSERT_EQ(htvm_dma_to_l1_3d(
                    &in[k], acc,
                    inBuf[k][static_cast<size_t>(t.buf)] + static_cast<uint32_t>(x.l1Offset),
                    l2in[k].data() + x.l2Offset, static_cast<uint32_t>(x.count),
                    static_cast<uint32_t>(x.rows), static_cast<uint32_t>(x.rowBytes),
                    static_cast<uint32_t>(x.l1RowStride), static_cast<uint32_t>(x.l1BlockStride),
                    static_cast<uint32_t>(x.l2RowStride), static_cast<uint32_t>(x.l2BlockStride)),
                HTVM_OK);
    }
  }
  void waitIn() {
    for (size_t k = 0; k < s.inBufCount.size(); ++k)
      ASSERT_EQ(htvm_dma_wait(&in[k]), HTVM_OK);
  }
  void copyOut(size_t step) {
    const TileStep& st = s.steps[step];
    const Xfer& x = st.out;
    ASSERT_EQ(htvm_dma_to_l2_3d(
                  &out, acc, l2out.data() + x.l2Offset,
                  outBuf[static_cast<size_t>(st.outBuf)] + static_cast<uint32_t>(x.l1Offset),
                  static_cast<uint32_t>(x.count), static_cast<uint32_t>(x.rows),
                  static_cast<uint32_t>(x.rowBytes), static_cast<uint32_t>(x.l2RowStride),
                  static_cast<uint32_t>(x.l2BlockStride), static_cast<uint32_t>(x.l1RowStride),
                  static_cast<uint32_t>(x.l1BlockStride)),
              HTVM_OK);
  }
  void job(size_t step, bool start) {
    const TileStep& st = s.steps[step];
    const htvm::TileJob& j = st.job;
    const htvm::ConvDims& d = l.tl.conv;
    uint32_t inOff = inBuf[0][static_cast<size_t>(s.inTiles[static_cast<size_t>(st.inTile)].buf)];
    uint32_t outOff = outBuf[static_cast<size_t>(st.outBuf)];
    int rc = HTVM_ERR_ARG;
    switch (l.tl.op) {
    case TestOp::Conv:
    case TestOp::Depthwise: {
      htvm_digital_conv_cfg c{};
      c.in_off = inOff;
      c.out_off = outOff;
      c.weights = stream.data() + j.weightOffset;
      c.c = static_cast<uint16_t>(j.c);
      c.k = static_cast<uint16_t>(j.k);
      setWindow(c, j, d);
      c.depthwise = l.tl.op == TestOp::Depthwise;
      c.shift = static_cast<uint8_t>(l.shift);
      c.relu = l.relu;
      rc = start ? htvm_digital_conv_start(acc, &c) : htvm_digital_conv(acc, &c);
      break;
    }
    case TestOp::Dense: {
      htvm_digital_dense_cfg c{inOff,
                               outOff,
                               stream.data() + j.weightOffset,
                               static_cast<uint16_t>(j.c),
                               static_cast<uint16_t>(j.k),
                               static_cast<uint8_t>(l.shift),
                               l.relu};
      rc = start ? htvm_digital_dense_start(acc, &c) : htvm_digital_dense(acc, &c);
      break;
    }
    case TestOp::Add: {
      uint32_t bOff = inBuf[1][static_cast<size_t>(s.inTiles[static_cast<size_t>(st.inTile)].buf)];
      htvm_digital_add_cfg c{
          inOff, bOff, outOff, static_cast<uint32_t>(j.addBytes), static_cast<uint8_t>(l.shift),
          l.relu};
      rc = start ? htvm_digital_add_start(acc, &c) : htvm_digital_add(acc, &c);
      break;
    }
    case TestOp::AnalogConv: {
      htvm_analog_conv_cfg c{};
      c.in_off = inOff;
      c.out_off = outOff;
      c.c = static_cast<uint16_t>(d.c);
      c.k = static_cast<uint16_t>(d.k);
      setWindow(c, j, d);
      c.gain = l.ap.gain;
      c.adc_lo = static_cast<int8_t>(l.ap.adcLo);
      c.adc_hi = static_cast<int8_t>(l.ap.adcHi);
      c.bn_k = l.ap.bnK.data();
      c.bn_l = l.ap.bnL.data();
      c.shift = static_cast<uint8_t>(l.shift);
      c.lo = static_cast<int8_t>(l.ap.lo);
      c.hi = static_cast<int8_t>(l.ap.hi);
      rc = start ? htvm_analog_conv_start(acc, &c) : htvm_analog_conv(acc, &c);
      break;
    }
    }
    ASSERT_EQ(rc, HTVM_OK);
  }
  void preload() {
    const htvm::ConvDims& d = l.tl.conv;
    ASSERT_EQ(htvm_analog_load_weights(acc, stream.data(), static_cast<uint16_t>(d.c * d.kh * d.kw),
                                       static_cast<uint16_t>(d.k)),
              HTVM_OK);
  }

  // The emitted call sequence (emit_accel_layers.cpp).
  void execute() {
    if (s.scheme == BufferScheme::Double) {
      copyIn(s.steps[0].inTile);
      if (s.preload)
        preload();
      waitIn();
      for (size_t t = 0; t < s.steps.size(); ++t) {
        int32_t pre = s.steps[t].prefetch;
        if (pre >= 0)
          copyIn(pre);
        if (t > 0)
          copyOut(t - 1);
        job(t, true);
        ASSERT_EQ(htvm_accel_wait(acc), HTVM_OK);
        if (pre >= 0)
          waitIn();
        if (t > 0) {
          ASSERT_EQ(htvm_dma_wait(&out), HTVM_OK);
        }
      }
      copyOut(s.steps.size() - 1);
      ASSERT_EQ(htvm_dma_wait(&out), HTVM_OK);
    } else {
      if (s.preload)
        preload();
      for (size_t t = 0; t < s.steps.size(); ++t) {
        if (s.steps[t].load >= 0) {
          copyIn(s.steps[t].load);
          waitIn();
        }
        job(t, false);
        copyOut(t);
        ASSERT_EQ(htvm_dma_wait(&out), HTVM_OK);
      }
    }
  }
};

void runOne(const Layer& l, const LayerSchedule& s, const htvm::AcceleratorDesc& a) {
  bool analog = l.tl.op == TestOp::AnalogConv;
  Run r{l, s, analog ? kAnalog : kDigital, {}, {}, {}, {}, {}};
  r.place();
  switch (l.tl.op) {
  case TestOp::AnalogConv:
    r.l2in = {encodeHwc(l.x)};
    break;
  case TestOp::Dense:
    r.l2in = {encodeVec(l.x)};
    break;
  case TestOp::Add:
    r.l2in = {encodeChw(l.x), encodeChw(l.x2)};
    break;
  default:
    r.l2in = {encodeChw(l.x)};
    break;
  }
  r.stream = weights(l, s);
  std::vector<uint8_t> want = reference(l);
  r.l2out.assign(want.size(), 0xA5); // garbage: the schedule must write every byte, padding too
  ASSERT_EQ(htvm_hal_init(), HTVM_OK);
  r.execute();
  if (::testing::Test::HasFatalFailure())
    return;
  ASSERT_EQ(r.l2out, want) << l.str << ": " << htvm::describeSchedule(l.tl, s);
  htvm_perf_t p = perf(r.acc);
  const htvm::ScheduleCost& c = s.cost;
  ASSERT_EQ(p.elapsed_cycles, static_cast<uint64_t>(c.elapsed))
      << l.str << ": " << htvm::describeSchedule(l.tl, s);
  ASSERT_EQ(p.compute_cycles, static_cast<uint64_t>(c.compute)) << l.str;
  ASSERT_EQ(p.weight_cycles, static_cast<uint64_t>(c.weights)) << l.str;
  ASSERT_EQ(p.setup_cycles, static_cast<uint64_t>(c.setup)) << l.str;
  ASSERT_EQ(p.dma_cycles, static_cast<uint64_t>(c.dma)) << l.str;
  ASSERT_EQ(p.dma_calls, static_cast<uint64_t>(c.dmaCalls)) << l.str;
  (void)a;
}

TEST(TiledExecution, RandomLayersAreBitExactAndCycleExactOnTheSimulator) {
  std::mt19937 rng(4242);
  int run = 0, tiled = 0, doubled = 0;
  for (int i = 0; i < 1000; ++i) {
    Layer l = randomLayer(rng);
    bool analog = l.tl.op == TestOp::AnalogConv;
    htvm::AcceleratorDesc a = diana().accelerators[analog ? 1 : 0];
    // Whole-layer L1 need, then a limit between a tenth of it and all of it.
    htvm::TilerOptions whole;
    htvm::Result<htvm::TilingResult> w = htvm::tileLayer(l.tl, a, whole);
    ASSERT_TRUE(w.ok()) << l.str << ": " << w.diag().message;
    int64_t need = w->whole ? w->whole->l1Bytes : 256000;
    std::uniform_int_distribution<int64_t> lim(need / 10, need);
    if (l.tl.op == TestOp::Conv && rng() % 2) { // force channel tiles through the weight memory
      int64_t block = 16 * l.g.c * l.g.kh * l.g.kw + 64;
      a.l1.weightBytes.value =
          std::min<int64_t>(64000, block * static_cast<int64_t>(1 + rng() % 3));
    }
    for (htvm::ScheduleStyle style : {htvm::ScheduleStyle::Ours, htvm::ScheduleStyle::Htvm}) {
      htvm::TilerOptions o;
      o.style = style;
      o.l1Limit = std::max<int64_t>(lim(rng), 64);
      htvm::Result<htvm::TilingResult> t = htvm::tileLayer(l.tl, a, o);
      if (!t.ok())
        continue; // too tight even for the smallest tiles
      runOne(l, t->best, a);
      if (::testing::Test::HasFatalFailure())
        return;
      ++run;
      tiled += t->best.tiled();
      doubled += t->best.scheme == BufferScheme::Double;
    }
  }
  EXPECT_GT(run, 1500);
  EXPECT_GT(tiled, 1000);
  EXPECT_GT(doubled, 330);
  std::printf("%d schedules run: %d tiled, %d double-buffered\n", run, tiled, doubled);
}

} // namespace
} // namespace simtest
