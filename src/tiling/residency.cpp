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

  // The schedule of layer i for a set of resident tensors: whole with its flags when it touches
  // one, else the tiler's choice.
  auto touchesResident = [&](size_t i, const std::set<TensorId>& resident) {
    bool any = resident.count(g.nodes[i].outputs[0]) > 0;
    for (TensorId t : activations(g, g.nodes[i])) any = any || resident.count(t);
    return any;
  };
  auto scheduleOf = [&](size_t i, const std::set<TensorId>& resident) -> LayerSchedule {
    if (!touchesResident(i, resident)) return *nodes[i].best;
    bool out = resident.count(g.nodes[i].outputs[0]) > 0;
    std::vector<TensorId> acts = activations(g, g.nodes[i]);
    LayerSchedule s = *nodes[i].whole;
    s.outResident = out;
    for (size_t k = 0; k < acts.size(); ++k) s.inResident[k] = resident.count(acts[k]) > 0;
    const AcceleratorDesc& acc = p.accelerators[static_cast<size_t>(g.nodes[i].accel)];
    sizeBuffers(*nodes[i].layer, s, acc);
    s.cost = costSchedule(*nodes[i].layer, s, acc);
    return s;
  };
  auto schedulesOf = [&](const std::set<TensorId>& resident) {
    std::vector<std::optional<LayerSchedule>> v(n);
    for (size_t i = 0; i < n; ++i)
      if (nodes[i].best) v[i] = scheduleOf(i, resident);
    return v;
  };
  auto placeable = [&](const std::set<TensorId>& resident) {
    return resident.empty() || fits(schedulesOf(resident));
  };
  // Flipping tensor t changes the schedules of its producer and its consumers only, so a trial is
  // priced from those layers (O(degree)) and only an improving trial pays for the placement
  // check over the whole graph; that keeps the search near-linear in the number of layers.
  std::vector<size_t> producer(g.tensors.size(), n);
  for (size_t i = 0; i < n; ++i) producer[static_cast<size_t>(g.nodes[i].outputs[0])] = i;
  auto touched = [&](TensorId t) {
    std::set<size_t> v(consumers[static_cast<size_t>(t)].begin(),
                       consumers[static_cast<size_t>(t)].end());
    v.insert(producer[static_cast<size_t>(t)]);
    return v;
  };
  // A layer's cycles under a set, without copying the tiler's schedule when the set leaves it be.
  auto cyclesOf = [&](size_t i, const std::set<TensorId>& resident) {
    return touchesResident(i, resident) ? scheduleOf(i, resident).cost.elapsed
                                        : nodes[i].best->cost.elapsed;
  };
  std::vector<int64_t> cost(n, 0);  // per layer, for the current set
  auto costAll = [&](const std::set<TensorId>& resident) {
    int64_t total = 0;
    for (size_t i = 0; i < n; ++i)
      if (nodes[i].best) total += cost[i] = cyclesOf(i, resident);
    return total;
  };

  const int64_t baseCycles = costAll({});
  // Start from every eligible tensor resident (chains pay off as a whole: a layer that keeps only
  // one side in L1 loses its overlapped copies and may get slower), dropping the latest ones
  // until the placement fits; then remove any tensor whose removal helps, and add back any whose
  // addition helps, until nothing changes.
  std::set<TensorId> best(eligible.begin(), eligible.end());
  bool placed = placeable(best);
  for (auto it = eligible.rbegin(); !placed && it != eligible.rend(); ++it) {
    best.erase(*it);
    placed = placeable(best);
  }
  int64_t cycles = costAll(best);
  for (bool changed = true; changed;) {
    changed = false;
    for (TensorId t : eligible) {
      // Flip t in place (copying the set per trial would make a sweep quadratic); undo on reject.
      const bool wasResident = best.count(t) > 0;
      if (wasResident)
        best.erase(t);
      else
        best.insert(t);
      int64_t delta = 0;
      std::vector<std::pair<size_t, int64_t>> updated;
      for (size_t i : touched(t)) {
        if (!nodes[i].best) continue;
        int64_t c = cyclesOf(i, best);
        delta += c - cost[i];
        updated.push_back({i, c});
      }
      if (delta >= 0 || !placeable(best)) {
        if (wasResident)
          best.insert(t);
        else
          best.erase(t);
        continue;
      }
      cycles += delta;
      for (const auto& [i, c] : updated) cost[i] = c;
      changed = true;
    }
  }
  ResidencyResult r;
  if (cycles >= baseCycles) {
    r.schedules = schedulesOf({});
    return r;
  }
  r.schedules = schedulesOf(best);
  r.cyclesSaved = baseCycles - cycles;
  for (TensorId t : eligible)
    if (best.count(t)) r.resident.push_back(t);
  return r;
}

}  // namespace htvm
