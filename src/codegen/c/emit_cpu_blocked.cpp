// Register-blocked integer conv and dense kernels for a small in-order core (rv32imac: no SIMD,
// no multiply-accumulate, 31 registers). Each inner block computes NO adjacent outputs of one
// row times MB output channels in NO*MB int32 accumulators, so every input byte loaded feeds MB
// products and every weight loaded feeds NO products: about 2 instructions (mul, add) per MAC plus
// (NO+MB)/(NO*MB) loads, against 4 for one output at a time. NO = 4; MB = 2 for KxK kernels, 4
// (8 for rows of at most 2 outputs) for 1x1, 1 for depthwise.
//
// Everything is specialised per layer: sizes, strides, pads and dilations are literals, the tap
// loops are unrolled where small (else the kernel rows are a loop with literal bounds), 1x1
// reductions are unrolled over input channels, and the loop structure is split at compile time so
// no block ever tests a bound:
//  - rows are grouped into runs with the same valid kernel rows (top pad rows, interior, bottom
//    pad rows); each run is its own loop with a literal kh range;
//  - each row is cut into blocks of NO outputs: literal blocks at the left and right edges, with
//    the valid kw taps of every output known at compile time, and a loop over interior blocks in
//    which every tap is valid;
//  - padded taps are skipped (never read), which equals adding 0 * w.
// A 1x1 stride-1 unpadded conv is one long row per plane.
//
// Weights are read in their ONNX order [m][c][kh][kw]: the block's MB rows in step, through one
// pointer with literal offsets, each row sequentially. (A copy interleaved as [c][kh][kw][MB]
// measured the same instruction count on rv32 and would duplicate the weights in flash, since
// weights.c keeps the original array.) Depthwise layers keep a channel's weights (up to 16) in
// registers for the whole channel. HTVM_SCHED_FENCE() (defined in cpu_layers.c, no instruction)
// after each weight's multiply-adds stops gcc's scheduler from hoisting every load of a block
// ahead of its uses, which spills accumulators.
//
// Accumulators start at the bias; the epilogue (emitConvStore: requant, ADC/BN or bias + cast)
// runs once per output. Integer sums are exact, so the order of the terms does not matter and the
// result equals the plain kernel's bit for bit.
//
// Dense: blocks of 4 outputs, each a dot product over k unrolled by 4. With w [M, K] the block's
// rows are read in step (a form gcc also vectorises on x86 hosts); with w [K, M] the block's
// weights of one k are adjacent.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "codegen/c/emit_cpu_kernels.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

// Kernel taps [lo, hi) of one axis whose input position o * stride - pad + k * dil is in [0, in).
struct TapRange {
  int64_t lo = 0, hi = 0;
  int64_t size() const { return hi > lo ? hi - lo : 0; }
  bool operator==(const TapRange& o) const { return lo == o.lo && hi == o.hi; }
};

TapRange validTaps(int64_t o, int64_t stride, int64_t pad, int64_t dil, int64_t k, int64_t in) {
  const int64_t base = o * stride - pad;
  TapRange r{0, k};
  while (r.lo < k && base + r.lo * dil < 0) ++r.lo;
  while (r.hi > r.lo && base + (r.hi - 1) * dil >= in) --r.hi;
  if (r.hi <= r.lo) r = {0, 0};
  return r;
}

bool hasBias(const Node& n) {
  return n.op != OpKind::AnalogConv2D && n.inputs.size() > 2 && n.inputs[2] >= 0;
}

std::string ident(const std::string& prefix, int64_t a, int64_t b) {
  return fmt::format("{}{}_{}", prefix, a, b);
}

// One conv layer as the blocked emitter sees it: its geometry and how it is blocked.
struct ConvLayer : ConvShape {
  const EmitContext& ctx;
  const Node& n;
  int64_t no = 4, mb = 2;  // outputs per block along a row, output channels per block
  bool unrollKh = true;    // kh taps unrolled (else a loop with literal bounds)
  int64_t cUnroll = 1;     // input channels per iteration of the reduction loop
  bool namedWeights = false;  // weights of the channel held in locals k<kh>_<kw>
  std::string xT, wT, yT;

  ConvLayer(const EmitContext& c, const Node& node)
      : ConvShape(convShape(c.g, node)), ctx(c), n(node) {}
  // Index of weight (channel mm of the block, input channel c, kernel row r, column k) relative
  // to the block's first weight: the ONNX order [m][c][kh][kw], read as mb rows in step.
  int64_t wIdx(int64_t mm, int64_t c, int64_t r, int64_t k) const {
    return mm * Cg * taps() + (c * KH + r) * KW + k;
  }
};

ConvLayer makeConvLayer(const EmitContext& ctx, const Node& n) {
  const Graph& g = ctx.g;
  const Ints& p = n.attrInts("pads");
  ConvLayer L(ctx, n);
  // A 1x1 stride-1 unpadded conv reads and writes whole planes: one long row.
  if (L.KH == 1 && L.KW == 1 && L.sH == 1 && L.sW == 1 && p[0] == 0 && p[1] == 0 && p[2] == 0 &&
      p[3] == 0) {
    L.W = L.H * L.W;
    L.H = 1;
    L.OW = L.OH * L.OW;
    L.OH = 1;
  }
  if (L.Cg == 1) {
    L.mb = 1;  // depthwise: nothing to share across output channels
  } else if (L.taps() == 1) {
    L.mb = L.OW <= 2 ? 8 : 4;  // few outputs per row: more channels share each input load
  } else {
    L.mb = 2;
  }
  L.mb = std::min(L.mb, L.Mg);
  L.no = std::min<int64_t>(4, L.OW);
  L.unrollKh = L.taps() * L.no * L.mb <= 100;
  // 1x1 with up to 32 input channels: the reduction is unrolled completely, so there is no loop
  // overhead per channel (worth 0.1-0.2 instructions per MAC on rv32). Wider reductions keep the
  // loop: partial unrolling gains less on rv32 and stops gcc from vectorising the block on x86.
  if (L.taps() == 1 && L.Cg <= 32) L.cUnroll = L.Cg;
  L.namedWeights = L.Cg == 1 && L.mb == 1 && L.unrollKh && L.taps() <= 16;
  L.xT = cType(g.type(n.inputs[0]).dtype);
  L.wT = cType(g.type(n.inputs[1]).dtype);
  L.yT = cType(g.type(n.outputs[0]).dtype);
  return L;
}

// Consecutive output rows with the same valid kh taps.
struct RowRun {
  int64_t oh0, oh1;
  TapRange kh;
};

std::vector<RowRun> rowRuns(const ConvLayer& L) {
  std::vector<RowRun> runs;
  for (int64_t oh = 0; oh < L.OH; ++oh) {
    TapRange r = validTaps(oh, L.sH, L.pt, L.dH, L.KH, L.H);
    if (!runs.empty() && runs.back().kh == r)
      runs.back().oh1 = oh + 1;
    else
      runs.push_back({oh, oh + 1, r});
  }
  return runs;
}

// A row cut into blocks: a literal block of `count` (<= no) outputs at `start`, or a loop over
// `count` interior blocks of `no` outputs from `start`.
struct ColSeg {
  bool loop;
  int64_t start, count;
};

std::vector<ColSeg> colSegments(const ConvLayer& L) {
  int64_t owA = L.OW, owB = L.OW;  // interior columns (every kw tap valid): [owA, owB)
  for (int64_t ow = 0; ow < L.OW; ++ow) {
    if (!(validTaps(ow, L.sW, L.pl, L.dW, L.KW, L.W) == TapRange{0, L.KW})) continue;
    if (owA == L.OW) owA = ow;
    owB = ow + 1;
  }
  std::vector<ColSeg> segs;
  int64_t s = 0;
  for (; s < owA; s += L.no) segs.push_back({false, s, std::min(L.no, L.OW - s)});
  const int64_t blocks = owB > s ? (owB - s) / L.no : 0;
  if (blocks >= 2) {
    segs.push_back({true, s, blocks});
    s += blocks * L.no;
  }
  for (; s < L.OW; s += L.no) segs.push_back({false, s, std::min(L.no, L.OW - s)});
  return segs;
}

// One block: rows `oh` (a loop variable or a literal) with kernel rows `kh`; columns `ow` (loop
// variable) or literal start `owLit`; `nOut` outputs; `mb` channels from channel expression `m`.
struct Block {
  bool ohLoop;
  int64_t ohLit;
  TapRange kh;
  bool owLoop;
  int64_t owLit;
  int64_t nOut;
  int64_t mb;
  std::string m;  // first output channel of the block (C expression)
};

Status emitBlock(CWriter& w, const ConvLayer& L, const Block& b) {
  // Valid kw taps of every output of the block.
  std::vector<TapRange> kw(static_cast<size_t>(b.nOut));
  for (int64_t j = 0; j < b.nOut; ++j)
    kw[static_cast<size_t>(j)] =
        b.owLoop ? TapRange{0, L.KW} : validTaps(b.owLit + j, L.sW, L.pl, L.dW, L.KW, L.W);
  // Input column of output j, tap kw, relative to the block's first column read (`base`).
  int64_t base = 0;
  if (!b.owLoop) {
    base = INT64_MAX;
    for (int64_t j = 0; j < b.nOut; ++j)
      if (kw[static_cast<size_t>(j)].size() > 0)
        base = std::min(base, (b.owLit + j) * L.sW - L.pl + kw[static_cast<size_t>(j)].lo * L.dW);
    if (base == INT64_MAX) base = 0;
  }
  auto channel = [&](int64_t mm) { return mm ? fmt::format("{} + {}", b.m, mm) : b.m; };
  auto col = [&](int64_t j, int64_t k) {
    return b.owLoop ? j * L.sW + k * L.dW : (b.owLit + j) * L.sW - L.pl + k * L.dW - base;
  };
  bool anyTap = b.kh.size() > 0;
  bool anyCol = false;
  for (const TapRange& r : kw) anyCol |= r.size() > 0;
  const bool macs = anyTap && anyCol;

  const std::string ow0 = b.owLoop ? std::string("ow") : std::to_string(b.owLit);
  auto blk = w.block(fmt::format("/* row {}, columns {}..{} + {}, kernel rows {}..{} */",
                                 b.ohLoop ? std::string("oh") : std::to_string(b.ohLit), ow0, ow0,
                                 b.nOut - 1, b.kh.lo, b.kh.hi - 1));
  const int64_t hw = L.H * L.W;
  if (macs) {
    // First input element read: row of tap kh.lo, column `base`.
    std::vector<std::pair<std::string, int64_t>> terms;
    int64_t constant = (b.kh.lo * L.dH - L.pt) * L.W;
    if (b.ohLoop)
      terms.push_back({"oh", L.sH * L.W});
    else
      constant += b.ohLit * L.sH * L.W;
    if (b.owLoop) {
      terms.push_back({"ow", L.sW});
      constant -= L.pl;
    } else {
      constant += base;
    }
    w.line("const {}* xp = xg + ({});", L.xT, affine(terms, constant));
    if (!L.namedWeights) w.line("const {}* wp = wb + {};", L.wT, L.wIdx(0, 0, b.kh.lo, 0));
  }
  for (int64_t j = 0; j < b.nOut; ++j) {
    std::string decl;
    for (int64_t mm = 0; mm < b.mb; ++mm)
      decl += fmt::format("{}{} = {}", mm ? ", " : "", ident("a", j, mm),
                          hasBias(L.n) ? fmt::format("(int32_t)b[{}]", channel(mm))
                                       : std::string("0"));
    w.line("int32_t {};", decl);
  }
  if (macs) {
    const int64_t cu = L.unrollKh ? L.cUnroll : 1;
    const bool cLoop = L.Cg > cu;
    if (cLoop) w.open(fmt::format("for (int32_t c = 0; c < {}; c += {})", L.Cg, cu));
    // The taps of one kernel row, reading input row `xrow` from offset `xoff` and the weights of
    // input channel `ci` (relative to the loop's channel), kernel row `r` (relative to kh.lo)
    // through `wrow`.
    auto emitRow = [&](const std::string& xrow, int64_t xoff, const std::string& wrow, int64_t ci,
                       int64_t r, int64_t khNamed) {
      std::set<int64_t> cols;
      for (int64_t j = 0; j < b.nOut; ++j)
        for (int64_t k = kw[static_cast<size_t>(j)].lo; k < kw[static_cast<size_t>(j)].hi; ++k)
          cols.insert(col(j, k));
      for (int64_t c : cols) w.line("const int32_t x{} = {}[{}];", c, xrow, xoff + c);
      for (int64_t k = 0; k < L.KW; ++k) {
        bool used = false;
        for (int64_t j = 0; j < b.nOut; ++j)
          used |= kw[static_cast<size_t>(j)].lo <= k && k < kw[static_cast<size_t>(j)].hi;
        if (!used) continue;
        for (int64_t mm = 0; mm < b.mb; ++mm) {
          std::string wv = L.namedWeights ? ident("k", khNamed, k) : ident("w", k, mm);
          if (!L.namedWeights)
            w.line("const int32_t {} = {}[{}];", wv, wrow, L.wIdx(mm, ci, r, k));
          for (int64_t j = 0; j < b.nOut; ++j)
            if (kw[static_cast<size_t>(j)].lo <= k && k < kw[static_cast<size_t>(j)].hi)
              w.line("{} += x{} * {};", ident("a", j, mm), col(j, k), wv);
          w.line("HTVM_SCHED_FENCE();");
        }
      }
    };
    if (L.unrollKh) {
      for (int64_t ci = 0; ci < cu; ++ci)
        for (int64_t kh = b.kh.lo; kh < b.kh.hi; ++kh) {
          auto row = w.block(cu > 1 ? fmt::format("/* c + {}, kh {} */", ci, kh)
                                    : fmt::format("/* kh {} */", kh));
          emitRow("xp", ci * hw + (kh - b.kh.lo) * L.dH * L.W, "wp", ci, kh - b.kh.lo, kh);
        }
    } else {
      w.line("const {}* xr = xp;", L.xT);
      w.line("const {}* wr_ = wp;", L.wT);
      {
        auto lk = w.block(fmt::format("for (int32_t kh = 0; kh < {}; ++kh)", b.kh.size()));
        emitRow("xr", 0, "wr_", 0, 0, 0);
        w.line("xr += {};", L.dH * L.W);
        w.line("wr_ += {};", L.wIdx(0, 0, 1, 0));
      }
    }
    if (cLoop) {
      w.line("xp += {};", cu * hw);
      w.line("wp += {};", L.wIdx(0, cu, 0, 0));
      w.close();
    }
  }
  // Epilogue: one store per output.
  std::vector<std::pair<std::string, int64_t>> yterms;
  int64_t yconst = 0;
  if (b.ohLoop)
    yterms.push_back({"oh", L.OW});
  else
    yconst += b.ohLit * L.OW;
  if (b.owLoop)
    yterms.push_back({"ow", 1});
  else
    yconst += b.owLit;
  w.line("{}* yp = ym + {};", L.yT, affine(yterms, yconst));
  for (int64_t j = 0; j < b.nOut; ++j)
    for (int64_t mm = 0; mm < b.mb; ++mm) {
      auto st = w.block(fmt::format("/* y[{} + {}][..][+{}] */", b.m, mm, j));
      HTVM_TRY(emitConvStore(w, L.ctx, L.n, true, ident("a", j, mm), hasBias(L.n),
                             fmt::format("yp[{}]", mm * L.OH * L.OW + j), channel(mm)));
    }
  return ok();
}

// Every row and column block of one channel block of `mb` channels.
Status emitChannelBlock(CWriter& w, const ConvLayer& L, int64_t mb, const std::string& m,
                        const std::vector<RowRun>& rows, const std::vector<ColSeg>& cols) {
  if (L.namedWeights) {
    // Only taps some output reads (a tap no row or no column reaches would be unused).
    std::vector<char> khUsed(static_cast<size_t>(L.KH), 0), kwUsed(static_cast<size_t>(L.KW), 0);
    for (const RowRun& r : rows)
      for (int64_t kh = r.kh.lo; kh < r.kh.hi; ++kh) khUsed[static_cast<size_t>(kh)] = 1;
    for (int64_t ow = 0; ow < L.OW; ++ow) {
      TapRange t = validTaps(ow, L.sW, L.pl, L.dW, L.KW, L.W);
      for (int64_t k = t.lo; k < t.hi; ++k) kwUsed[static_cast<size_t>(k)] = 1;
    }
    for (int64_t kh = 0; kh < L.KH; ++kh)
      for (int64_t k = 0; k < L.KW; ++k)
        if (khUsed[static_cast<size_t>(kh)] && kwUsed[static_cast<size_t>(k)])
          w.line("const int32_t {} = wb[{}];", ident("k", kh, k), kh * L.KW + k);
  }
  for (const RowRun& r : rows) {
    const bool ohLoop = r.oh1 - r.oh0 > 1;
    if (ohLoop) w.open(fmt::format("for (int32_t oh = {}; oh < {}; ++oh)", r.oh0, r.oh1));
    for (const ColSeg& s : cols) {
      if (s.loop)
        w.open(fmt::format("for (int32_t ow = {0}; ow < {1}; ow += {2})", s.start,
                           s.start + s.count * L.no, L.no));
      Block b{ohLoop, r.oh0, r.kh, s.loop, s.start, s.loop ? L.no : s.count, mb, m};
      HTVM_TRY(emitBlock(w, L, b));
      if (s.loop) w.close();
    }
    if (ohLoop) w.close();
  }
  return ok();
}

}  // namespace

Status emitBlockedConvBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const ConvLayer L = makeConvLayer(ctx, n);
  emitConvPrologue(w, ctx, n);
  const std::vector<RowRun> rows = rowRuns(L);
  const std::vector<ColSeg> cols = colSegments(L);
  const int64_t hw = L.H * L.W, ohw = L.OH * L.OW, per = L.Cg * L.taps();
  const int64_t full = L.Mg / L.mb, rest = L.Mg % L.mb;

  auto ln = w.block(fmt::format("for (int32_t n = 0; n < {}; ++n)", L.N));
  auto lg = w.block(fmt::format("for (int32_t g = 0; g < {}; ++g)", L.G));
  w.line("const {}* xg = x + {};", L.xT, affine({{"n", L.C * hw}, {"g", L.Cg * hw}}));
  w.line("{}* yg = y + {};", L.yT, affine({{"n", L.M * ohw}, {"g", L.Mg * ohw}}));
  w.line("const {}* wg = w + {};", L.wT, affine({{"g", L.Mg * per}}));
  w.line("(void)xg;");
  if (full > 0) {
    auto lb = w.block(fmt::format("for (int32_t mb = 0; mb < {}; ++mb)", full));
    w.line("const int32_t m = {};", affine({{"g", L.Mg}, {"mb", L.mb}}));
    w.line("const {}* wb = wg + {};", L.wT, affine({{"mb", L.mb * per}}));
    w.line("{}* ym = yg + {};", L.yT, affine({{"mb", L.mb * ohw}}));
    w.line("(void)m;");
    w.line("(void)wb;");
    HTVM_TRY(emitChannelBlock(w, L, L.mb, "m", rows, cols));
  }
  if (rest > 0) {
    auto lb = w.block("/* remaining channels */");
    w.line("const int32_t m = {};", affine({{"g", L.Mg}}, full * L.mb));
    w.line("const {}* wb = wg + {};", L.wT, full * L.mb * per);
    w.line("{}* ym = yg + {};", L.yT, full * L.mb * ohw);
    w.line("(void)m;");
    w.line("(void)wb;");
    HTVM_TRY(emitChannelBlock(w, L, rest, "m", rows, cols));
  }
  return ok();
}

Status emitBlockedDenseBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const Graph& g = ctx.g;
  const int64_t N = g.type(n.inputs[0]).shape[0], K = g.type(n.inputs[0]).shape[1];
  const int64_t M = g.type(n.outputs[0]).shape[1];
  const bool transB = n.attrInt("trans_b") != 0;  // 1: w is [M, K]; 0: w is [K, M]
  const int64_t mb = std::min<int64_t>(4, M), unroll = std::min<int64_t>(4, K);
  const std::string xT = cType(g.type(n.inputs[0]).dtype), wT = cType(g.type(n.inputs[1]).dtype),
                    yT = cType(g.type(n.outputs[0]).dtype);

  // One block: `width` outputs from `m` (the loop variable, or a literal for the remainder), the k
  // loop unrolled by `unroll`. With w [M, K] each output is a dot product over a weight row; the
  // rows are read in step. With w [K, M] the block's weights of one k are adjacent.
  auto emitBlockOf = [&](int64_t width, const std::string& m) -> Status {
    for (int64_t mm = 0; mm < width; ++mm) {
      std::string ch = mm ? fmt::format("{} + {}", m, mm) : m;
      w.line("int32_t a{} = {};", mm, hasBias(n) ? "(int32_t)b[" + ch + "]" : std::string("0"));
    }
    auto wIndex = [&](const std::string& k, int64_t u, int64_t mm) {
      return transB ? affine({{m, K}, {k, 1}}, mm * K + u) : affine({{k, M}, {m, 1}}, u * M + mm);
    };
    auto body = [&](const std::string& k, int64_t count) {
      for (int64_t u = 0; u < count; ++u)
        w.line("const int32_t x{} = xn[{}];", u, affine({{k, 1}}, u));
      for (int64_t mm = 0; mm < width; ++mm)
        for (int64_t u = 0; u < count; ++u)
          w.line("a{} += x{} * (int32_t)w[{}];", mm, u, wIndex(k, u, mm));
    };
    const int64_t main = K / unroll * unroll;
    {
      auto lk = w.block(fmt::format("for (int32_t k = 0; k < {}; k += {})", main, unroll));
      body("k", unroll);
    }
    if (main < K) {
      auto lt = w.block("/* last k */");
      body(std::to_string(main), K - main);
    }
    for (int64_t mm = 0; mm < width; ++mm) {
      auto st = w.block(fmt::format("/* y[n][{} + {}] */", m, mm));
      std::string ch = mm ? fmt::format("{} + {}", m, mm) : m;
      HTVM_TRY(emitConvStore(w, ctx, n, true, "a" + std::to_string(mm), true,
                             fmt::format("yn[{}]", ch), ch));
    }
    return ok();
  };

  auto ln = w.block(fmt::format("for (int32_t n = 0; n < {}; ++n)", N));
  w.line("const {}* xn = x + {};", xT, affine({{"n", K}}));
  w.line("{}* yn = y + {};", yT, affine({{"n", M}}));
  if (M / mb > 0) {
    auto lb = w.block(fmt::format("for (int32_t m = 0; m < {}; m += {})", M / mb * mb, mb));
    HTVM_TRY(emitBlockOf(mb, "m"));
  }
  if (M % mb > 0) {
    auto lb = w.block("/* remaining outputs */");
    HTVM_TRY(emitBlockOf(M % mb, std::to_string(M / mb * mb)));
  }
  return ok();
}

}  // namespace htvm
