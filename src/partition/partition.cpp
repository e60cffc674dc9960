// Greedy cost-based partition with legality reasons and pins. See partition.h.
#include "partition/partition.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "ir/op_registry.h"
#include "partition/legality.h"
#include "platform/cost_model.h"
#include "tiling/tiler.h"

namespace htvm {

bool confAllows(Conf c, const AcceleratorDesc& a) {
  if (c == Conf::Cpu) return false;
  return c == Conf::Mixed || std::string(confName(c)) == a.backend->kind;
}

namespace {

std::string cyclesStr(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", c);
  return buf;
}

// The state of the greedy walk: the layout each decided tensor is stored in.
struct Walk {
  const Graph& g;
  const Platform& p;
  std::vector<Layout> layoutOf;  // per tensor
  std::set<TensorId> graphOutputs;

  // CPU cycles to convert tensor `id` from its stored layout to `to` (0 if equal).
  double relayout(TensorId id, Layout to) const {
    return cpuRelayoutCycles(p.cpu, g.type(id), layoutOf[static_cast<size_t>(id)], to);
  }

  Candidate cpuCandidate(const Node& n) const {
    double compute = cpuNodeCycles(p.cpu, g, n), moves = 0;
    for (TensorId id : n.inputs)
      if (id >= 0 && !g.tensor(id).isConstant()) moves += relayout(id, Layout::NCHW);
    return {-1, compute + moves, "cpu " + cyclesStr(compute) + " + relayout " + cyclesStr(moves)};
  }

  // The node's cost on accelerator `idx` is what the tiler's best schedule for it takes (the
  // schedule the generated code runs; cross-layer residency may later save some of its DMA), plus
  // the CPU relayouts this placement causes.
  Candidate accelCandidate(const Node& n, int idx, Layout layout, const TilingResult& t) const {
    const ScheduleCost& m = t.best.cost;
    double moves = 0;
    for (size_t i = 0; i < (n.op == OpKind::QAdd ? 2u : 1u); ++i)
      moves += relayout(n.inputs[i], layout);
    if (graphOutputs.count(n.outputs[0]) && layout != Layout::NCHW) {
      moves += cpuRelayoutCycles(p.cpu, g.type(n.outputs[0]), layout, Layout::NCHW);
    }
    return {idx, static_cast<double>(m.elapsed) + moves,
            "setup " + cyclesStr(static_cast<double>(m.setup)) + " + compute " +
                cyclesStr(static_cast<double>(m.compute)) + " + weights " +
                cyclesStr(static_cast<double>(m.weights)) + " + exposed dma " +
                cyclesStr(static_cast<double>(m.exposedDma())) + " (" + std::to_string(m.jobs) +
                (m.jobs == 1 ? " job" : " jobs") + ") + relayout " + cyclesStr(moves)};
  }
};

struct Pin {
  std::string text;  // "NODE=CORE" for messages
  int core;          // -1 cpu
};

Result<std::map<std::string, Pin>> resolvePins(const Graph& g, const Platform& p,
                                               const PartitionOptions& opts) {
  std::map<std::string, Pin> pins;
  for (const auto& [node, core] : opts.pins) {
    std::string text = "pin '" + node + "=" + core + "'";
    bool found = false;
    for (const Node& n : g.nodes) found = found || n.name == node;
    if (!found)
      return error() << text << ": no node named '" << node << "' in graph '" << g.name << "'";
    int idx = core == "cpu" ? -1 : p.findAccelerator(core);
    if (core != "cpu" && idx < 0) {
      std::string cores = "cpu";
      for (const AcceleratorDesc& a : p.accelerators) cores += ", " + a.name;
      return error() << text << ": no core named '" << core << "' in platform '" << p.name
                     << "' (cores: " << cores << ")";
    }
    pins[node] = {text, idx};
  }
  return pins;
}

// What the platform offers one node: the priced candidates (CPU first) and the rejections.
struct Options {
  std::vector<Candidate> candidates;
  std::string rejected;         // "digital: rule; analog: rule"
  std::vector<Layout> layouts;  // per accelerator: the layout its pattern for this op uses
  // Per accelerator: the tiler's answer for a legal node (the schedule, or why none fits), kept
  // so that no later stage tiles the node again.
  std::vector<std::optional<Result<TilingResult>>> tilings;
  bool supported = false;       // some accelerator enabled by conf has a pattern for the op
  bool hiddenByConf = false;    // some accelerator with a pattern is disabled by conf
};

// Why accelerator `a` cannot take `n`: an illegal rule, or no tiling fits (the tiler's answer,
// which `tiling` keeps either way for a legal node); nullopt if it can.
std::optional<std::string> blocked(const Graph& g, const Node& n, const AcceleratorDesc& a,
                                   std::optional<Result<TilingResult>>& tiling) {
  if (std::optional<std::string> why = illegalReason(g, n, a)) return why;
  tiling = tileNode(g, n, a, TilerOptions{});
  if (!tiling->ok()) return tiling->diag().message;
  return std::nullopt;
}

Options evaluate(const Walk& w, const Node& n, Conf conf) {
  Options o;
  o.candidates.push_back(w.cpuCandidate(n));
  o.layouts.assign(w.p.accelerators.size(), Layout::NCHW);
  o.tilings.resize(w.p.accelerators.size());
  for (size_t i = 0; i < w.p.accelerators.size(); ++i) {
    const AcceleratorDesc& a = w.p.accelerators[i];
    std::optional<Layout> layout = patternLayout(a, n.op);
    if (!layout) continue;
    if (!confAllows(conf, a)) {
      o.hiddenByConf = true;
      continue;
    }
    o.supported = true;
    o.layouts[i] = *layout;
    if (std::optional<std::string> why = blocked(w.g, n, a, o.tilings[i])) {
      o.rejected += (o.rejected.empty() ? "" : "; ") + a.name + ": " + *why;
      continue;
    }
    o.candidates.push_back(w.accelCandidate(n, static_cast<int>(i), *layout, o.tilings[i]->value()));
  }
  return o;
}

Result<NodeDecision> applyPin(const Walk& w, const Node& n, const Options& o, const Pin& pin,
                              Conf conf) {
  NodeDecision dec;
  dec.candidates = o.candidates;
  const std::string ref = nodeRef(n);
  if (pin.core < 0) {
    dec.reason = ref + ": pinned to cpu";
    return dec;
  }
  const AcceleratorDesc& a = w.p.accelerators[static_cast<size_t>(pin.core)];
  if (!confAllows(conf, a))
    return error() << pin.text << ": accelerator '" << a.name << "' (" << a.backend->kind
                   << ") is disabled by conf " << confName(conf);
  if (!patternLayout(a, n.op))
    return error() << pin.text << ": " << ref << ": " << a.name << " has no pattern for "
                   << opName(n.op);
  // evaluate() already asked the tiler when the node is legal on `a`.
  const std::optional<Result<TilingResult>>& tiling = o.tilings[static_cast<size_t>(pin.core)];
  if (std::optional<std::string> why = illegalReason(w.g, n, a))
    return error() << pin.text << ": " << ref << ": " << a.name << ": " << *why;
  HTVM_CHECK(tiling.has_value()) << ref << ": " << a.name << " was not tiled";
  if (!tiling->ok())
    return error() << pin.text << ": " << ref << ": " << a.name << ": " << tiling->diag().message;
  dec.accel = pin.core;
  for (const Candidate& c : o.candidates)
    if (c.accel == pin.core)
      dec.reason = ref + ": pinned to " + a.name + " (" + cyclesStr(c.cycles) + " cycles)";
  return dec;
}

// The default policy: the cheapest legal accelerator (ties: lower index); the CPU only when
// nothing is legal, or with allowCpuByCost when its estimate is lower.
NodeDecision choose(const Walk& w, const Node& n, const Options& o, const PartitionOptions& opts) {
  NodeDecision dec;
  dec.candidates = o.candidates;
  const std::string ref = nodeRef(n);
  if (opts.conf == Conf::Cpu) {
    dec.reason = ref + ": conf cpu: nothing offloaded";
    return dec;
  }
  if (!o.supported) {
    dec.reason = ref + ": no accelerator supports " + opName(n.op) +
                 (o.hiddenByConf ? std::string(" with conf ") + confName(opts.conf) : "");
    return dec;
  }
  if (o.candidates.size() == 1) {
    dec.reason = ref + ": " + o.rejected;
    return dec;
  }
  auto name = [&](const Candidate& c) {
    return w.p.accelerators[static_cast<size_t>(c.accel)].name;
  };
  size_t best = 1;
  for (size_t i = 2; i < o.candidates.size(); ++i)
    if (o.candidates[i].cycles < o.candidates[best].cycles) best = i;
  const Candidate& c = o.candidates[best];
  const Candidate& cpu = o.candidates[0];
  if (opts.allowCpuByCost && cpu.cycles < c.cycles) {
    dec.reason = ref + ": cpu cheaper (" + cyclesStr(cpu.cycles) + " cycles) than " + name(c) +
                 " (" + cyclesStr(c.cycles) + " cycles)";
  } else {
    dec.accel = c.accel;
    std::string others;
    for (size_t i = 1; i < o.candidates.size(); ++i)
      if (i != best)
        others += (others.empty() ? "" : ", ") + name(o.candidates[i]) + " " +
                  cyclesStr(o.candidates[i].cycles);
    dec.reason = ref + ": " + name(c) +
                 (others.empty() ? ": only legal accelerator (" + cyclesStr(c.cycles) + " cycles)"
                                 : ": cheapest legal accelerator (" + cyclesStr(c.cycles) +
                                       " cycles; also legal: " + others + ")");
  }
  if (!o.rejected.empty()) dec.reason += "; rejected: " + o.rejected;
  return dec;
}

}  // namespace

const char* confName(Conf c) {
  switch (c) {
    case Conf::Cpu: return "cpu";
    case Conf::Digital: return "digital";
    case Conf::Analog: return "analog";
    case Conf::Mixed: return "mixed";
  }
  return "?";
}

Result<PartitionResult> partition(Graph& g, const Platform& p, const PartitionOptions& opts) {
  Result<std::map<std::string, Pin>> pins = resolvePins(g, p, opts);
  if (!pins.ok()) return pins.diag();
  Walk w{g, p, std::vector<Layout>(g.tensors.size(), Layout::NCHW),
         std::set<TensorId>(g.outputs.begin(), g.outputs.end())};
  PartitionResult result;
  for (Node& n : g.nodes) {
    Options o = evaluate(w, n, opts.conf);
    NodeDecision dec;
    auto pin = pins->find(n.name);
    if (pin != pins->end()) {
      Result<NodeDecision> pinned = applyPin(w, n, o, pin->second, opts.conf);
      if (!pinned.ok()) return pinned.diag();
      dec = std::move(pinned.value());
    } else {
      dec = choose(w, n, o, opts);
    }
    n.accel = dec.accel;
    if (dec.accel >= 0) dec.tiling = o.tilings[static_cast<size_t>(dec.accel)]->value();
    Layout out = dec.accel >= 0 ? o.layouts[static_cast<size_t>(dec.accel)] : Layout::NCHW;
    for (TensorId id : n.outputs) w.layoutOf[static_cast<size_t>(id)] = out;
    result.nodes.push_back(std::move(dec));
  }
  return result;
}

}  // namespace htvm
