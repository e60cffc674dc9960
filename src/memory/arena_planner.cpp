// Greedy-by-size arena planner with Reshape aliasing and in-place elementwise nodes, and its
// overlap checker; see arena_planner.h for the algorithm and the in-place rule.
#include "memory/arena_planner.h"

#include "ir/op_registry.h"

#include <algorithm>
#include <numeric>

namespace htvm {
namespace {

int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

bool lifetimesIntersect(const LiveRange& a, const LiveRange& b) {
  return a.first <= b.last && b.first <= a.last;
}

// Tensors the arena holds: node outputs that are not graph outputs (graph inputs and constants are
// never node outputs in a verified graph).
std::vector<char> arenaTensors(const Graph& g) {
  std::vector<char> in(g.tensors.size(), 0);
  for (const Node& n : g.nodes)
    for (TensorId o : n.outputs) in.at(static_cast<size_t>(o)) = n.fusedInto < 0;  // fused: no bytes
  for (TensorId o : g.outputs) in.at(static_cast<size_t>(o)) = 0;
  for (TensorId i : g.inputs) in.at(static_cast<size_t>(i)) = 0;
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (g.tensors[t].isConstant()) in[t] = 0;
  return in;
}

// Union-find root (alias groups are tiny; no rank needed).
int find(const std::vector<int>& parent, int x) {
  while (parent[static_cast<size_t>(x)] != x) x = parent[static_cast<size_t>(x)];
  return x;
}

// Storage groups: tensors that are legally the same bytes (Reshape aliases, in-place pairs), as a
// union-find over TensorIds that also tracks the last step at which any member is read.
class StorageGroups {
 public:
  explicit StorageGroups(const std::vector<LiveRange>& live) : parent_(live.size()) {
    std::iota(parent_.begin(), parent_.end(), 0);
    for (const LiveRange& lr : live) last_.push_back(lr.last);
  }
  int root(TensorId t) const { return find(parent_, t); }
  int last(TensorId t) const { return last_[static_cast<size_t>(root(t))]; }
  void unite(TensorId keep, TensorId add) {
    int r = root(keep), a = root(add);
    if (r == a) return;
    parent_[static_cast<size_t>(a)] = r;
    int& last = last_[static_cast<size_t>(r)];
    last = std::max(last, last_[static_cast<size_t>(a)]);
  }

 private:
  std::vector<int> parent_;
  std::vector<int> last_;
};

// The input of node `step` whose storage `out` may take over: an in-place candidate whose group
// is read for the last time here and that `sameStorage` accepts; -1 if none.
template <typename SameStorage>
TensorId inPlaceInput(const Graph& g, const Node& n, int step, const StorageGroups& groups,
                      SameStorage sameStorage) {
  if (n.outputs.size() != 1) return -1;
  for (TensorId in : n.inputs)
    if (in >= 0 && mayRunInPlace(g, n, in) && groups.last(in) == step &&
        sameStorage(in, n.outputs[0]))
      return in;
  return -1;
}

struct Buffer {
  int root;  // representative TensorId
  int64_t size;
  LiveRange live;
  int64_t align;
  int64_t offset = -1;
};

}  // namespace

bool mayRunInPlace(const Graph& g, const Node& n, TensorId t) {
  // A fused chain's loop reads its leaves in their own layouts and broadcasts: no in-place promise.
  if (n.accel >= 0 || t < 0 || n.outputs.size() != 1 || n.fusedInto >= 0 || n.fusedRoot)
    return false;
  if (!opProps(n.op).inPlaceSafe) return false;
  const TensorType& in = g.type(t);
  const TensorType& out = g.type(n.outputs[0]);
  return dtypeBytes(in.dtype) == dtypeBytes(out.dtype) && in.elements() == out.elements() &&
         in.layout == out.layout;
}

std::vector<LiveRange> liveRanges(const Graph& g) {
  std::vector<LiveRange> r(g.tensors.size());
  // A node fused into a chain reads its inputs when the chain's root runs.
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId o : g.nodes[i].outputs) producer[static_cast<size_t>(o)] = static_cast<int>(i);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    int step = n.fusedInto >= 0 ? producer.at(static_cast<size_t>(n.fusedInto)) : static_cast<int>(i);
    for (TensorId in : g.nodes[i].inputs)
      if (in >= 0) r.at(static_cast<size_t>(in)).last = std::max(r[static_cast<size_t>(in)].last, step);
    for (TensorId o : g.nodes[i].outputs) {
      LiveRange& lr = r.at(static_cast<size_t>(o));
      lr.first = step;
      lr.last = std::max(lr.last, step);
    }
  }
  // Tensors read by nobody and never produced keep {-1, x}; normalise to {-1, -1}.
  for (LiveRange& lr : r)
    if (lr.first < 0) lr.last = -1;
  return r;
}

ArenaPlan planArena(const Graph& g, int64_t alignment, InPlace inPlace) {
  HTVM_CHECK(alignment >= 1) << "arena alignment " << alignment << " must be positive";
  const size_t nt = g.tensors.size();
  ArenaPlan plan;
  plan.alignment = alignment;
  plan.offset.assign(nt, -1);
  plan.bytes.assign(nt, 0);

  std::vector<char> inArena = arenaTensors(g);
  std::vector<LiveRange> live = liveRanges(g);

  // Storage groups, in node order: a Reshape between two equally sized arena tensors shares its
  // input's buffer; an in-place node's output shares the buffer of the input it overwrites.
  StorageGroups groups(live);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.outputs.empty() || !inArena[static_cast<size_t>(n.outputs[0])]) continue;
    TensorId out = n.outputs[0];
    if (n.op == OpKind::Reshape) {
      TensorId in = n.inputs.at(0);
      if (inArena[static_cast<size_t>(in)] && g.type(in).bytes() == g.type(out).bytes())
        groups.unite(in, out);
      continue;
    }
    if (inPlace == InPlace::Off) continue;
    TensorId in = inPlaceInput(g, n, static_cast<int>(i), groups, [&](TensorId a, TensorId) {
      return inArena[static_cast<size_t>(a)] != 0;
    });
    if (in >= 0) groups.unite(in, out);
  }

  // One buffer per group, spanning its members' lifetimes.
  std::vector<int> bufferOf(nt, -1);
  std::vector<Buffer> buffers;
  for (size_t t = 0; t < nt; ++t) {
    if (!inArena[t]) continue;
    int root = groups.root(static_cast<TensorId>(t));
    int64_t elemAlign = std::max<int64_t>(alignment, dtypeBytes(g.tensors[t].type.dtype));
    if (bufferOf[static_cast<size_t>(root)] < 0) {
      bufferOf[static_cast<size_t>(root)] = static_cast<int>(buffers.size());
      buffers.push_back({root, g.tensors[t].type.bytes(), live[t], elemAlign});
    }
    Buffer& b = buffers[static_cast<size_t>(bufferOf[static_cast<size_t>(root)])];
    bufferOf[t] = bufferOf[static_cast<size_t>(root)];
    b.live.first = std::min(b.live.first, live[t].first);
    b.live.last = std::max(b.live.last, live[t].last);
    b.align = std::max(b.align, elemAlign);
  }

  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Buffer &x = buffers[a], &y = buffers[b];
    if (x.size != y.size) return x.size > y.size;
    if (x.live.first != y.live.first) return x.live.first < y.live.first;
    return x.root < y.root;
  });

  // Placed buffers by the steps they are alive at, so that finding a buffer's conflicts costs its
  // lifetime's length, not the number of buffers placed (a graph of thousands of layers would
  // otherwise be planned in quadratic time). Only for well-formed lifetimes; else all are scanned.
  int steps = 0;
  bool byStep = true;
  for (const Buffer& b : buffers) {
    byStep = byStep && b.live.first >= 0 && b.live.first <= b.live.last;
    steps = std::max(steps, b.live.last + 1);
  }
  std::vector<std::vector<size_t>> liveAt(byStep ? static_cast<size_t>(steps) : 0);
  std::vector<size_t> seenBy(buffers.size(), buffers.size());
  std::vector<size_t> placed;
  for (size_t bi : order) {
    Buffer& b = buffers[bi];
    // Already placed buffers alive at the same time, by offset: take the first gap that fits.
    std::vector<size_t> conflicts;
    if (byStep) {
      for (int s = b.live.first; s <= b.live.last; ++s)
        for (size_t pi : liveAt[static_cast<size_t>(s)])
          if (seenBy[pi] != bi && buffers[pi].size > 0) {
            seenBy[pi] = bi;
            conflicts.push_back(pi);
          }
    } else {
      for (size_t pi : placed)
        if (lifetimesIntersect(buffers[pi].live, b.live) && buffers[pi].size > 0)
          conflicts.push_back(pi);
    }
    std::sort(conflicts.begin(), conflicts.end(), [&](size_t x, size_t y) {
      return buffers[x].offset != buffers[y].offset ? buffers[x].offset < buffers[y].offset : x < y;
    });
    int64_t candidate = 0;
    for (size_t ci : conflicts) {
      const Buffer& c = buffers[ci];
      if (candidate + b.size <= c.offset) break;
      candidate = std::max(candidate, alignUp(c.offset + c.size, b.align));
    }
    b.offset = candidate;
    placed.push_back(bi);
    if (byStep)
      for (int st = b.live.first; st <= b.live.last; ++st) liveAt[static_cast<size_t>(st)].push_back(bi);
    plan.size = std::max(plan.size, b.offset + b.size);
  }
  plan.size = alignUp(plan.size, alignment);

  for (size_t t = 0; t < nt; ++t) {
    if (bufferOf[t] < 0) continue;
    plan.offset[t] = buffers[static_cast<size_t>(bufferOf[t])].offset;
    plan.bytes[t] = g.tensors[t].type.bytes();
  }

  // Liveness lower bound: the peak, over steps, of the bytes of buffers alive at that step (a
  // running sum of sizes added at a lifetime's first step and removed after its last).
  const size_t ns = g.nodes.size();
  std::vector<int64_t> delta(std::max(ns, static_cast<size_t>(steps)) + 1, 0);
  for (const Buffer& b : buffers) {
    if (b.live.last < 0 || b.live.first > b.live.last) continue;  // alive at no step
    delta[static_cast<size_t>(std::max(b.live.first, 0))] += b.size;
    delta[static_cast<size_t>(b.live.last) + 1] -= b.size;
  }
  int64_t liveBytes = 0;
  for (size_t s = 0; s < ns; ++s) {
    liveBytes += delta[s];
    plan.lowerBound = std::max(plan.lowerBound, liveBytes);
  }
  return plan;
}

bool anyBuffersOverlap(const Graph& g, const ArenaPlan& p) {
  const size_t nt = g.tensors.size();
  HTVM_CHECK(p.offset.size() == nt && p.bytes.size() == nt)
      << "plan has " << p.offset.size() << " entries for " << nt << " tensors";
  std::vector<LiveRange> live = liveRanges(g);

  // Pairs planned as the same storage (same offset, same size): Reshape aliases, and in-place
  // nodes whose overwritten input (with its aliases) is not read after the node.
  StorageGroups groups(live);
  auto sameStorage = [&](TensorId a, TensorId b) {
    size_t x = static_cast<size_t>(a), y = static_cast<size_t>(b);
    return p.offset[x] >= 0 && p.offset[x] == p.offset[y] && p.bytes[x] == p.bytes[y];
  };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.outputs.empty()) continue;
    if (n.op == OpKind::Reshape) {
      if (sameStorage(n.inputs.at(0), n.outputs[0])) groups.unite(n.inputs[0], n.outputs[0]);
      continue;
    }
    TensorId in = inPlaceInput(g, n, static_cast<int>(i), groups, sameStorage);
    if (in >= 0) groups.unite(in, n.outputs[0]);
  }

  std::vector<size_t> arena;
  for (size_t t = 0; t < nt; ++t)
    if (p.offset[t] >= 0 && p.bytes[t] > 0) arena.push_back(t);
  for (size_t i = 0; i < arena.size(); ++i) {
    for (size_t j = i + 1; j < arena.size(); ++j) {
      size_t a = arena[i], b = arena[j];
      if (!lifetimesIntersect(live[a], live[b])) continue;
      bool bytesIntersect =
          p.offset[a] < p.offset[b] + p.bytes[b] && p.offset[b] < p.offset[a] + p.bytes[a];
      if (!bytesIntersect) continue;
      if (groups.root(static_cast<TensorId>(a)) == groups.root(static_cast<TensorId>(b))) continue;
      return true;
    }
  }
  return false;
}

}  // namespace htvm
