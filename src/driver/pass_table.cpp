#include "driver/pass_table.h"

#include <chrono>

#include "driver/pipeline.h"
#include "frontend/onnx/onnx_import.h"
#include "ir/op_registry.h"
#include "ir/print.h"
#include "ir/verify.h"
#include "passes/fuse_cpu_chains.h"
#include "passes/fuse_input_quant.h"
#include "passes/fuse_requant.h"
#include "passes/insert_relayout.h"
#include "tiling/residency.h"

namespace htvm {
namespace {

// The layout an accelerator pattern reads and writes; the CPU always uses NCHW.
Layout layoutOf(const Platform& p, const Node& n) {
  if (n.accel < 0) return Layout::NCHW;
  if (const PatternHead* pat = p.accelerators.at(static_cast<size_t>(n.accel)).patterns.of(n.op))
    return pat->layout;
  HTVM_CHECK(false) << nodeRef(n) << ": op " << opName(n.op) << " placed on an accelerator";
  return Layout::NCHW;
}

L1Limits l1Limits(const Platform& p) {
  L1Limits l;
  for (const AcceleratorDesc& a : p.accelerators) {
    l.activationBytes.push_back(a.l1.activationBytes.value);
    l.granuleBytes.push_back(a.dma.granuleBytes.value);
  }
  return l;
}

Result<PassStats> runImport(PassContext& c) {
  Result<Graph> g = c.opts.modelBytes ? importOnnxBytes(*c.opts.modelBytes, c.opts.modelPath)
                                      : importOnnx(c.opts.modelPath);
  if (!g.ok()) return g.diag();
  c.model.floatGraph = std::move(g.value());
  const Graph& fg = c.model.floatGraph;
  return PassStats{{"nodes", static_cast<int64_t>(fg.nodes.size())},
                   {"tensors", static_cast<int64_t>(fg.tensors.size())}};
}

Result<PassStats> runIntegerize(PassContext& c) {
  Result<IntegerizeResult> ig = integerize(c.model.floatGraph);
  if (!ig.ok()) return ig.diag();
  c.model.integer = std::move(ig.value());
  const Graph& ir = c.model.integer.graph;
  if (ir.inputs.size() != 1 || ir.outputs.size() != 1)
    return error() << "models with " << ir.inputs.size() << " inputs and " << ir.outputs.size()
                   << " outputs are not supported yet (exactly one of each)";
  // The later passes rewrite a copy: the integer graph before fusion stays for verify's tracing.
  c.model.graph = ir;
  return PassStats{{"nodes", static_cast<int64_t>(ir.nodes.size())}};
}

Result<PassStats> runFuseInputQuant(PassContext& c) {
  Result<FuseInputQuantStats> s = fuseInputQuant(c.model.graph);
  if (!s.ok()) return s.diag();
  return PassStats{{"fused", s->fused}, {"nodes_removed", s->nodesRemoved}};
}

Result<PassStats> runFuseRequant(PassContext& c) {
  Result<FuseRequantStats> s = fuseRequant(c.model.graph);
  if (!s.ok()) return s.diag();
  return PassStats{{"qconv2d", s->qconv2d},
                   {"qdense", s->qdense},
                   {"qadd", s->qadd},
                   {"analog_conv2d", s->analogConv2d},
                   {"analog_conv2d_partial", s->analogConv2dPartial},
                   {"clip_merges", s->clipMerges},
                   {"nodes_removed", s->nodesRemoved}};
}

// A conf that asks for accelerators but offloads nothing says why: the platform has none it
// enables, or none of the model's nodes is an op they take (e.g. --conf analog on a model without
// ternary layers), or the ones they could take went elsewhere. `placed`: layers per core, CPU
// first.
void confWarnings(CompiledModel& m, Conf conf, const PassStats& placed) {
  if (conf == Conf::Cpu) return;
  const Platform& p = m.platform;
  std::string name = confName(conf);
  std::vector<size_t> enabled;
  for (size_t a = 0; a < p.accelerators.size(); ++a)
    if (confAllows(conf, p.accelerators[a])) enabled.push_back(a);
  std::string what = conf == Conf::Mixed ? "accelerator" : name + " accelerator";
  if (enabled.empty()) {
    m.warnings.push_back("conf " + name + ": platform '" + p.name + "' has no " + what +
                         "; every layer runs on the CPU");
    return;
  }
  int64_t offloaded = 0;
  for (size_t a : enabled) offloaded += placed[a + 1].second;
  if (offloaded > 0) return;
  bool takesSome = false;
  for (const Node& n : m.graph.nodes)
    for (size_t a : enabled) takesSome = takesSome || p.accelerators[a].patterns.of(n.op) != nullptr;
  m.warnings.push_back("conf " + name + ": no layer runs on any " + what + ": " +
                       (takesSome ? "the layers it could take stay on other cores (the report's "
                                    "reasons say why)"
                                  : "no node of the model is an op it takes"));
}

Result<PassStats> runPartition(PassContext& c) {
  CompiledModel& m = c.model;
  PartitionOptions po;
  po.conf = c.conf;
  po.pins = c.opts.pins;
  Result<PartitionResult> parts = partition(m.graph, m.platform, po);
  if (!parts.ok()) return parts.diag();
  PassStats stats{{"cpu", 0}};
  for (const AcceleratorDesc& a : m.platform.accelerators) stats.emplace_back(a.name, 0);
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    const NodeDecision& d = parts->nodes[i];
    c.decisionByOutput[m.graph.nodes[i].outputs[0]] = d;
    ++stats[static_cast<size_t>(d.accel + 1)].second;
  }
  confWarnings(m, c.conf, stats);
  return stats;
}

Result<PassStats> runInsertRelayout(PassContext& c) {
  CompiledModel& m = c.model;
  const Platform& plat = m.platform;
  Result<RelayoutStats> rl =
      insertRelayouts(m.graph, [&](const Graph&, const Node& n, int) { return layoutOf(plat, n); });
  if (!rl.ok()) return rl.diag();
  m.decisions.clear();
  for (const Node& n : m.graph.nodes) {
    auto it = c.decisionByOutput.find(n.outputs[0]);
    NodeDecision d;
    if (it != c.decisionByOutput.end()) d = it->second;
    else d.reason = "layout conversion at a CPU/accelerator border";
    m.decisions.push_back(std::move(d));
  }
  return PassStats{{"inserted", rl->inserted}};
}

Result<PassStats> runFuseCpuChains(PassContext& c) {
  FuseChainStats s = fuseCpuChains(c.model.graph);
  return PassStats{{"chains", s.chains},
                   {"fused_nodes", s.members},
                   {"single_loops", s.single},
                   {"shared_relayouts", s.redirected}};
}

Result<PassStats> runPlanArena(PassContext& c) {
  CompiledModel& m = c.model;
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
  return PassStats{{"arena_bytes", m.plan.size}, {"lower_bound_bytes", m.plan.lowerBound}};
}

// The L1 stage: every accelerator layer gets its schedule from the tiler; with our schedule,
// tensors that pay to stay in L1 between layers are kept there; then all buffers are placed.
Result<PassStats> runPlanL1(PassContext& c) {
  CompiledModel& m = c.model;
  const Graph& g = m.graph;
  const ScheduleStyle style = c.htvmSchedule ? ScheduleStyle::Htvm : ScheduleStyle::Ours;
  L1Limits limits = l1Limits(m.platform);
  std::vector<ResidencyNode> nodes(g.nodes.size());
  m.tiling.assign(g.nodes.size(), TilingStats{});
  int64_t layers = 0, candidates = 0, tilerRuns = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.accel < 0) continue;
    const AcceleratorDesc& a = m.platform.accelerators.at(static_cast<size_t>(n.accel));
    nodes[i].layer = tileLayerOf(g, n, a);
    HTVM_CHECK(nodes[i].layer.has_value()) << nodeRef(n) << ": placed on " << a.name << " without a pattern";
    // The partition priced the layer with our schedule and kept the tiler's result; only the
    // HTVM-style schedule is a different question.
    const std::optional<TilingResult>& priced = m.decisions[i].tiling;
    Result<TilingResult> r = TilingResult{};
    if (style == ScheduleStyle::Ours && priced && m.decisions[i].accel == n.accel) {
      r = *priced;
    } else {
      TilerOptions to;
      to.style = style;
      r = tileLayer(*nodes[i].layer, a, to);
      if (!r.ok()) return error() << nodeRef(n) << ": " << a.name << ": " << r.diag().message;
      ++tilerRuns;
    }
    nodes[i].best = r->best;
    nodes[i].whole = r->whole;
    m.tiling[i] = {r->candidates, r->pruned, r->seconds};
    ++layers;
    candidates += r->candidates;
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
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.accel < 0) continue;
    const AcceleratorDesc& a = m.platform.accelerators.at(static_cast<size_t>(n.accel));
    m.l1.layers[i].weightBytes = a.backend->weightArrayBytes(g, n, m.l1.layers[i].schedule);
  }
  return PassStats{{"accelerator_layers", layers},
                   {"tiler_candidates", candidates},
                   {"tiler_runs", tilerRuns},
                   {"l1_residents", static_cast<int64_t>(m.l1.residents.size())},
                   {"residency_saved_cycles", m.residencySavedCycles}};
}

const Graph& productOf(const CompiledModel& m, PassProduct p) {
  switch (p) {
    case PassProduct::FloatGraph: return m.floatGraph;
    case PassProduct::IntegerGraph: return m.integer.graph;
    case PassProduct::Graph: break;
  }
  return m.graph;
}

}  // namespace

// Order: fuse-input-quant before fuse-requant (the requant patterns must not swallow the input
// quantizer's clip); partition before insert-relayout (layouts follow placement); plan-arena
// after insert-relayout (relayouts own arena tensors); plan-l1 last (it tiles placed layers and
// keeps tensors resident between them).
const std::vector<Pass>& passTable() {
  static const std::vector<Pass> table = {
      {"import", "parse, check and shape-infer the ONNX model into the float IR", PassProduct::FloatGraph, runImport},
      {"integerize", "prove integer values and rewrite fake-quant float ops to exact integer ops",
       PassProduct::IntegerGraph, runIntegerize},
      {"fuse-input-quant", "fuse the float input quantizer into one integer-only quantize_f32",
       PassProduct::Graph, runFuseInputQuant},
      {"fuse-requant", "fuse conv/dense/add + requant chains into qconv2d, qdense, qadd, analog_conv2d",
       PassProduct::Graph, runFuseRequant},
      {"partition", "place every node on a core (legality, cost, conf, pins)", PassProduct::Graph, runPartition},
      {"insert-relayout", "convert layouts at CPU/accelerator borders", PassProduct::Graph, runInsertRelayout},
      {"fuse-cpu-chains", "compute trees of elementwise CPU ops in one loop each", PassProduct::Graph,
       runFuseCpuChains},
      {"plan-arena", "place activations in one static arena", PassProduct::Graph, runPlanArena},
      {"plan-l1", "tile accelerator layers, keep tensors resident in L1, place L1 buffers", PassProduct::Graph,
       runPlanL1},
  };
  return table;
}

std::string passNames() {
  std::string s;
  for (const Pass& p : passTable()) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

Status runPasses(PassContext& ctx) {
  using Clock = std::chrono::steady_clock;
  const CompileOptions& opts = ctx.opts;
  for (const Pass& p : passTable()) {
    auto t = Clock::now();
    Result<PassStats> r = p.run(ctx);
    if (!r.ok()) return r.diag().in(opts.modelPath);
    ctx.model.passes.push_back({p.name, std::chrono::duration<double>(Clock::now() - t).count(), std::move(r.value())});
    const Graph& g = productOf(ctx.model, p.product);
    // The last pass's graph is what becomes C: it is always verified.
    if (opts.verifyEach || &p == &passTable().back()) {
      Status s = verify(g);
      HTVM_CHECK(s.ok()) << "pass '" << p.name << "' left an invalid graph: " << s.diag().message;
    }
    if (opts.dumpTo && opts.dumpAfter == p.name) *opts.dumpTo << "// IR after " << p.name << "\n" << printGraph(g);
  }
  return ok();
}

}  // namespace htvm
