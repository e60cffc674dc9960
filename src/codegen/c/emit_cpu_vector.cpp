// Host kernels for integer conv2d/qconv2d/analog_conv2d and dense/qdense, shaped for compiler
// auto-vectorisation on wide-SIMD cores (x86-64 SSE2 at -O2, AVX2/AVX-512/VNNI with -march), and
// the preprocessor switch that gives rv32 the register-blocked body of emit_cpu_blocked.cpp instead
// (cpu_layers.c defines HTVM_VECTOR_KERNELS: 0 under __riscv or -DHTVM_SCALAR_KERNELS, else 1; the
// rv32 compiler never sees a host body).
//
// Plain C11: no intrinsics, no VLAs, no allocation. Every loop bound is a literal; scratch lives in
// function-scope static arrays of literal size (host only, so rv32 stack and memory are unchanged).
//
// Conv (any group count with more than one input channel per group) is im2col + dot products:
//  - the input of one batch item is copied into a zero-padded, channel-last int16 plane
//    xh[PH][PW][C] (PH = H + pads, PW = W + pads). The pad cells are never written, so they keep
//    the zeros of static storage and no tap is ever tested against a bound;
//  - each output pixel's receptive field in [kh][kw][c] order is then KH runs of KW*C contiguous
//    elements (one run per tap when dilated or grouped), copied into a patch row of KP elements,
//    K = KW*KH*Cg rounded up to 16 (the tail stays zero); a single-run field (1x1) whose K is a
//    multiple of 16 is read from the plane directly;
//  - weights are a static const int16 copy reordered to [m][kh][kw][c] and zero-padded to KP, so
//    every output is one dot product of two contiguous int16 rows of literal length KP: the
//    reduction gcc's vectoriser turns into pmaddwd (SSE2) or vpdpwssd (AVX-VNNI/AVX512-VNNI).
//    Blocks of 4 pixels x 2 channels (1 x 4 with fewer pixels) share each load across 8 sums.
// Depthwise (one input channel per group) is vectorised over channels instead: the plane's channel
// stride is rounded up to 16 and each output pixel sums its taps for all channels in one loop into
// an int32 row (taps unrolled into one expression up to 5x5), with weights [j][kh][kw][c] (j: the
// channel multiplier).
// Dense is the conv case with one pixel per batch row: x rows are widened into zero-padded int16
// rows, weights (either order) become [m][k] rows.
//
// Integer sums are exact and C's int32 arithmetic is what both bodies compute, so the order of the
// terms does not matter: results equal the blocked kernels bit for bit. Each output then goes
// through the same epilogue (emitConvStore: bias, requant, ADC/BN, cast).
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "codegen/c/emit_cpu_kernels.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

constexpr int64_t kVec = 16;  // reduction and channel rows are padded to multiples of this

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// affine() over terms whose variable may be "" (dropped) or a decimal literal (folded into the
// constant).
std::string expr(const std::vector<std::pair<std::string, int64_t>>& terms, int64_t constant = 0) {
  std::vector<std::pair<std::string, int64_t>> kept;
  for (const auto& [var, coef] : terms) {
    if (var.empty()) continue;
    if (std::all_of(var.begin(), var.end(), [](char c) { return c >= '0' && c <= '9'; }))
      constant += std::stoll(var) * coef;
    else
      kept.push_back({var, coef});
  }
  return affine(kept, constant);
}

bool narrowInt(DType d) { return d == DType::I8 || d == DType::I16; }

// The vector bodies read x and w as int16 and need the weights at compile time.
bool vectorApplies(const EmitContext& ctx, const Node& n) {
  const Graph& g = ctx.g;
  return narrowInt(g.type(n.inputs[0]).dtype) && narrowInt(g.type(n.inputs[1]).dtype) &&
         g.tensor(n.inputs[1]).isConstant();
}

// `static const int16_t name[size] = {...};` with 24 values a line.
void emitTable(CWriter& w, const std::string& name, const std::vector<int64_t>& v) {
  w.line("static const int16_t {}[{}] = {{", name, v.size());
  for (size_t i = 0; i < v.size(); i += 24) {
    std::string row;
    for (size_t j = i; j < std::min(v.size(), i + 24); ++j) row += fmt::format("{},", v[j]);
    w.line("  {}", row);
  }
  w.line("};");
}

// The dot-product part shared by conv and dense: `px` pixel rows x0..x<px-1> (int16 pointers, KP
// elements each) times `mb` weight rows starting at `wRow` (row stride KP), then one epilogue per
// output, stored to dst(q, mm) with channel expression ch(mm).
struct DotBlock {
  int64_t px, mb, kp;
  std::string wRow;
  std::function<std::string(int64_t, int64_t)> dst;
  std::function<std::string(int64_t)> ch;
};

Status emitDots(CWriter& w, const EmitContext& ctx, const Node& n, const DotBlock& d) {
  auto s = [](int64_t q, int64_t mm) { return fmt::format("s{}{}", q, mm); };
  {
    std::string decl;
    for (int64_t q = 0; q < d.px; ++q)
      for (int64_t mm = 0; mm < d.mb; ++mm) decl += (decl.empty() ? "" : ", ") + s(q, mm) + " = 0";
    w.line("int32_t {};", decl);
  }
  w.line("const int16_t* wr = {};", d.wRow);
  {
    auto lk = w.block(fmt::format("for (int32_t k = 0; k < {}; ++k)", d.kp));
    for (int64_t q = 0; q < d.px; ++q) w.line("const int32_t a{0} = x{0}[k];", q);
    for (int64_t mm = 0; mm < d.mb; ++mm)
      w.line("const int32_t b{} = wr[{}];", mm, affine({{"k", 1}}, mm * d.kp));
    for (int64_t q = 0; q < d.px; ++q)
      for (int64_t mm = 0; mm < d.mb; ++mm) w.line("{} += a{} * b{};", s(q, mm), q, mm);
  }
  for (int64_t q = 0; q < d.px; ++q)
    for (int64_t mm = 0; mm < d.mb; ++mm) {
      auto st = w.block(fmt::format("/* output {} of pixel {} */", mm, q));
      HTVM_TRY(emitConvStore(w, ctx, n, true, s(q, mm), false, d.dst(q, mm), d.ch(mm),
                             ClampStyle::Select));
    }
  return ok();
}

// Channel blocks of `mb` (and a literal remainder block) over `mg` channels from `m0` (C
// expression), for `px` pixels whose rows are x0..x<px-1>.
Status emitChannelBlocks(CWriter& w, const EmitContext& ctx, const Node& n, int64_t px,
                         int64_t mb, int64_t mg, int64_t kp, const std::string& m0,
                         const std::function<std::string(int64_t, const std::string&)>& dst) {
  mb = std::min(mb, mg);
  const int64_t full = mg / mb * mb;
  auto chOf = [&](const std::string& m) {
    return [m, m0](int64_t mm) {
      std::string base = m0 == "0" ? m : m0 + " + " + m;
      return mm ? fmt::format("{} + {}", base, mm) : base;
    };
  };
  auto block = [&](const std::string& m, int64_t width) -> Status {
    auto ch = chOf(m);
    DotBlock d{px, width, kp, fmt::format("wv + ({}) * {}", ch(0), kp),
               [&, ch](int64_t q, int64_t mm) { return dst(q, ch(mm)); }, ch};
    return emitDots(w, ctx, n, d);
  };
  if (full > 0) {
    auto lm = w.block(fmt::format("for (int32_t m = 0; m < {}; m += {})", full, mb));
    HTVM_TRY(block("m", mb));
  }
  if (full < mg) {
    auto lr = w.block("/* remaining channels */");
    HTVM_TRY(block(std::to_string(full), mg - full));
  }
  return ok();
}

// Copies batch item `n` of x (NCHW) into the interior of the channel-last plane xh, whose channel
// stride is `cs`.
void emitPlaneFill(CWriter& w, const ConvShape& L, int64_t cs) {
  auto lc = w.block(fmt::format("for (int32_t c = 0; c < {}; ++c)", L.C));
  auto lh = w.block(fmt::format("for (int32_t ih = 0; ih < {}; ++ih)", L.H));
  auto lw = w.block(fmt::format("for (int32_t iw = 0; iw < {}; ++iw)", L.W));
  w.line("xh[{}] = (int16_t)xn[{}];",
         affine({{"ih", L.PW() * cs}, {"iw", cs}, {"c", 1}}, (L.pt * L.PW() + L.pl) * cs),
         affine({{"c", L.H * L.W}, {"ih", L.W}, {"iw", 1}}));
}

Status emitDepthwise(CWriter& w, const EmitContext& ctx, const Node& n, const ConvShape& L) {
  const Graph& g = ctx.g;
  const int64_t cp = roundUp(L.C, kVec), taps = L.KH * L.KW, ohw = L.P();
  const std::vector<double>& wd = *g.tensor(n.inputs[1]).data;
  std::vector<int64_t> table(static_cast<size_t>(L.Mg * taps * cp), 0);
  for (int64_t c = 0; c < L.C; ++c)
    for (int64_t j = 0; j < L.Mg; ++j)
      for (int64_t t = 0; t < taps; ++t)
        table[static_cast<size_t>((j * taps + t) * cp + c)] =
            static_cast<int64_t>(wd[static_cast<size_t>((c * L.Mg + j) * taps + t)]);
  w.comment(fmt::format("weights as [j][kh][kw][c], channels padded to {}", cp));
  emitTable(w, "wv", table);
  w.line("static int16_t xh[{}];", L.PH() * L.PW() * cp);
  w.line("static int32_t acc[{}];", cp);
  w.line("(void)w;");
  auto ln = w.block(fmt::format("for (int32_t n = 0; n < {}; ++n)", L.N));
  w.line("const {}* xn = x + {};", cType(g.type(n.inputs[0]).dtype),
         affine({{"n", L.C * L.H * L.W}}));
  w.line("{}* yn = y + {};", cType(g.type(n.outputs[0]).dtype), affine({{"n", L.M * ohw}}));
  emitPlaneFill(w, L, cp);
  auto loh = w.block(fmt::format("for (int32_t oh = 0; oh < {}; ++oh)", L.OH));
  auto low = w.block(fmt::format("for (int32_t ow = 0; ow < {}; ++ow)", L.OW));
  w.line("const int16_t* xb = xh + {};", affine({{"oh", L.sH * L.PW() * cp}, {"ow", L.sW * cp}}));
  w.line("{}* yp = yn + {};", cType(g.type(n.outputs[0]).dtype),
         affine({{"oh", L.OW}, {"ow", 1}}));
  const bool jLoop = L.Mg > 1;
  if (jLoop) w.open(fmt::format("for (int32_t j = 0; j < {}; ++j)", L.Mg));
  const std::string j = jLoop ? "j" : "";  // "" drops the term (one channel per group)
  // Every tap of all channels into acc (one vector loop over the padded channels), then one
  // epilogue per real channel.
  if (taps <= 25) {
    std::string sum;
    for (int64_t kh = 0; kh < L.KH; ++kh)
      for (int64_t kw = 0; kw < L.KW; ++kw)
        sum += fmt::format("{}xb[{}] * wv[{}]", sum.empty() ? "" : " + ",
                           expr({{"i", 1}}, (kh * L.dH * L.PW() + kw * L.dW) * cp),
                           expr({{j, taps * cp}, {"i", 1}}, (kh * L.KW + kw) * cp));
    w.line("for (int32_t i = 0; i < {}; ++i) acc[i] = {};", cp, sum);
  } else {
    w.line("for (int32_t i = 0; i < {}; ++i) acc[i] = 0;", cp);
    auto lkh = w.block(fmt::format("for (int32_t kh = 0; kh < {}; ++kh)", L.KH));
    auto lkw = w.block(fmt::format("for (int32_t kw = 0; kw < {}; ++kw)", L.KW));
    w.line("const int16_t* xt = xb + {};", expr({{"kh", L.dH * L.PW() * cp}, {"kw", L.dW * cp}}));
    w.line("const int16_t* wt = wv + {};", expr({{j, taps * cp}, {"kh", L.KW * cp}, {"kw", cp}}));
    w.line("for (int32_t i = 0; i < {}; ++i) acc[i] += xt[i] * wt[i];", cp);
  }
  {
    auto li = w.block(fmt::format("for (int32_t i = 0; i < {}; ++i)", L.C));
    w.line("const int32_t ch = {};", expr({{"i", L.Mg}, {j, 1}}));
    HTVM_TRY(emitConvStore(w, ctx, n, true, "acc[i]", false, fmt::format("yp[ch * {}]", ohw),
                           "ch", ClampStyle::Select));
  }
  if (jLoop) w.close();
  return ok();
}

Status emitConvGemm(CWriter& w, const EmitContext& ctx, const Node& n, const ConvShape& L) {
  const Graph& g = ctx.g;
  const int64_t taps = L.KH * L.KW, K = L.Cg * taps, ohw = L.P();
  // One contiguous run of the plane per kernel row (undilated, all channels), else one per tap.
  const bool rowRuns = L.dW == 1 && L.G == 1;
  const int64_t run = rowRuns ? L.KW * L.Cg : L.Cg;
  const int64_t runs = rowRuns ? L.KH : taps;
  const bool direct = runs == 1 && K % kVec == 0;
  const int64_t kp = direct ? K : roundUp(K, kVec);
  const int64_t P = ohw, px = P >= 4 ? 4 : 1, mb = px == 4 ? 2 : 4;

  const std::vector<double>& wd = *g.tensor(n.inputs[1]).data;
  std::vector<int64_t> table(static_cast<size_t>(L.M * kp), 0);
  for (int64_t m = 0; m < L.M; ++m)
    for (int64_t c = 0; c < L.Cg; ++c)
      for (int64_t kh = 0; kh < L.KH; ++kh)
        for (int64_t kw = 0; kw < L.KW; ++kw)
          table[static_cast<size_t>(m * kp + (kh * L.KW + kw) * L.Cg + c)] = static_cast<int64_t>(
              wd[static_cast<size_t>(((m * L.Cg + c) * L.KH + kh) * L.KW + kw)]);
  w.comment(fmt::format("weights as [m][kh][kw][c], rows padded to {}", kp));
  emitTable(w, "wv", table);
  w.line("static int16_t xh[{}];", L.PH() * L.PW() * L.C);
  if (!direct) w.line("static int16_t xp[{}];", px * kp);
  w.line("(void)w;");
  const char* yT = cType(g.type(n.outputs[0]).dtype);
  auto ln = w.block(fmt::format("for (int32_t n = 0; n < {}; ++n)", L.N));
  w.line("const {}* xn = x + {};", cType(g.type(n.inputs[0]).dtype),
         affine({{"n", L.C * L.H * L.W}}));
  w.line("{}* yn = y + {};", yT, affine({{"n", L.M * ohw}}));
  emitPlaneFill(w, L, L.C);
  const bool gLoop = L.G > 1;
  if (gLoop) w.open(fmt::format("for (int32_t g = 0; g < {}; ++g)", L.G));

  // Rows x0..x<cnt-1> for pixels p + q.
  auto pixelRows = [&](int64_t cnt) {
    for (int64_t q = 0; q < cnt; ++q) {
      std::string pq = q ? fmt::format("p + {}", q) : std::string("p");
      w.line("const int32_t oh{0} = ({1}) / {2}, ow{0} = {1} - oh{0} * {2};", q, pq, L.OW);
      std::vector<std::pair<std::string, int64_t>> terms = {
          {fmt::format("oh{}", q), L.sH * L.PW() * L.C}, {fmt::format("ow{}", q), L.sW * L.C}};
      if (gLoop) terms.push_back({"g", L.Cg});
      std::string base = affine(terms);
      if (direct) {
        w.line("const int16_t* x{} = xh + {};", q, base);
        continue;
      }
      w.line("const int16_t* xs{} = xh + {};", q, base);
      w.line("int16_t* xd{} = xp + {};", q, q * kp);
      {
        auto lr = w.block(fmt::format("for (int32_t r = 0; r < {}; ++r)", runs));
        std::string from =
            rowRuns ? affine({{"r", L.dH * L.PW() * L.C}})
                    : fmt::format("(r / {0}) * {1} + (r % {0}) * {2}", L.KW, L.dH * L.PW() * L.C,
                                  L.dW * L.C);
        w.line("for (int32_t i = 0; i < {}; ++i) xd{}[{}] = xs{}[{} + i];", run, q,
               affine({{"r", run}, {"i", 1}}), q, from);
      }
      w.line("const int16_t* x{0} = xd{0};", q);
    }
  };
  auto dst = [&](int64_t q, const std::string& ch) {
    return fmt::format("yn[({}) * {} + {}]", ch, ohw, q ? fmt::format("p + {}", q) : "p");
  };
  const std::string m0 = gLoop ? fmt::format("g * {}", L.Mg) : std::string("0");
  const int64_t pFull = P / px * px;
  {
    auto lp = w.block(fmt::format("for (int32_t p = 0; p < {}; p += {})", pFull, px));
    pixelRows(px);
    HTVM_TRY(emitChannelBlocks(w, ctx, n, px, mb, L.Mg, kp, m0, dst));
  }
  if (pFull < P) {
    auto lp = w.block(fmt::format("for (int32_t p = {}; p < {}; ++p)", pFull, P));
    pixelRows(1);
    HTVM_TRY(emitChannelBlocks(w, ctx, n, 1, 4, L.Mg, kp, m0, dst));
  }
  if (gLoop) w.close();
  return ok();
}

Status emitVectorConvBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const ConvShape L = convShape(ctx.g, n);
  emitConvPrologue(w, ctx, n);
  if (L.Cg == 1 && L.G > 1) return emitDepthwise(w, ctx, n, L);
  return emitConvGemm(w, ctx, n, L);
}

Status emitVectorDenseBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  const Graph& g = ctx.g;
  const int64_t N = g.type(n.inputs[0]).shape[0], K = g.type(n.inputs[0]).shape[1];
  const int64_t M = g.type(n.outputs[0]).shape[1];
  const bool transB = n.attrInt("trans_b") != 0;  // 1: w is [M, K]; 0: w is [K, M]
  const int64_t kp = roundUp(K, kVec), px = N >= 4 ? 4 : 1, mb = px == 4 ? 2 : 4;
  const std::vector<double>& wd = *g.tensor(n.inputs[1]).data;
  std::vector<int64_t> table(static_cast<size_t>(M * kp), 0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k)
      table[static_cast<size_t>(m * kp + k)] =
          static_cast<int64_t>(wd[static_cast<size_t>(transB ? m * K + k : k * M + m)]);
  w.comment(fmt::format("weights as [m][k], rows padded to {}", kp));
  emitTable(w, "wv", table);
  w.line("static int16_t xp[{}];", N * kp);
  w.line("(void)w;");
  {
    auto ln = w.block(fmt::format("for (int32_t n = 0; n < {}; ++n)", N));
    w.line("for (int32_t k = 0; k < {}; ++k) xp[{}] = (int16_t)x[{}];", K,
           affine({{"n", kp}, {"k", 1}}), affine({{"n", K}, {"k", 1}}));
  }
  auto dst = [&](int64_t q, const std::string& ch) {
    return fmt::format("y[{} + {}]", q ? fmt::format("(p + {}) * {}", q, M)
                                       : fmt::format("p * {}", M),
                       ch);
  };
  auto rows = [&](int64_t cnt) {
    for (int64_t q = 0; q < cnt; ++q)
      w.line("const int16_t* x{} = xp + {};", q, affine({{"p", kp}}, q * kp));
  };
  const int64_t pFull = N / px * px;
  {
    auto lp = w.block(fmt::format("for (int32_t p = 0; p < {}; p += {})", pFull, px));
    rows(px);
    HTVM_TRY(emitChannelBlocks(w, ctx, n, px, mb, M, kp, "0", dst));
  }
  if (pFull < N) {
    auto lp = w.block(fmt::format("for (int32_t p = {}; p < {}; ++p)", pFull, N));
    rows(1);
    HTVM_TRY(emitChannelBlocks(w, ctx, n, 1, 4, M, kp, "0", dst));
  }
  return ok();
}

// The host body under `#if HTVM_VECTOR_KERNELS`, the blocked body otherwise (or alone when the
// vector body does not apply).
Status emitSwitched(CWriter& w, const EmitContext& ctx, const Node& n,
                    Status (*blocked)(CWriter&, const EmitContext&, const Node&),
                    Status (*vector)(CWriter&, const EmitContext&, const Node&)) {
  if (!vectorApplies(ctx, n)) return blocked(w, ctx, n);
  w.directive("#if HTVM_VECTOR_KERNELS");
  HTVM_TRY(vector(w, ctx, n));
  w.directive("#else");
  HTVM_TRY(blocked(w, ctx, n));
  w.directive("#endif");
  return ok();
}

}  // namespace

Status emitIntegerConvBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  return emitSwitched(w, ctx, n, emitBlockedConvBody, emitVectorConvBody);
}

Status emitIntegerDenseBody(CWriter& w, const EmitContext& ctx, const Node& n) {
  return emitSwitched(w, ctx, n, emitBlockedDenseBody, emitVectorDenseBody);
}

}  // namespace htvm
