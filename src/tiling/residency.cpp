// Greedy cross-layer residency. See residency.h.
#include "tiling/residency.h"

#include <set>

#include "tiling/schedule_cost.h"

namespace htvm {
namespace {

std::vector<TensorId> activations(const Graph& g, const Node& n) {
  std::vector<TensorId> v;
  for (TensorId t : n.inputs)
    if (t >= 0 && !g.tensor(t).isConstant()) v.push_back(t);
  return v;
}

}  // namespace

ResidencyResult decideResidency(const Graph& g, const Platform& p,
                                const std::vector<ResidencyNode>& nodes,
                                const PlacementCheck& fits) {
  HTVM_CHECK(nodes.size() == g.nodes.size()) << "one residency entry per node";
  size_t n = g.nodes.size();
  std::vector<std::vector<size_t>> consumers(g.tensors.size());
  for (size_t i = 0; i < n; ++i)
    for (TensorId t : std::set<TensorId>(g.nodes[i].inputs.begin(), g.nodes[i].inputs.end()))
      if (t >= 0) consumers[static_cast<size_t>(t)].push_back(i);
  std::set<TensorId> outputs(g.outputs.begin(), g.outputs.end());

  // Eligible tensors: producer and all consumers on one accelerator, each able to run whole.
  std::vector<TensorId> eligible;
  for (size_t pi = 0; pi < n; ++pi) {
    const Node& pn = g.nodes[pi];
    TensorId t = pn.outputs[0];
    const std::vector<size_t>& cons = consumers[static_cast<size_t>(t)];
    bool ok =
        pn.accel >= 0 && nodes[pi].layer && nodes[pi].whole && !outputs.count(t) && !cons.empty();
    for (size_t c : cons)
      ok = ok && g.nodes[c].accel == pn.accel && nodes[c].layer && nodes[c].whole;
    if (ok) eligible.push_back(t);
  }

  // The schedules for a set of resident tensors: a layer touching one runs whole with its flags,
  // every other layer keeps the tiler's choice. nullopt when the L1 placement fails.
  struct Assignment {
    std::vector<std::optional<LayerSchedule>> schedules;
    int64_t cycles = 0;
  };
  auto assign = [&](const std::set<TensorId>& resident) -> std::optional<Assignment> {
    Assignment a;
    a.schedules.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (!nodes[i].best) continue;
      bool out = resident.count(g.nodes[i].outputs[0]) > 0;
      std::vector<TensorId> acts = activations(g, g.nodes[i]);
      bool any = out;
      for (TensorId t : acts) any = any || resident.count(t);
      if (!any) {
        a.schedules[i] = nodes[i].best;
      } else {
        LayerSchedule s = *nodes[i].whole;
        s.outResident = out;
        for (size_t k = 0; k < acts.size(); ++k) s.inResident[k] = resident.count(acts[k]) > 0;
        const AcceleratorDesc& acc = p.accelerators[static_cast<size_t>(g.nodes[i].accel)];
        sizeBuffers(*nodes[i].layer, s, acc);
        s.cost = costSchedule(*nodes[i].layer, s, acc);
        a.schedules[i] = std::move(s);
      }
      a.cycles += a.schedules[i]->cost.elapsed;
    }
    if (!resident.empty() && !fits(a.schedules)) return std::nullopt;
    return a;
  };

  std::set<TensorId> none;
  Assignment base = *assign(none);
  // Start from every eligible tensor resident (chains pay off as a whole: a layer that keeps only
  // one side in L1 loses its overlapped copies and may get slower), dropping the latest ones
  // until the placement fits; then remove any tensor whose removal helps, and add back any whose
  // addition helps, until nothing changes.
  std::set<TensorId> best(eligible.begin(), eligible.end());
  std::optional<Assignment> cur = assign(best);
  for (auto it = eligible.rbegin(); !cur && it != eligible.rend(); ++it) {
    best.erase(*it);
    cur = assign(best);
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (TensorId t : eligible) {
      std::set<TensorId> trial = best;
      if (trial.count(t))
        trial.erase(t);
      else
        trial.insert(t);
      std::optional<Assignment> a = assign(trial);
      if (a && a->cycles < cur->cycles) {
        best = std::move(trial);
        cur = std::move(a);
        changed = true;
      }
    }
  }
  ResidencyResult r;
  if (cur->cycles >= base.cycles) {
    r.schedules = std::move(base.schedules);
    return r;
  }
  r.schedules = std::move(cur->schedules);
  r.cyclesSaved = base.cycles - cur->cycles;
  for (TensorId t : eligible)
    if (best.count(t)) r.resident.push_back(t);
  return r;
}

}  // namespace htvm
