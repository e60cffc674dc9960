#include "driver/report_json.h"

#include "platform/cost_model.h"

namespace htvm {
namespace {

// Peak MACs per cycle that utilization is measured against: the first MAC array's.
int64_t utilizationPeak(const Platform& p) {
  for (const AcceleratorDesc& a : p.accelerators)
    if (int64_t peak = a.backend->peakMacsPerCycle(a); peak > 0) return peak;
  return 256;
}

}  // namespace

// report.json: modeled cycles of node i (accelerator layers: the schedule replayed on the
// timeline; CPU layers: the CPU cost model).
nlohmann::json modeledLayer(const CompiledModel& m, size_t i) {
  const Graph& g = m.graph;
  const Node& n = g.nodes[i];
  nlohmann::json j;
  if (n.accel < 0) {
    j["cycles"] = static_cast<int64_t>(cpuNodeCycles(m.platform.cpu, g, n));
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
  nlohmann::json res = nlohmann::json::array();
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

// report.json "performance": whole-network modeled cycles next to the CPU-only build's.
nlohmann::json performanceSummary(const CompiledModel& m, const std::string& schedule) {
  const Graph& g = m.graph;
  int64_t accel = 0, cpu = 0, cpuOnly = 0, macs = 0, accelMacs = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    double cpuCycles = cpuNodeCycles(m.platform.cpu, g, n);
    if (n.op != OpKind::Relayout) cpuOnly += static_cast<int64_t>(cpuCycles);
    macs += nodeMacs(g, n);
    if (n.accel >= 0) {
      accel += m.l1.layers[i].schedule.cost.elapsed;
      accelMacs += nodeMacs(g, n);
    } else {
      cpu += static_cast<int64_t>(cpuCycles);
    }
  }
  nlohmann::json j;
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

nlohmann::json residencyReport(const CompiledModel& m) {
  const Graph& g = m.graph;
  nlohmann::json out = nlohmann::json::array();
  for (const L1Resident& r : m.l1.residents) {
    nlohmann::json consumers = nlohmann::json::array();
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

nlohmann::json passReport(const CompiledModel& m) {
  nlohmann::json out = nlohmann::json::array();
  for (const PassRecord& p : m.passes) {
    nlohmann::json stats = nlohmann::json::object();
    for (const auto& [name, value] : p.stats) stats[name] = value;
    out.push_back({{"name", p.name}, {"ms", p.seconds * 1000}, {"stats", stats}});
  }
  return out;
}

}  // namespace htvm
