#include "driver/pipeline.h"

#include <chrono>
#include <filesystem>

#include "codegen/c/codegen.h"
#include "frontend/onnx/onnx_import.h"
#include "ir/op_registry.h"
#include "ir/verify.h"
#include "passes/fuse_requant.h"
#include "passes/insert_relayout.h"

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

}  // namespace

Result<Conf> parseConf(const std::string& s) {
  if (s == "cpu") return Conf::Cpu;
  if (s == "digital") return Conf::Digital;
  if (s == "analog") return Conf::Analog;
  if (s == "mixed") return Conf::Mixed;
  return error() << "unknown conf '" << s << "': use cpu, digital, analog or mixed";
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
  L1Limits limits = l1Limits(m.platform);
  Result<L1Plan> l1 = planL1(m.graph, limits);
  if (!l1.ok()) return error() << opts.modelPath << ": " << l1.diag().message;
  m.l1 = std::move(l1.value());
  HTVM_CHECK(l1PlanIsValid(m.l1, limits)) << "L1 plan has overlapping or out-of-range buffers";
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
    co.nodeReport.push_back(std::move(j));
  }
  co.reportExtra["conf"] = opts.conf;
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
