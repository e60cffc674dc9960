#include "driver/report_json.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "codegen/c/codegen.h"
#include "driver/version.h"
#include "platform/cost_model.h"

namespace htvm {
namespace {

using Json = nlohmann::json;
using Ordered = nlohmann::ordered_json;

// Peak MACs per cycle that utilization is measured against: the first MAC array's.
int64_t utilizationPeak(const Platform& p) {
  for (const AcceleratorDesc& a : p.accelerators)
    if (int64_t peak = a.backend->peakMacsPerCycle(a); peak > 0) return peak;
  return 256;
}

// Modeled cycles of node i (accelerator layers: the schedule replayed on the timeline; CPU
// layers: the CPU cost model, a chain's root for the whole chain, its members 0) and, for CPU
// nodes, the terms the cost model counts (scripts/calibrate_cpu.py fits the platform's
// cpu.cost.kernels to them).
Json modeledLayer(const CompiledModel& m, const std::vector<double>& cpuCycles, size_t i) {
  const Graph& g = m.graph;
  const Node& n = g.nodes[i];
  Json j;
  if (n.accel < 0) {
    j["cycles"] = static_cast<int64_t>(cpuCycles[i]);
    CpuCostTerms t = cpuCostTerms(g, n);
    j["cost_terms"] = {{"kind", t.kind}, {"calls", t.calls}, {"macs", t.macs},
                       {"block_loads", t.blockLoads}, {"outputs", t.outputs}, {"elements", t.elements}, {"rows", t.rows}, {"bytes", t.bytes}};
    return j;
  }
  const L1LayerPlan& lp = m.l1.layers[i];
  const LayerSchedule& s = lp.schedule;
  const ScheduleCost& c = s.cost;
  int64_t macs = nodeMacs(g, n);
  std::optional<TileLayer> l = tileLayerOf(g, n, m.platform.accelerators.at(static_cast<size_t>(n.accel)));
  j["cycles"] = c.elapsed;
  j["compute"] = c.compute;
  j["weights"] = c.weights;
  j["exposed_dma"] = c.exposedDma();
  j["overhead"] = c.setup;
  j["serial_cycles"] = c.serial();
  j["dma_calls"] = c.dmaCalls;
  j["jobs"] = c.jobs;
  j["utilization"] = c.elapsed > 0 ? static_cast<double>(macs) /
                                         (static_cast<double>(c.elapsed) * static_cast<double>(utilizationPeak(m.platform)))
                                   : 0.0;
  j["tiling"] = describeSchedule(*l, s);
  j["tiles"] = s.steps.size();
  j["l1_bytes"] = lp.used;
  Json res = Json::array();
  for (size_t k = 0; k < s.inResident.size(); ++k)
    if (s.inResident[k]) res.push_back(g.tensor(lp.inputs[k].tensor).name);
  j["resident_inputs"] = res;
  j["resident_output"] = s.outResident;
  if (i < m.tiling.size()) {
    j["tiler_candidates"] = m.tiling[i].candidates;
    j["tiler_ms"] = m.tiling[i].seconds * 1000;
  }
  return j;
}

// An accelerator layer's L1 buffers. "bytes": the layer's own footprint (every buffer of every
// operand, ping-pong halves included); "top": the highest byte in use during the layer, resident
// slots of other tensors included.
Ordered l1Buffers(const Graph& g, const L1LayerPlan& lp) {
  Ordered bufs = Ordered::array();
  int64_t footprint = 0;
  auto add = [&](const L1Buffer& b, size_t count) {
    count = std::max<size_t>(count, 1);
    bufs.push_back({{"tensor", g.tensor(b.tensor).name}, {"offset", b.offset}, {"bytes", b.bytes}, {"count", count}});
    footprint += b.bytes * static_cast<int64_t>(count);
  };
  for (size_t k = 0; k < lp.inputs.size(); ++k)
    add(lp.inputs[k], k < lp.inputOffsets.size() ? lp.inputOffsets[k].size() : 1);
  add(lp.output, lp.outputOffsets.size());
  return {{"bytes", footprint}, {"top", lp.used}, {"buffers", bufs}};
}

// Per layer: the node, what the C made of it, and the plan's decision.
Ordered layerReport(const CompiledModel& m, const EmittedCode& code, const std::vector<double>& cpuCycles,
                    size_t i) {
  const Graph& g = m.graph;
  const ArenaPlan& plan = m.plan;
  const Node& n = g.nodes[i];
  TensorId out = n.outputs[0];
  const TensorType& t = g.type(out);
  Ordered l;
  l["index"] = i;
  l["name"] = n.name;
  l["source_op"] = n.sourceOp;
  l["op"] = opName(n.op);
  const std::string& fn = code.layerFunctions[i];
  // No code: the output aliases the input, or a chain computes it.
  l["function"] = fn.empty() ? Ordered(nullptr) : Ordered(fn);
  l["output"] = {{"name", g.tensor(out).name}, {"dtype", dtypeName(t.dtype)}, {"shape", t.shape}};
  if (int64_t macs = nodeMacs(g, n); macs > 0) l["macs"] = macs;
  if (n.fusedInto >= 0) {
    l["storage"] = "fused";  // a value inside the loop of the chain that produces fused_into
    l["fused_into"] = g.tensor(n.fusedInto).name;
  } else if (plan.offset.at(static_cast<size_t>(out)) >= 0) {
    l["storage"] = fn.empty() ? "arena (aliases input)" : "arena";
    l["arena_offset"] = plan.offset[static_cast<size_t>(out)];
    l["arena_bytes"] = plan.bytes[static_cast<size_t>(out)];
  } else {
    l["storage"] = "output";
    l["bytes"] = t.bytes();
  }
  if (n.accel >= 0) l["l1"] = l1Buffers(g, m.l1.layers.at(i));
  if (i < m.decisions.size()) {
    const NodeDecision& d = m.decisions[i];
    l["core"] = d.accel < 0 ? std::string("cpu") : m.platform.accelerators.at(static_cast<size_t>(d.accel)).name;
    l["modeled"] = modeledLayer(m, cpuCycles, i);
    for (const Candidate& c : d.candidates)
      if (c.accel == d.accel) l["predicted_cycles"] = static_cast<int64_t>(c.cycles);
    if (!d.reason.empty()) l["reason"] = d.reason;
  }
  return l;
}

// Whole-network modeled cycles next to the CPU-only build's.
Json performanceSummary(const CompiledModel& m, const std::vector<double>& cpuCycles,
                        const std::string& schedule) {
  const Graph& g = m.graph;
  int64_t accel = 0, cpu = 0, cpuOnly = 0, macs = 0, accelMacs = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    // The CPU-only build: every node but the relayouts on the CPU, unfused.
    if (n.op != OpKind::Relayout) cpuOnly += static_cast<int64_t>(cpuNodeCycles(m.platform.cpu, g, n));
    macs += nodeMacs(g, n);
    if (n.accel >= 0) {
      accel += m.l1.layers[i].schedule.cost.elapsed;
      accelMacs += nodeMacs(g, n);
    } else {
      cpu += static_cast<int64_t>(cpuCycles[i]);
    }
  }
  Json j;
  j["schedule"] = schedule;
  j["total_cycles"] = accel + cpu;
  j["accelerator_cycles"] = accel;
  j["cpu_cycles"] = cpu;
  j["cpu_only_cycles"] = cpuOnly;
  j["speedup_vs_cpu_only"] = accel + cpu > 0 ? static_cast<double>(cpuOnly) / static_cast<double>(accel + cpu) : 0.0;
  j["macs"] = macs;
  j["accelerator_macs"] = accelMacs;
  j["accelerator_utilization"] =
      accel > 0 ? static_cast<double>(accelMacs) / (static_cast<double>(accel) * static_cast<double>(utilizationPeak(m.platform)))
                : 0.0;
  j["residency_saved_cycles"] = m.residencySavedCycles;
  j["source"] =
      "compiler cost model: accelerator layers replayed on the timeline of docs/ACCELERATOR_FORMATS.md "
      "(the simulator's elapsed_cycles counter measures the same), CPU layers from the platform's CPU cost model";
  return j;
}

Json residencyReport(const CompiledModel& m) {
  const Graph& g = m.graph;
  Json out = Json::array();
  for (const L1Resident& r : m.l1.residents) {
    Json consumers = Json::array();
    for (size_t i = r.producer + 1; i <= r.lastConsumer; ++i)
      for (TensorId t : g.nodes[i].inputs)
        if (t == r.tensor) {
          consumers.push_back(g.nodes[i].name);
          break;
        }
    out.push_back({{"tensor", g.tensor(r.tensor).name},
                   {"accelerator", m.platform.accelerators.at(static_cast<size_t>(r.accel)).name},
                   {"producer", g.nodes[r.producer].name},
                   {"consumers", consumers},
                   {"l1_offset", r.offset},
                   {"bytes", r.bytes}});
  }
  return out;
}

Json passReport(const CompiledModel& m) {
  Json out = Json::array();
  for (const PassRecord& p : m.passes) {
    Json stats = Json::object();
    for (const auto& [name, value] : p.stats) stats[name] = value;
    out.push_back({{"name", p.name}, {"ms", p.seconds * 1000}, {"stats", stats}});
  }
  return out;
}

Json assumptionReport(const Platform& p) {
  Json out = Json::array();
  for (const Assumption& a : p.assumptions)
    out.push_back({{"parameter", a.path}, {"value", a.value}, {"note", a.note}});
  return out;
}

}  // namespace

std::string reportJson(const CompiledModel& m, const CompileOptions& opts) {
  const Graph& g = m.graph;
  const ArenaPlan& plan = m.plan;
  EmittedCode code = emittedCode(g, plan);
  std::vector<double> cpuCycles = cpuLayerCycles(m.platform.cpu, g);

  Ordered layers = Ordered::array();
  int64_t totalMacs = 0, streamBytes = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    layers.push_back(layerReport(m, code, cpuCycles, i));
    totalMacs += nodeMacs(g, g.nodes[i]);
    // Accelerator layers keep their weights as streams in the accelerator's format (also flash),
    // as the L1 plan sized them.
    if (g.nodes[i].accel >= 0) streamBytes += m.l1.layers.at(i).weightBytes;
  }

  const std::filesystem::path model(opts.modelPath);
  Ordered r;
  r["htvm"] = {{"version", htvmVersion()}, {"commit", htvmCommit()}, {"report_schema", kReportSchema},
               {"command", opts.commandLine}};
  r["model"] = model.stem().string();
  r["source"] = model.filename().string();
  r["platform"] = m.platform.name;
  r["platform_file"] = {{"path", m.platform.file}, {"fnv1a_64", fmt::format("{:016x}", m.platform.fileHash)}};
  // The C API's single f32 input and output (emitC refuses other graphs, after this report).
  auto io = [&](const std::vector<TensorId>& ts) {
    if (ts.empty()) return Ordered(nullptr);
    return Ordered{{"name", g.tensor(ts[0]).name}, {"dtype", "f32"}, {"shape", g.type(ts[0]).shape}};
  };
  r["input"] = io(g.inputs);
  r["output"] = io(g.outputs);
  r["layers"] = std::move(layers);
  r["total_macs"] = totalMacs;
  r["memory"] = {{"arena_bytes", plan.size},
                 {"liveness_lower_bound", plan.lowerBound},
                 {"arena_alignment", plan.alignment},
                 {"weights_bytes", code.weightsBytes},
                 {"accelerator_weights_bytes", streamBytes}};
  r["assumptions"] = assumptionReport(m.platform);
  r["conf"] = opts.conf;
  r["l1_residency"] = residencyReport(m);
  r["passes"] = passReport(m);
  r["performance"] = performanceSummary(m, cpuCycles, opts.schedule);
  r["warnings"] = m.warnings;
  // Names come from the model file and need not be UTF-8: invalid bytes become U+FFFD rather than
  // aborting the dump.
  return r.dump(2, ' ', false, Ordered::error_handler_t::replace) + "\n";
}

}  // namespace htvm
