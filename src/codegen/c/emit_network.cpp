// The model API header and network.c: the static arena, one offset per arena tensor (from the
// ArenaPlan, nothing recomputed here) and htvm_model_run() calling the layers in graph order, with
// an optional per-layer trace hook.
#include <fmt/format.h>

#include <algorithm>

#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"

namespace htvm {
namespace {

// Arena base alignment: at least 16 so any element type and plan alignment up to 16 holds.
int64_t arenaAlignment(const ArenaPlan& plan) { return std::max<int64_t>(16, plan.alignment); }

// C expression for the storage of tensor t inside htvm_model_run().
std::string tensorExpr(const EmitContext& ctx, TensorId t) {
  const Graph& g = ctx.g;
  if (g.tensor(t).isConstant()) return ctx.constSymbol(t);
  if (t == g.inputs[0]) return "input";
  if (t == g.outputs[0]) return "output";
  return fmt::format("({}*)(htvm_arena + {})", cType(g.type(t).dtype), ctx.offsetMacro(t));
}

}  // namespace

std::string emitModelHeader(const EmitContext& ctx) {
  const Graph& g = ctx.g;
  CWriter w;
  w.comment(ctx.banner("htvm_model.h"));
  w.comment(fmt::format("model '{}': input {}, output {}", ctx.opts.modelName,
                        g.type(g.inputs[0]).str(), g.type(g.outputs[0]).str()));
  w.directive("#ifndef HTVM_MODEL_H");
  w.directive("#define HTVM_MODEL_H");
  w.blank();
  w.directive(fmt::format("#define HTVM_INPUT_ELEMS {}", g.type(g.inputs[0]).elements()));
  w.directive(fmt::format("#define HTVM_OUTPUT_ELEMS {}", g.type(g.outputs[0]).elements()));
  w.directive(fmt::format("#define HTVM_ARENA_BYTES {}", ctx.plan.size));
  w.directive(fmt::format("#define HTVM_NUM_LAYERS {}", g.nodes.size()));
  w.blank();
  w.directive("#ifdef __cplusplus");
  w.line("extern \"C\" {");
  w.directive("#endif");
  w.blank();
  w.comment(
      "Runs the model on one sample: reads HTVM_INPUT_ELEMS floats from input, writes\n"
      "HTVM_OUTPUT_ELEMS floats to output (the buffers must not overlap). Returns 0.\n"
      "Not reentrant: activations live in one static arena.");
  w.line("int htvm_model_run(const float* input, float* output);");
  w.blank();
  w.directive("#ifdef HTVM_TRACE");
  w.comment(
      "Implemented by the application: called after every layer with its output tensor\n"
      "(bytes in the tensor's C element type).");
  w.line(
      "void htvm_trace_tensor(int node_index, const char* node_name, const void* data, unsigned "
      "bytes);");
  w.directive("#endif");
  w.comment(
      "Whether the hook reads the tensors: trace builds (make trace passes\n"
      "HTVM_TRACE_RECORDS=1) do, so layers whose output stays in accelerator L1 also copy it\n"
      "to L2; individual profile builds define HTVM_TRACE only to mark layer boundaries and\n"
      "must not pay for those copies.");
  w.directive("#ifndef HTVM_TRACE_RECORDS");
  w.directive("#if defined(HTVM_TRACE) && !HTVM_PROFILE");
  w.directive("#define HTVM_TRACE_RECORDS 1");
  w.directive("#else");
  w.directive("#define HTVM_TRACE_RECORDS 0");
  w.directive("#endif");
  w.directive("#endif");
  w.blank();
  w.directive("#ifdef __cplusplus");
  w.line("}");
  w.directive("#endif");
  w.blank();
  w.directive("#endif /* HTVM_MODEL_H */");
  return w.str();
}

std::string emitNetwork(const EmitContext& ctx) {
  const Graph& g = ctx.g;
  const ArenaPlan& plan = ctx.plan;
  std::vector<LiveRange> live = liveRanges(g);
  CWriter w;
  w.comment(ctx.banner("network.c"));
  w.directive("#include <stdint.h>");
  w.blank();
  w.directive("#include \"htvm_model.h\"");
  w.directive("#include \"cpu_layers.h\"");
  w.directive("#include \"weights.h\"");
  w.directive("#include \"htvm_profile.h\"");
  if (ctx.hasAccel) {
    w.directive("#include \"accel_layers.h\"");
    w.directive("#include \"htvm_hal.h\"");
  }
  w.blank();

  bool anyArena = plan.size > 0;
  if (anyArena) {
    w.comment(fmt::format(
        "Activation arena: {} bytes (liveness lower bound {} bytes). Offsets come from\n"
        "the static memory plan; tensors with disjoint live ranges share bytes.",
        plan.size, plan.lowerBound));
    w.line("static _Alignas({}) uint8_t htvm_arena[HTVM_ARENA_BYTES];", arenaAlignment(plan));
    w.blank();
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      if (plan.offset[t] < 0) continue;
      TensorId id = static_cast<TensorId>(t);
      w.directive(fmt::format("#define {} {} /* '{}' {}, {} bytes, live nodes {}..{} */",
                              ctx.offsetMacro(id), plan.offset[t], commentText(g.tensors[t].name),
                              g.tensors[t].type.str(), plan.bytes[t], live[t].first, live[t].last));
    }
    w.blank();
  }

  bool inputRead = false;
  for (const Node& n : g.nodes)
    for (TensorId t : n.inputs) inputRead |= t == g.inputs[0];

  {
    auto fn = w.block("int htvm_model_run(const float* input, float* output)");
    if (!inputRead) w.line("(void)input;");
    if (anyArena) {
      w.comment(
          "Checking builds (htvm verify): garbage in every arena byte before each inference, so a\n"
          "result that reads bytes no layer wrote (padding included) cannot match the reference.");
      w.directive("#ifdef HTVM_POISON_ARENA");
      w.line("for (uint32_t i = 0; i < HTVM_ARENA_BYTES; ++i) htvm_arena[i] = (uint8_t)(0xA5u + 0x3Bu * i);");
      w.directive("#endif");
    }
    if (ctx.hasAccel) {
      w.line("static int hal_ready = 0;");
      w.line("int rc = 0;");
      auto init = w.block("if (!hal_ready)");
      w.line("rc = htvm_hal_init();");
      w.line("if (rc != 0) return rc;");
      w.line("hal_ready = 1;");
    }
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& n = g.nodes[i];
      TensorId out = n.outputs[0];
      if (n.fusedInto >= 0) continue;  // computed inside its chain's loop, at the chain's root
      w.comment(fmt::format("node {} '{}' ({})", i, n.name, ctx.describe(n)));
      w.line("HTVM_PROFILE_BEGIN({});", i);
      if (ctx.isAliasedReshape(n)) {
        w.comment("reshape aliases its input in the arena: no data movement");
      } else if (n.accel >= 0) {
        std::string args;
        for (TensorId t : n.inputs)
          if (t >= 0 && !g.tensor(t).isConstant()) args += tensorExpr(ctx, t) + ", ";
        args += tensorExpr(ctx, out);
        w.line("rc = {}({});", ctx.layerSymbol(i), args);
        w.line("if (rc != 0) return rc;");
      } else if (n.fusedRoot) {
        std::string args;
        for (TensorId t : chainLeaves(ctx, i)) args += tensorExpr(ctx, t) + ", ";
        args += tensorExpr(ctx, out);
        w.line("{}({});", ctx.layerSymbol(i), args);
      } else {
        std::string args;
        for (TensorId t : n.inputs)
          if (t >= 0) args += tensorExpr(ctx, t) + ", ";
        args += tensorExpr(ctx, out);
        w.line("{}({});", ctx.layerSymbol(i), args);
      }
      w.line("HTVM_PROFILE_END({});", i);
      w.directive("#ifdef HTVM_TRACE");
      w.line("htvm_trace_tensor({}, {}, {}, {}u);", i, cStringLiteral(n.name), tensorExpr(ctx, out),
             g.type(out).bytes());
      w.directive("#endif");
    }
    w.line("return 0;");
  }
  return w.str();
}

}  // namespace htvm
