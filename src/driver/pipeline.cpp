#include "driver/pipeline.h"

#include <chrono>
#include <filesystem>

#include "codegen/c/codegen.h"
#include "frontend/onnx/onnx_import.h"
#include "ir/op_registry.h"
#include "ir/verify.h"
#include "passes/fuse_input_quant.h"
#include "passes/fuse_requant.h"
#include "passes/insert_relayout.h"
#include "platform/cost_model.h"
#include "tiling/residency.h"

namespace htvm {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The layout an accelerator pattern reads and writes; the CPU always uses NCHW.
Layout layoutOf(const Platform& p, const Node& n) {
  if (n.accel < 0) return Layout::NCHW;
  const Patterns& pat = p.accelerators.at(static_cast<size_t>(n.accel)).patterns;
  switch (n.op) {
    case OpKind::QConv2D: return pat.qconv2d->layout;
    case OpKind::QDense: return pat.qdense->layout;
    case OpKind::QAdd: return pat.qadd->layout;
    case OpKind::AnalogConv2D: return pat.analogConv2d->layout;
    default: break;
  }
  HTVM_CHECK(false) << nodeRef(n) << ": op " << opName(n.op) << " placed on an accelerator";
  return Layout::NCHW;
}

AccelTarget accelTarget(const AcceleratorDesc& a) {
  AccelTarget t;
  t.name = a.name;
  t.kind = a.kind == AccelKind::Digital ? AccelTarget::Kind::Digital : AccelTarget::Kind::Analog;
  t.actL1Bytes = a.l1.activationBytes.value;
  t.weightL1Bytes = a.l1.weightBytes.value;
  t.dmaSetupCycles = a.dma.setupCycles.value;
  t.dmaBytesPerCycle = a.dma.bytesPerCycle.value;
  t.dmaGranuleBytes = a.dma.granuleBytes.value;
  t.jobSetupCycles = a.jobSetupCycles.value;
  if (a.digital) {
    t.peK = a.digital->peK.value;
    t.peOx = a.digital->peOx.value;
    t.blockCycles = a.digital->blockCycles.value;
    t.fifoCycles = a.digital->fifoCycles.value;
    t.weightFillBytesPerCycle = a.digital->weightFillBytesPerCycle.value;
  }
  if (a.analog) {
    t.arrayRows = a.analog->arrayRows.value;
    t.arrayCols = a.analog->arrayCols.value;
    t.mvmCycles = a.analog->mvmCycles.value;
    t.simdLanes = a.analog->simdLanes.value;
    t.simdStages = a.analog->simdStages.value;
    t.weightFillBytesPerCycle = a.analog->weightFillBytesPerCycle.value;
    t.actLineBytes = a.analog->actLineBytes.value;
  }
  return t;
}

L1Limits l1Limits(const Platform& p) {
  L1Limits l;
  for (const AcceleratorDesc& a : p.accelerators) {
    l.activationBytes.push_back(a.l1.activationBytes.value);
    l.granuleBytes.push_back(a.dma.granuleBytes.value);
  }
  return l;
}

// The L1 stage: every accelerator layer gets its schedule from the tiler; with our schedule,
// tensors that pay to stay in L1 between layers are kept there; then all buffers are placed.
Status scheduleAndPlaceL1(CompiledModel& m, ScheduleStyle style) {
  const Graph& g = m.graph;
  L1Limits limits = l1Limits(m.platform);
  std::vector<ResidencyNode> nodes(g.nodes.size());
  m.tiling.assign(g.nodes.size(), TilingStats{});
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.accel < 0) continue;
    const AcceleratorDesc& a = m.platform.accelerators.at(static_cast<size_t>(n.accel));
    nodes[i].layer = tileLayerOf(g, n, a);
    HTVM_CHECK(nodes[i].layer.has_value()) << nodeRef(n) << ": placed on " << a.name << " without a pattern";
    TilerOptions to;
    to.style = style;
    Result<TilingResult> r = tileLayer(*nodes[i].layer, a, to);
    if (!r.ok()) return error() << nodeRef(n) << ": " << a.name << ": " << r.diag().message;
    nodes[i].best = r->best;
    nodes[i].whole = r->whole;
    m.tiling[i] = {r->candidates, r->pruned, r->seconds};
  }
  std::vector<std::optional<LayerSchedule>> schedules(g.nodes.size());
  if (style == ScheduleStyle::Ours) {
    ResidencyResult rr = decideResidency(g, m.platform, nodes, [&](const std::vector<std::optional<LayerSchedule>>& s) {
      return planL1(g, limits, s).ok();
    });
    schedules = std::move(rr.schedules);
    m.residencySavedCycles = rr.cyclesSaved;
  } else {
    for (size_t i = 0; i < g.nodes.size(); ++i) schedules[i] = nodes[i].best;
  }
  Result<L1Plan> l1 = planL1(g, limits, schedules);
  if (!l1.ok()) return l1.diag();
  m.l1 = std::move(l1.value());
  HTVM_CHECK(l1PlanIsValid(m.l1, limits)) << "L1 plan has overlapping or out-of-range buffers";
  return ok();
}

// Peak MACs per cycle that utilization is measured against: the digital PE array's.
int64_t utilizationPeak(const Platform& p) {
  for (const AcceleratorDesc& a : p.accelerators)
    if (a.digital) return a.digital->peakMacsPerCycle.value;
  return 256;
}

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

}  // namespace

Result<Conf> parseConf(const std::string& s) {
  if (s == "cpu") return Conf::Cpu;
  if (s == "digital") return Conf::Digital;
  if (s == "analog") return Conf::Analog;
  if (s == "mixed") return Conf::Mixed;
  return error() << "unknown conf '" << s << "': use cpu, digital, analog or mixed";
}

Result<ScheduleStyle> parseSchedule(const std::string& s) {
  if (s == "ours") return ScheduleStyle::Ours;
  if (s == "htvm") return ScheduleStyle::Htvm;
  return error() << "unknown schedule '" << s << "': use ours or htvm";
}

Result<CompiledModel> lowerModel(const CompileOptions& opts) {
  CompiledModel m;
  auto start = Clock::now();
  auto t = start;
  auto stage = [&](const char* name) {
    m.stageSeconds.emplace_back(name, secondsSince(t));
    t = Clock::now();
  };
  Result<Conf> conf = parseConf(opts.conf);
  if (!conf.ok()) return conf.diag();
  Result<ScheduleStyle> style = parseSchedule(opts.schedule);
  if (!style.ok()) return style.diag();
  Result<Platform> platform = platformByName(opts.platform);
  if (!platform.ok()) return platform.diag();
  m.platform = std::move(platform.value());

  Result<Graph> g = importOnnx(opts.modelPath);
  if (!g.ok()) return g.diag();
  m.floatGraph = std::move(g.value());
  stage("import");

  Result<IntegerizeResult> ig = integerize(m.floatGraph);
  if (!ig.ok()) return error() << opts.modelPath << ": " << ig.diag().message;
  m.integer = std::move(ig.value());
  stage("integerize");

  const Graph& ir = m.integer.graph;
  if (ir.inputs.size() != 1 || ir.outputs.size() != 1)
    return error() << opts.modelPath << ": models with " << ir.inputs.size() << " inputs and "
                   << ir.outputs.size() << " outputs are not supported yet (exactly one of each)";
  m.graph = ir;
  if (auto q = fuseInputQuant(m.graph); !q.ok()) return error() << opts.modelPath << ": " << q.diag().message;
  auto fused = fuseRequant(m.graph);
  if (!fused.ok()) return error() << opts.modelPath << ": " << fused.diag().message;
  stage("fuse");

  PartitionOptions po;
  po.conf = conf.value();
  po.pins = opts.pins;
  Result<PartitionResult> parts = partition(m.graph, m.platform, po);
  if (!parts.ok()) return error() << opts.modelPath << ": " << parts.diag().message;
  // Decisions follow their node through relayout insertion (keyed by the node's output tensor).
  std::map<TensorId, NodeDecision> byOutput;
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) byOutput[m.graph.nodes[i].outputs[0]] = parts->nodes[i];
  stage("partition");

  const Platform& plat = m.platform;
  Result<RelayoutStats> rl = insertRelayouts(m.graph, [&](const Graph&, const Node& n, int) { return layoutOf(plat, n); });
  if (!rl.ok()) return error() << opts.modelPath << ": " << rl.diag().message;
  for (const Node& n : m.graph.nodes) {
    auto it = byOutput.find(n.outputs[0]);
    NodeDecision d;
    if (it != byOutput.end()) d = it->second;
    else d.reason = "layout conversion at a CPU/accelerator border";
    m.decisions.push_back(std::move(d));
  }
  if (opts.verifyEach) {
    Status s = verify(m.graph);
    HTVM_CHECK(s.ok()) << "lowering broke the IR: " << s.diag().message;
  }
  stage("relayout");

  m.plan = planArena(m.graph);
  HTVM_CHECK(!anyBuffersOverlap(m.graph, m.plan)) << "arena planner placed two live tensors on the same bytes";
  // The bare-metal link places the arena in L2 past the host-private part (htvm_rv32.ld); the
  // host build has no such limit, so this is a warning here and a link error there.
  const int64_t l2Room = m.platform.l2.bytes.value - m.platform.l2.hostPrivateBytes.value;
  if (m.plan.size > l2Room)
    m.warnings.push_back("activation arena " + std::to_string(m.plan.size) + " B exceeds the " +
                         std::to_string(l2Room) + " B of " + m.platform.name +
                         "'s L2 outside its host-private part (L2 " +
                         std::to_string(m.platform.l2.bytes.value) + " B): the host build runs, "
                         "a bare-metal build (--target rv32) will not link");
  Status l1 = scheduleAndPlaceL1(m, style.value());
  if (!l1.ok()) return error() << opts.modelPath << ": " << l1.diag().message;
  stage("memory plan");
  m.totalSeconds = secondsSince(start);
  return m;
}

Result<CompiledModel> compileModel(const CompileOptions& opts) {
  Result<CompiledModel> m = lowerModel(opts);
  if (!m.ok()) return m;
  auto t = Clock::now();
  CodegenOptions co;
  co.modelName = std::filesystem::path(opts.modelPath).stem().string();
  co.sourceFile = std::filesystem::path(opts.modelPath).filename().string();
  co.platform = m->platform.name;
  for (const AcceleratorDesc& a : m->platform.accelerators) co.accels.push_back(accelTarget(a));
  co.l1 = &m->l1;
  for (size_t i = 0; i < m->graph.nodes.size(); ++i) {
    const NodeDecision& d = m->decisions[i];
    nlohmann::json j;
    j["core"] = d.accel < 0 ? std::string("cpu") : m->platform.accelerators[static_cast<size_t>(d.accel)].name;
    if (!d.reason.empty()) j["reason"] = d.reason;
    for (const Candidate& c : d.candidates)
      if (c.accel == d.accel) j["predicted_cycles"] = static_cast<int64_t>(c.cycles);
    j["modeled"] = modeledLayer(*m, i);
    co.nodeReport.push_back(std::move(j));
  }
  co.reportExtra["conf"] = opts.conf;
  co.reportExtra["performance"] = performanceSummary(*m, opts.schedule);
  co.reportExtra["l1_residency"] = residencyReport(*m);
  co.reportExtra["warnings"] = m->warnings;
  nlohmann::json assumptions = nlohmann::json::array();
  for (const Assumption& a : m->platform.assumptions)
    assumptions.push_back({{"parameter", a.path}, {"value", a.value}, {"note", a.note}});
  co.reportExtra["assumptions"] = assumptions;
  Status s = emitC(m->graph, m->plan, co, opts.outDir);
  if (!s.ok()) return s.diag();
  double emitSeconds = std::chrono::duration<double>(Clock::now() - t).count();
  m->stageSeconds.emplace_back("emit C", emitSeconds);
  m->totalSeconds += emitSeconds;
  return m;
}

}  // namespace htvm
