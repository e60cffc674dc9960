// accel_layers.c/.h and the platform description (htvm_platform.h, platform.c) of the generated
// project. Each accelerator layer becomes one function that runs its schedule (tiling/tile_plan.h,
// placed in L1 by memory/l1_plan.h): the per-tile job configurations and DMA copies are printed as
// constant tables, and one loop walks them. Nothing is decided here; the emitted call sequence is
// exactly the one costSchedule (tiling/schedule_cost.cpp) replays, so the simulator's timeline and
// the compiler's prediction agree:
//   double-buffered: copy input tile 0 [analog: load the array meanwhile], wait; then per step t:
//     queue the next input tile (other buffer), queue step t-1's output (other buffer), start
//     job t, wait for it, wait for both copies; finally copy out the last step's output.
//   single buffer (HTVM-style, and any layer that runs as one step): per step, copy its input
//     tile in and wait (when it changes), run the job to completion, copy the output out and wait.
// Resident operands (kept in L1 across layers) have no copy; the job reads the producer's buffer.
// What is particular to an accelerator kind (its HAL job and config initialisers, its weight arrays
// in the kind's stream format, the hoisted weight load, its fields of the platform table) is
// printed by the accelerator's backend (backends/backend.h); this file prints the rest.
#include <fmt/format.h>

#include <algorithm>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

std::string streamSymbol(const EmitContext& ctx, size_t i) {
  return ctx.layerSymbol(i) + "_stream";
}

std::string xferInit(const Xfer& x, int64_t bufOffset) {
  return fmt::format("{{{}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u}}", bufOffset + x.l1Offset,
                     x.l2Offset, x.count, x.rows, x.rowBytes, x.l1RowStride, x.l1BlockStride,
                     x.l2RowStride, x.l2BlockStride);
}

// A constant: one initializer, or a table of them.
void emitTable(CWriter& w, const std::string& type, const std::string& name,
               const std::vector<std::string>& inits) {
  if (inits.size() == 1) {
    w.line("static const {} {} = {};", type, name, inits[0]);
    return;
  }
  w.line("static const {} {}[{}] = {{", type, name, inits.size());
  for (const std::string& s : inits) w.line("  {},", s);
  w.line("};");
}

struct LayerEmitter {
  CWriter& w;
  const EmitContext& ctx;
  size_t i;
  const Node& n;
  const L1LayerPlan& lp;
  const LayerSchedule& s;
  std::string sym;
  int accel;
  std::vector<std::string> operands;  // parameter names of the activation inputs: a, b

  bool many() const { return s.steps.size() > 1; }
  std::string at(const std::string& table, const std::string& index) const {
    return many() ? fmt::format("&{}[{}]", table, index) : "&" + table;
  }
  std::string inTable(size_t k) const { return sym + "_in_" + operands[k]; }
  int64_t inOffset(size_t k, const TileStep& st) const {
    const std::vector<int64_t>& offs = lp.inputOffsets[k];
    return s.inResident[k]
               ? offs[0]
               : offs[static_cast<size_t>(s.inTiles[static_cast<size_t>(st.inTile)].buf)];
  }
  int64_t outOffset(const TileStep& st) const {
    return s.outResident ? lp.outputOffsets[0] : lp.outputOffsets[static_cast<size_t>(st.outBuf)];
  }

  const AccelBackend& backend() const {
    return *ctx.opts.accels.at(static_cast<size_t>(accel)).backend;
  }
  // The HAL job of the node's op on this accelerator: its config struct and its entry point.
  HalJob halJob() const {
    std::optional<HalJob> j = backend().halJob(n.op);
    HTVM_CHECK(j.has_value()) << nodeRef(n) << ": placed on an accelerator, but no HAL job runs "
                              << opName(n.op);
    return *j;
  }
  const char* cfgType() const { return halJob().cfgType; }
  const char* jobFn() const { return halJob().fn; }

  std::string cfgInit(const TileStep& st) const {
    JobText t{ctx.g, n, st.job, {inOffset(0, st), operands.size() > 1 ? inOffset(1, st) : 0},
              outOffset(st), streamSymbol(ctx, i), sym};
    return backend().jobInit(t);
  }

  void emitWeights() { backend().emitWeights(w, ctx.g, n, s, streamSymbol(ctx, i), sym); }

  void emitTables() {
    std::vector<std::string> cfgs, outs;
    for (const TileStep& st : s.steps) {
      cfgs.push_back(cfgInit(st));
      outs.push_back(xferInit(st.out, outOffset(st)));
    }
    emitTable(w, cfgType(), sym + "_cfg", cfgs);
    for (size_t k = 0; k < operands.size(); ++k) {
      if (s.inResident[k]) continue;
      std::vector<std::string> ins;
      for (const InputTile& t : s.inTiles)
        ins.push_back(xferInit(t.operands[k], lp.inputOffsets[k][static_cast<size_t>(t.buf)]));
      if (many()) {
        w.line("static const htvm_xfer {}[{}] = {{", inTable(k), ins.size());
        for (const std::string& x : ins) w.line("  {},", x);
        w.line("};");
      } else {
        emitTable(w, "htvm_xfer", inTable(k), ins);
      }
    }
    if (s.outResident) w.directive("#if HTVM_TRACE_RECORDS");  // only a trace build copies it out
    emitTable(w, "htvm_xfer", sym + "_out", outs);
    if (s.outResident) w.directive("#endif");
    if (!many()) return;
    std::vector<std::string> when;
    bool any = false;
    for (const TileStep& st : s.steps) {
      int32_t v = s.scheme == BufferScheme::Double ? st.prefetch : st.load;
      any = any || v >= 0;
      when.push_back(std::to_string(v));
    }
    if (any) {
      w.line("static const int32_t {}_{}[{}] = {{{}}};", sym,
             s.scheme == BufferScheme::Double ? "pre" : "load", when.size(),
             fmt::format("{}", fmt::join(when, ", ")));
    }
  }

  void copyIn(const std::string& tile, bool wait) {
    for (size_t k = 0; k < operands.size(); ++k)
      if (!s.inResident[k])
        w.line("HTVM_TRY_HAL(htvm_xfer_to_l1(&in_{}, {}u, {}, {}));", operands[k], accel,
               operands[k], many() ? fmt::format("&{}[{}]", inTable(k), tile) : "&" + inTable(k));
    if (wait) waitIn();
  }
  void waitIn() {
    for (size_t k = 0; k < operands.size(); ++k)
      if (!s.inResident[k]) w.line("HTVM_TRY_HAL(htvm_dma_wait(&in_{}));", operands[k]);
  }
  void copyOut(const std::string& step, bool wait) {
    w.line("HTVM_TRY_HAL(htvm_xfer_to_l2(&out, {}u, y, {}));", accel, at(sym + "_out", step));
    if (wait) w.line("HTVM_TRY_HAL(htvm_dma_wait(&out));");
  }
  void loadWeights() {
    w.line("HTVM_TRY_HAL({});", backend().preloadCall(ctx.g, n, accel, streamSymbol(ctx, i)));
  }

  void emitBody() {
    bool dbl = s.scheme == BufferScheme::Double;
    for (size_t k = 0; k < operands.size(); ++k) {
      if (s.inResident[k])
        w.line("(void){}; /* resident in L1 */", operands[k]);
      else
        w.line("htvm_dma_t in_{};", operands[k]);
    }
    if (!s.outResident) w.line("htvm_dma_t out;");
    if (many()) w.line("uint32_t t;");
    bool hasWhen = false;
    for (const TileStep& st : s.steps) hasWhen = hasWhen || (dbl ? st.prefetch : st.load) >= 0;
    std::string nt = std::to_string(s.steps.size());
    if (!many()) {
      // One step: both schemes are copy in, job, copy out; double-buffered overlaps the analog
      // load.
      if (dbl) copyIn("0", false);
      if (s.preload) loadWeights();
      if (dbl)
        waitIn();
      else
        copyIn("0", true);
      w.line("HTVM_TRY_HAL({}({}u, &{}_cfg));", jobFn(), accel, sym);
      if (!s.outResident) copyOut("0", true);
    } else if (dbl) {
      HTVM_CHECK(!s.outResident) << nodeRef(n) << ": tiled layer with a resident output";
      copyIn(std::to_string(s.steps[0].inTile), false);
      if (s.preload) loadWeights();
      waitIn();
      {
        auto loop = w.block(fmt::format("for (t = 0; t < {}u; ++t)", nt));
        if (hasWhen) {
          w.line("const int32_t pre = {}_pre[t];", sym);
          auto b = w.block("if (pre >= 0)");
          copyIn("pre", false);
        }
        {
          auto b = w.block("if (t > 0)");
          copyOut("t - 1", false);
        }
        w.line("HTVM_TRY_HAL({}_start({}u, &{}_cfg[t]));", jobFn(), accel, sym);
        w.line("HTVM_TRY_HAL(htvm_accel_wait({}u));", accel);
        if (hasWhen) {
          auto b = w.block("if (pre >= 0)");
          waitIn();
        }
        auto b = w.block("if (t > 0)");
        w.line("HTVM_TRY_HAL(htvm_dma_wait(&out));");
      }
      copyOut(nt + " - 1", true);
    } else {
      HTVM_CHECK(!s.outResident) << nodeRef(n) << ": tiled layer with a resident output";
      if (s.preload) loadWeights();
      auto loop = w.block(fmt::format("for (t = 0; t < {}u; ++t)", nt));
      if (hasWhen) {
        w.line("const int32_t load = {}_load[t];", sym);
        auto b = w.block("if (load >= 0)");
        copyIn("load", true);
      }
      w.line("HTVM_TRY_HAL({}({}u, &{}_cfg[t]));", jobFn(), accel, sym);
      copyOut("t", true);
    }
    if (s.outResident) {
      // The output stays in L1 for its consumers; a trace build still copies it to L2 for its
      // records (htvm_model.h defines HTVM_TRACE_RECORDS).
      w.directive("#if HTVM_TRACE_RECORDS");
      {
        auto b = w.block("");
        w.line("htvm_dma_t out;");
        copyOut("0", true);
      }
      w.directive("#else");
      w.line("(void)y;");
      w.directive("#endif");
    }
    w.line("return 0;");
  }
};

std::string bufferSummary(const LayerEmitter& e) {
  std::string r;
  for (size_t k = 0; k < e.operands.size(); ++k) {
    std::string offs;
    for (int64_t o : e.lp.inputOffsets[k]) offs += (offs.empty() ? "" : ",") + std::to_string(o);
    r += fmt::format(" {}@{}{}", e.operands[k], offs, e.s.inResident[k] ? " (resident)" : "");
  }
  std::string offs;
  for (int64_t o : e.lp.outputOffsets) offs += (offs.empty() ? "" : ",") + std::to_string(o);
  return r + fmt::format(" y@{}{}", offs, e.s.outResident ? " (resident)" : "");
}

std::string tilingSummary(const LayerSchedule& s) {
  std::string dims;
  auto add = [&](const char* name, int64_t size, int64_t count) {
    if (size > 0)
      dims += fmt::format("{}{}{}{}", dims.empty() ? "" : " x ", name, size,
                          count > 1 ? fmt::format("/{}", count) : "");
  };
  add("K", s.tileK, s.numK);
  add("H", s.tileH, s.numH);
  add("W", s.tileW, s.numW);
  add("B", s.tileBytes, 1);
  return fmt::format("{} tile{} ({}), {}", s.steps.size(), s.steps.size() == 1 ? "" : "s", dims,
                     s.scheme == BufferScheme::Double ? "double-buffered" : "single buffer");
}

void emitLayer(CWriter& w, const EmitContext& ctx, size_t i) {
  const Node& n = ctx.g.nodes[i];
  const L1LayerPlan& lp = ctx.opts.l1->layers[i];
  const AcceleratorDesc& acc = ctx.opts.accels.at(static_cast<size_t>(n.accel));
  LayerEmitter e{w, ctx, i, n, lp, lp.schedule, ctx.layerSymbol(i), n.accel, {}};
  for (size_t k = 0; k < lp.inputOffsets.size(); ++k)
    e.operands.push_back(std::string(1, static_cast<char>('a' + k)));
  const ScheduleCost& c = lp.schedule.cost;
  w.comment(fmt::format(
      "node '{}' ({}) -> accelerator '{}': {}\n"
      "L1:{}; {} of {} B\n"
      "modeled {} cycles: compute {}, weights {}, exposed DMA {}, job setup {}",
      commentText(n.name), ctx.describe(n), acc.name, tilingSummary(lp.schedule), bufferSummary(e),
      lp.used, acc.l1.activationBytes.value, c.elapsed, c.compute, c.weights, c.exposedDma(), c.setup));
  e.emitWeights();
  e.emitTables();
  auto fn = w.block(fmt::format("int {}({})", ctx.layerSymbol(i), accelLayerParams(ctx, i)));
  e.emitBody();
}

// HAL headers of kinds that do not declare their jobs in htvm_hal.h, each once.
std::vector<std::string> kindHalHeaders(const EmitContext& ctx) {
  std::vector<std::string> out;
  for (const AcceleratorDesc& a : ctx.opts.accels)
    if (a.backend->halHeader != nullptr &&
        std::find(out.begin(), out.end(), a.backend->halHeader) == out.end())
      out.push_back(a.backend->halHeader);
  return out;
}

}  // namespace

int64_t simMemoryBytes(const EmitContext& ctx) {
  int64_t pool = 0;
  for (const AcceleratorDesc& a : ctx.opts.accels)
    pool += a.l1.activationBytes.value + a.backend->extraSimBytes(a);
  return std::max<int64_t>(pool, 4);
}

std::string accelLayerParams(const EmitContext& ctx, size_t i) {
  std::string params;
  char name = 'a';
  for (size_t k = 0; k < ctx.opts.l1->layers[i].inputs.size(); ++k)
    params += fmt::format("const int8_t* {}, ", name++);
  return params + "int8_t* y";
}

std::string emitAccelLayersHeader(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("accel_layers.h"));
  w.directive("#ifndef HTVM_ACCEL_LAYERS_H");
  w.directive("#define HTVM_ACCEL_LAYERS_H");
  w.directive("#include <stdint.h>");
  w.blank();
  w.comment("Each returns 0, or the HAL's error code.");
  for (size_t i = 0; i < ctx.g.nodes.size(); ++i)
    if (ctx.g.nodes[i].accel >= 0)
      w.line("int {}({});", ctx.layerSymbol(i), accelLayerParams(ctx, i));
  w.blank();
  w.directive("#endif");
  return w.str();
}

std::string emitAccelLayers(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("accel_layers.c"));
  w.directive("#include <stdint.h>");
  w.blank();
  w.directive("#include \"accel_layers.h\"");
  w.directive("#include \"htvm_hal.h\"");
  for (const std::string& h : kindHalHeaders(ctx)) w.directive("#include \"" + h + "\"");
  w.directive("#include \"htvm_model.h\"");
  w.blank();
  w.directive(
      "#define HTVM_TRY_HAL(call) do { int rc_ = (call); if (rc_ != HTVM_OK) return rc_; } while "
      "(0)");
  w.blank();
  w.comment(
      "One copy of a layer schedule: count blocks of rows rows of row_bytes bytes (count*rows 1-D\n"
      "DMA calls), at an absolute L1 offset and an offset into the L2 tensor.");
  w.line("typedef struct {");
  w.line("  uint32_t l1_off, l2_off, count, rows, row_bytes;");
  w.line("  uint32_t l1_row_stride, l1_block_stride, l2_row_stride, l2_block_stride;");
  w.line("} htvm_xfer;");
  w.blank();
  {
    auto f = w.block(
        "static inline int htvm_xfer_to_l1(htvm_dma_t* h, uint32_t accel, const int8_t* l2, const "
        "htvm_xfer* x)");
    w.line(
        "return htvm_dma_to_l1_3d(h, accel, x->l1_off, l2 + x->l2_off, x->count, x->rows, "
        "x->row_bytes,");
    w.line(
        "                         x->l1_row_stride, x->l1_block_stride, x->l2_row_stride, "
        "x->l2_block_stride);");
  }
  w.blank();
  {
    auto f = w.block(
        "static inline int htvm_xfer_to_l2(htvm_dma_t* h, uint32_t accel, int8_t* l2, const "
        "htvm_xfer* x)");
    w.line(
        "return htvm_dma_to_l2_3d(h, accel, l2 + x->l2_off, x->l1_off, x->count, x->rows, "
        "x->row_bytes,");
    w.line(
        "                         x->l2_row_stride, x->l2_block_stride, x->l1_row_stride, "
        "x->l1_block_stride);");
  }
  w.blank();
  for (size_t i = 0; i < ctx.g.nodes.size(); ++i)
    if (ctx.g.nodes[i].accel >= 0) {
      emitLayer(w, ctx, i);
      w.blank();
    }
  return w.str();
}

std::string emitPlatformHeader(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("htvm_platform.h"));
  w.directive("#ifndef HTVM_PLATFORM_H");
  w.directive("#define HTVM_PLATFORM_H");
  w.comment(
      "Bytes of all simulated accelerator memories: each activation L1, then for analog cores\n"
      "the array (rows x cols ternary values).");
  w.directive(fmt::format("#define HTVM_L1_POOL_BYTES {}u", simMemoryBytes(ctx)));
  w.directive(fmt::format("#define HTVM_NUM_ACCELS {}u", ctx.opts.accels.size()));
  w.directive("#endif");
  return w.str();
}

std::string emitPlatformSource(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("platform.c"));
  w.directive("#include \"htvm_hal.h\"");
  w.blank();
  w.comment(
      "Accelerators of the platform, in platform-file order (Node::accel indexes this table).\n"
      "Fields as in htvm_accel_desc.");
  if (ctx.opts.accels.empty()) {
    w.line("const htvm_accel_desc htvm_accels[1] = {{0}};");
  } else {
    w.line("const htvm_accel_desc htvm_accels[{}] = {{", ctx.opts.accels.size());
    for (const AcceleratorDesc& a : ctx.opts.accels) {
      std::string kindFields;
      for (int64_t v : a.backend->halParams(a)) kindFields += fmt::format(", {}u", v);
      w.line("  {{{}, {}, {}u, {}u, {}u, {}u, {}u, {}u{}}},", cStringLiteral(a.name),
             a.backend->halKind, a.l1.activationBytes.value, a.l1.weightBytes.value,
             a.dma.setupCycles.value, a.dma.bytesPerCycle.value, a.dma.granuleBytes.value,
             a.jobSetupCycles.value, kindFields);
    }
    w.line("};");
  }
  w.line("const uint32_t htvm_num_accels = {}u;", ctx.opts.accels.size());
  return w.str();
}

}  // namespace htvm
