// report.json: what was generated, for humans and for `htvm report`: per layer its node, source
// and IR op, output type, MACs (conv2d/dense) and storage; the memory totals (arena, liveness lower
// bound, flash for weights). Keys keep insertion order so the file is stable and diff-friendly.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "codegen/c/emit_context.h"
#include "ir/op_registry.h"

namespace htvm {

std::string emitReport(const EmitContext& ctx) {
  using Json = nlohmann::ordered_json;
  const Graph& g = ctx.g;
  const ArenaPlan& plan = ctx.plan;

  Json layers = Json::array();
  int64_t totalMacs = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    TensorId out = n.outputs[0];
    const TensorType& t = g.type(out);
    Json l;
    l["index"] = i;
    l["name"] = n.name;
    l["source_op"] = n.sourceOp;
    l["op"] = opName(n.op);
    if (ctx.isAliasedReshape(n) || n.fusedInto >= 0)
      l["function"] = nullptr;  // no code: the output aliases the input, or a chain computes it
    else
      l["function"] = ctx.layerSymbol(i);
    l["output"] = {{"name", g.tensor(out).name}, {"dtype", dtypeName(t.dtype)}, {"shape", t.shape}};
    if (ctx.macs(n) > 0) {
      l["macs"] = ctx.macs(n);
      totalMacs += ctx.macs(n);
    }
    if (n.fusedInto >= 0) {
      l["storage"] = "fused";  // a value inside the loop of the chain that produces fused_into
      l["fused_into"] = g.tensor(n.fusedInto).name;
    } else if (ctx.inArena(out)) {
      l["storage"] = ctx.isAliasedReshape(n) ? "arena (aliases input)" : "arena";
      l["arena_offset"] = plan.offset[static_cast<size_t>(out)];
      l["arena_bytes"] = plan.bytes[static_cast<size_t>(out)];
    } else {
      l["storage"] = "output";
      l["bytes"] = t.bytes();
    }
    if (n.accel >= 0 && ctx.opts.l1 != nullptr) {
      const L1LayerPlan& lp = ctx.opts.l1->layers[i];
      // "bytes": the layer's own footprint (every buffer of every operand, ping-pong halves
      // included); "top": the highest byte in use during the layer, resident slots of other
      // tensors included.
      Json bufs = Json::array();
      int64_t footprint = 0;
      auto add = [&](const L1Buffer& b, size_t count) {
        count = std::max<size_t>(count, 1);
        bufs.push_back({{"tensor", g.tensor(b.tensor).name}, {"offset", b.offset}, {"bytes", b.bytes}, {"count", count}});
        footprint += b.bytes * static_cast<int64_t>(count);
      };
      for (size_t k = 0; k < lp.inputs.size(); ++k)
        add(lp.inputs[k], k < lp.inputOffsets.size() ? lp.inputOffsets[k].size() : 1);
      add(lp.output, lp.outputOffsets.size());
      l["l1"] = {{"bytes", footprint}, {"top", lp.used}, {"buffers", bufs}};
    }
    if (i < ctx.opts.nodeReport.size())
      for (auto& [k, v] : ctx.opts.nodeReport[i].items()) l[k] = v;
    layers.push_back(std::move(l));
  }

  int64_t weightBytes = 0;
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (ctx.usedConstant[t]) weightBytes += g.tensors[t].type.bytes();
  // Accelerator layers keep their weights as streams in the accelerator's format (also flash), as
  // the L1 plan sized them.
  int64_t streamBytes = 0;
  for (size_t i = 0; i < g.nodes.size() && ctx.opts.l1 != nullptr; ++i) {
    const Node& n = g.nodes[i];
    if (n.accel < 0) continue;
    streamBytes += ctx.opts.l1->layers[i].weightBytes;
  }

  Json r;
  r["model"] = ctx.opts.modelName;
  r["source"] = ctx.opts.sourceFile;
  r["platform"] = ctx.opts.platform;
  r["input"] = {
      {"name", g.tensor(g.inputs[0]).name}, {"dtype", "f32"}, {"shape", g.type(g.inputs[0]).shape}};
  r["output"] = {{"name", g.tensor(g.outputs[0]).name},
                 {"dtype", "f32"},
                 {"shape", g.type(g.outputs[0]).shape}};
  r["layers"] = std::move(layers);
  r["total_macs"] = totalMacs;
  r["memory"] = {{"arena_bytes", plan.size},
                 {"liveness_lower_bound", plan.lowerBound},
                 {"arena_alignment", plan.alignment},
                 {"weights_bytes", weightBytes},
                 {"accelerator_weights_bytes", streamBytes}};
  for (auto& [k, v] : ctx.opts.reportExtra.items()) r[k] = v;
  // Names come from the model file and need not be UTF-8: invalid bytes become U+FFFD rather than
  // aborting the dump.
  return r.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace htvm
