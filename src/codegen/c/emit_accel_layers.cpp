// accel_layers.c/.h and the platform description (htvm_platform.h, platform.c) of the generated
// project. Each accelerator layer becomes one function that moves its operands into the L1
// buffers the L1 plan chose, runs one HAL job and moves the result back; its weights are emitted
// next to it in the accelerator's stream format (accel_streams.h). Layers run whole (untiled).
#include <fmt/format.h>

#include "codegen/c/accel_streams.h"
#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

void emitBytes(CWriter& w, const std::string& decl, const std::vector<int8_t>& bytes) {
  w.line("{} = {{", decl);
  for (size_t i = 0; i < bytes.size(); i += 24) {
    std::string row;
    for (size_t j = i; j < std::min(bytes.size(), i + 24); ++j) row += fmt::format("{},", bytes[j]);
    w.line("  {}", row);
  }
  w.line("};");
}

std::string streamSymbol(const EmitContext& ctx, size_t i) { return ctx.layerSymbol(i) + "_stream"; }

struct Geometry {
  int64_t c, k, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr;
};

Geometry convGeometry(const Graph& g, const Node& n) {
  const Shape& x = g.type(n.inputs[0]).shape;
  const Shape& y = g.type(n.outputs[0]).shape;
  const Shape& w = g.type(n.inputs[1]).shape;
  const Ints& s = n.attrInts("strides");
  const Ints& p = n.attrInts("pads");
  return {x[1], y[1], x[2], x[3], y[2], y[3], w[2], w[3], s[0], s[1], p[0], p[1], p[2], p[3]};
}

void emitDma(CWriter& w, const L1Buffer& b, const std::string& l2, bool toL1, int64_t bytes, int accel) {
  if (toL1)
    w.line("HTVM_TRY_HAL(htvm_dma_to_l1(&dma, {}u, {}u, {}, {}u));", accel, b.offset, l2, bytes);
  else
    w.line("HTVM_TRY_HAL(htvm_dma_to_l2(&dma, {}u, {}, {}u, {}u));", accel, l2, b.offset, bytes);
  w.line("HTVM_TRY_HAL(htvm_dma_wait(&dma));");
}

void emitLayer(CWriter& w, const EmitContext& ctx, size_t i) {
  const Graph& g = ctx.g;
  const Node& n = g.nodes[i];
  const L1LayerPlan& lp = ctx.opts.l1->layers[i];
  const AccelTarget& acc = ctx.opts.accels.at(static_cast<size_t>(n.accel));
  std::string where;
  for (const L1Buffer& b : lp.inputs) where += fmt::format(" in@{}", b.offset);
  where += fmt::format(" out@{}; {} of {} B", lp.output.offset, lp.used, acc.actL1Bytes);
  w.comment(fmt::format("node '{}' ({}) -> accelerator '{}', whole layer in L1:{}", commentText(n.name),
                        ctx.describe(n), acc.name, where));
  int relu = n.op != OpKind::AnalogConv2D && n.attrInt("lo") == 0 ? 1 : 0;
  std::string stream = streamSymbol(ctx, i);
  if (n.op == OpKind::QConv2D) {
    emitBytes(w, fmt::format("static const int8_t {}[{}]", stream, digitalConvStream(g, n).size()),
              digitalConvStream(g, n));
    Geometry q = convGeometry(g, n);
    w.line(
        "static const htvm_digital_conv_cfg {}_cfg = {{{}u, {}u, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
        "{}, {}, {}, {}, {}, {}, {}}};",
        ctx.layerSymbol(i), lp.inputs[0].offset, lp.output.offset, stream, q.c, q.k, q.ih, q.iw, q.oh, q.ow, q.kh,
        q.kw, q.sh, q.sw, q.pt, q.pl, q.pb, q.pr, n.attrInt("group") != 1 ? 1 : 0, n.attrInt("shift"), relu);
  } else if (n.op == OpKind::QDense) {
    std::vector<int8_t> s = digitalDenseStream(g, n);
    emitBytes(w, fmt::format("static const int8_t {}[{}]", stream, s.size()), s);
    w.line("static const htvm_digital_dense_cfg {}_cfg = {{{}u, {}u, {}, {}, {}, {}, {}}};", ctx.layerSymbol(i),
           lp.inputs[0].offset, lp.output.offset, stream, g.type(n.inputs[0]).shape[1],
           g.type(n.outputs[0]).shape[1], n.attrInt("shift"), relu);
  } else if (n.op == OpKind::QAdd) {
    w.line("static const htvm_digital_add_cfg {}_cfg = {{{}u, {}u, {}u, {}u, {}, {}}};", ctx.layerSymbol(i),
           lp.inputs[0].offset, lp.inputs[1].offset, lp.output.offset, g.type(n.outputs[0]).bytes(),
           n.attrInt("shift"), relu);
  } else if (n.op == OpKind::AnalogConv2D) {
    std::vector<int8_t> a = analogArray(g, n);
    emitBytes(w, fmt::format("static const int8_t {}[{}]", stream, a.size()), a);
    Geometry q = convGeometry(g, n);
    for (int part = 0; part < 2; ++part) {
      const std::vector<double>& v = *g.tensor(n.inputs[2 + static_cast<size_t>(part)]).data;
      std::string vals;
      for (double d : v) vals += fmt::format("{},", static_cast<int64_t>(d));
      w.line("static const int16_t {}_{}[{}] = {{{}}};", ctx.layerSymbol(i), part ? "bn_l" : "bn_k", v.size(),
             vals);
    }
    w.line(
        "static const htvm_analog_conv_cfg {0}_cfg = {{{1}u, {2}u, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, "
        "{12}, {13}, {14}, {15}, {16}, {17}, {18}, {19}, {0}_bn_k, {0}_bn_l, {20}, {21}, {22}}};",
        ctx.layerSymbol(i), lp.inputs[0].offset, lp.output.offset, q.c, q.k, q.ih, q.iw, q.oh, q.ow, q.kh, q.kw, q.sh,
        q.sw, q.pt, q.pl, q.pb, q.pr, floatLiteral(static_cast<float>(n.attrFloat("gain"))), n.attrInt("adc_lo"),
        n.attrInt("adc_hi"), n.attrInt("shift"), n.attrInt("lo"), n.attrInt("hi"));
  }
  std::string params;
  char name = 'a';
  for (size_t k = 0; k < lp.inputs.size(); ++k) params += fmt::format("const int8_t* {}, ", name++);
  auto fn = w.block(fmt::format("int {}({}int8_t* y)", ctx.layerSymbol(i), params));
  w.line("htvm_dma_t dma;");
  name = 'a';
  for (const L1Buffer& b : lp.inputs) emitDma(w, b, std::string(1, name++), true, g.type(b.tensor).bytes(), n.accel);
  switch (n.op) {
    case OpKind::QConv2D: w.line("HTVM_TRY_HAL(htvm_digital_conv({}u, &{}_cfg));", n.accel, ctx.layerSymbol(i)); break;
    case OpKind::QDense: w.line("HTVM_TRY_HAL(htvm_digital_dense({}u, &{}_cfg));", n.accel, ctx.layerSymbol(i)); break;
    case OpKind::QAdd: w.line("HTVM_TRY_HAL(htvm_digital_add({}u, &{}_cfg));", n.accel, ctx.layerSymbol(i)); break;
    case OpKind::AnalogConv2D: {
      const Shape& ws = g.type(n.inputs[1]).shape;
      w.line("HTVM_TRY_HAL(htvm_analog_load_weights({}u, {}, {}, {}));", n.accel, stream, ws[1] * ws[2] * ws[3],
             ws[0]);
      w.line("HTVM_TRY_HAL(htvm_analog_conv({}u, &{}_cfg));", n.accel, ctx.layerSymbol(i));
      break;
    }
    default: HTVM_CHECK(false) << nodeRef(n) << ": op " << opName(n.op) << " has no accelerator emitter";
  }
  emitDma(w, lp.output, "y", false, g.type(n.outputs[0]).bytes(), n.accel);
  w.line("return 0;");
}

}  // namespace

std::string accelLayerParams(const EmitContext& ctx, size_t i) {
  std::string params;
  char name = 'a';
  for (size_t k = 0; k < ctx.opts.l1->layers[i].inputs.size(); ++k) params += fmt::format("const int8_t* {}, ", name++);
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
    if (ctx.g.nodes[i].accel >= 0) w.line("int {}({});", ctx.layerSymbol(i), accelLayerParams(ctx, i));
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
  w.blank();
  w.directive("#define HTVM_TRY_HAL(call) do { int rc_ = (call); if (rc_ != HTVM_OK) return rc_; } while (0)");
  w.blank();
  for (size_t i = 0; i < ctx.g.nodes.size(); ++i)
    if (ctx.g.nodes[i].accel >= 0) {
      emitLayer(w, ctx, i);
      w.blank();
    }
  return w.str();
}

std::string emitPlatformHeader(const EmitContext& ctx) {
  int64_t pool = 0;
  for (const AccelTarget& a : ctx.opts.accels)
    pool += a.actL1Bytes + (a.kind == AccelTarget::Kind::Analog ? a.arrayRows * a.arrayCols : 0);
  CWriter w;
  w.comment(ctx.banner("htvm_platform.h"));
  w.directive("#ifndef HTVM_PLATFORM_H");
  w.directive("#define HTVM_PLATFORM_H");
  w.comment(
      "Bytes of all simulated accelerator memories: each activation L1, then for analog cores\n"
      "the array (rows x cols ternary values).");
  w.directive(fmt::format("#define HTVM_L1_POOL_BYTES {}u", std::max<int64_t>(pool, 4)));
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
    for (const AccelTarget& a : ctx.opts.accels)
      w.line(
          "  {{{}, {}, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u, {}u}},",
          cStringLiteral(a.name), a.kind == AccelTarget::Kind::Digital ? "HTVM_KIND_DIGITAL" : "HTVM_KIND_ANALOG",
          a.actL1Bytes, a.weightL1Bytes, a.dmaSetupCycles, a.dmaBytesPerCycle, a.dmaGranuleBytes, a.jobSetupCycles,
          a.peK, a.peOx, a.blockCycles, a.fifoCycles, a.weightFillBytesPerCycle, a.arrayRows, a.arrayCols,
          a.mvmCycles, a.simdLanes, a.simdStages, a.actLineBytes);
    w.line("};");
  }
  w.line("const uint32_t htvm_num_accels = {}u;", ctx.opts.accels.size());
  return w.str();
}

}  // namespace htvm
