// Fuse CPU chains. See fuse_cpu_chains.h.
#include "passes/fuse_cpu_chains.h"

#include <algorithm>
#include <vector>

#include "ir/layout.h"

namespace htvm {

bool fusableOnCpu(OpKind op) {
  switch (op) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Max:
    case OpKind::Min:
    case OpKind::Clip:
    case OpKind::ShiftRight:
    case OpKind::Floor:
    case OpKind::FloorDiv:
    case OpKind::FloorDivF32:
    case OpKind::QuantizeF32:
    case OpKind::Cast:
    case OpKind::Relayout: return true;
    default: return false;
  }
}

namespace {

bool isFusable(const Node& n) {
  return n.accel < 0 && n.fusedInto < 0 && n.outputs.size() == 1 && fusableOnCpu(n.op);
}

// A global pooling node can root a tree (never join one): its loop runs over its input, the tree
// computes each input element and the root adds it to the channel's sum, so the relayout that
// feeds a CPU pooling from an accelerator (and anything elementwise before it) costs no pass.
bool isPoolingRoot(const Node& n) {
  return n.accel < 0 && n.fusedInto < 0 && n.outputs.size() == 1 && n.inputs.size() == 1 &&
         (n.op == OpKind::GlobalSum || n.op == OpKind::GlobalAvgPool);
}

bool poolsAPlane(const Graph& g, const Node& n) {
  const Shape& s = g.type(n.inputs[0]).shape;
  return s.size() == 4 && s[2] * s[3] > 1 && g.type(n.outputs[0]).layout == Layout::NCHW;
}

// A leaf in an accelerator layout is read at the loop's logical index, so it must have the loop's
// shape; an NCHW leaf may broadcast to it.
bool leafReadable(const TensorType& leaf, const Shape& loop) {
  if (leaf.layout == Layout::NCHW) {
    if (leaf.shape.size() > loop.size()) return false;
    size_t off = loop.size() - leaf.shape.size();
    for (size_t k = 0; k < leaf.shape.size(); ++k)
      if (leaf.shape[k] != 1 && leaf.shape[k] != loop[k + off]) return false;
    return true;
  }
  return leaf.shape == loop;
}

// A value that an accelerator needs in its layout and that later CPU elementwise nodes also read
// (a residual block's input: the conv and the skip add) is held twice: NCHW for the CPU, and the
// relayout's copy. The CPU readers after the relayout can read the copy instead (a chain reads any
// layout at the loop's index, and the values are the same), so the NCHW value keeps the relayout
// as its only reader and the relayout becomes the root of the tree that computes it: one pass
// writes the accelerator's layout and nothing else. Returns how many inputs were redirected.
int shareRelayouts(Graph& g, const std::vector<int>& producer) {
  int redirected = 0;
  for (size_t r = 0; r < g.nodes.size(); ++r) {
    const Node& rl = g.nodes[r];
    if (rl.op != OpKind::Relayout || rl.accel >= 0 || rl.inputs.size() != 1) continue;
    const TensorId from = rl.inputs[0], to = rl.outputs[0];
    if (g.type(from).layout != Layout::NCHW || g.type(to).shape != g.type(from).shape) continue;
    const int p = producer[static_cast<size_t>(from)];
    if (p < 0 || !isFusable(g.nodes[static_cast<size_t>(p)])) continue;
    if (std::find(g.outputs.begin(), g.outputs.end(), from) != g.outputs.end()) continue;
    // Every other reader must come after the relayout and be a CPU elementwise node over the
    // value's shape; otherwise the NCHW value stays and nothing changes.
    std::vector<size_t> others;
    bool all = true;
    for (size_t i = 0; i < g.nodes.size() && all; ++i) {
      if (i == r) continue;
      const Node& n = g.nodes[i];
      if (std::find(n.inputs.begin(), n.inputs.end(), from) == n.inputs.end()) continue;
      all = i > r && isFusable(n) && g.type(n.outputs[0]).shape == g.type(from).shape;
      others.push_back(i);
    }
    if (!all || others.empty()) continue;
    for (size_t i : others)
      for (TensorId& t : g.nodes[i].inputs)
        if (t == from) t = to, ++redirected;
  }
  return redirected;
}

}  // namespace

FuseChainStats fuseCpuChains(Graph& g) {
  const size_t nt = g.tensors.size();
  std::vector<int> producer(nt, -1), readers(nt, 0);
  std::vector<char> isOutput(nt, 0);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId t : g.nodes[i].outputs) producer[static_cast<size_t>(t)] = static_cast<int>(i);
  FuseChainStats stats;
  stats.redirected = shareRelayouts(g, producer);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId t : g.nodes[i].inputs)
      if (t >= 0) ++readers[static_cast<size_t>(t)];
  for (TensorId t : g.outputs) isOutput[static_cast<size_t>(t)] = 1;

  // Roots from the end, so that each tree is maximal: a node joins the tree of its only reader.
  for (size_t r = g.nodes.size(); r-- > 0;) {
    const bool pooling = isPoolingRoot(g.nodes[r]) && poolsAPlane(g, g.nodes[r]);
    if (!pooling && !isFusable(g.nodes[r])) continue;
    const TensorId root = g.nodes[r].outputs[0];
    const Shape loop = g.type(pooling ? g.nodes[r].inputs[0] : root).shape;
    std::vector<size_t> members, work{r};
    while (!work.empty()) {
      size_t i = work.back();
      work.pop_back();
      for (TensorId t : g.nodes[i].inputs) {
        if (t < 0) continue;
        int p = producer[static_cast<size_t>(t)];
        bool join = p >= 0 && isFusable(g.nodes[static_cast<size_t>(p)]) &&
                    readers[static_cast<size_t>(t)] == 1 && !isOutput[static_cast<size_t>(t)] &&
                    g.type(t).shape == loop;
        if (join) {
          // Its own leaves must be readable at the loop's index too.
          for (TensorId in : g.nodes[static_cast<size_t>(p)].inputs)
            if (in >= 0 && producer[static_cast<size_t>(in)] < 0 && !leafReadable(g.type(in), loop))
              join = false;
        }
        if (join) {
          g.nodes[static_cast<size_t>(p)].fusedInto = root;
          members.push_back(static_cast<size_t>(p));
          work.push_back(static_cast<size_t>(p));
        }
      }
    }
    // The leaves that remain (inputs not computed in the tree) must be readable at the loop's
    // index; otherwise the tree is undone and the root stays an ordinary node.
    bool readable = true;
    auto checkLeaves = [&](size_t i) {
      for (TensorId t : g.nodes[i].inputs)
        if (t >= 0 && (producer[static_cast<size_t>(t)] < 0 ||
                       g.nodes[static_cast<size_t>(producer[static_cast<size_t>(t)])].fusedInto != root))
          readable = readable && leafReadable(g.type(t), loop);
    };
    checkLeaves(r);
    for (size_t m : members) checkLeaves(m);
    if (!readable || members.empty()) {
      for (size_t m : members) g.nodes[m].fusedInto = -1;
      continue;
    }
    g.nodes[r].fusedRoot = true;
    ++stats.chains;
    stats.members += static_cast<int>(members.size());
  }
  // A node left alone that reads or writes an accelerator layout (a relayout, or a reader
  // redirected above) runs as a one-node loop: the chain's loop reads and writes any layout and
  // writes no padding, where the NCHW kernels cannot read it and the relayout kernel zero-fills it.
  for (Node& n : g.nodes) {
    if (n.fusedRoot || !isFusable(n)) continue;
    const Shape& loop = g.type(n.outputs[0]).shape;
    bool padded = g.type(n.outputs[0]).layout != Layout::NCHW, readable = true;
    for (TensorId t : n.inputs)
      if (t >= 0) {
        padded = padded || g.type(t).layout != Layout::NCHW;
        readable = readable && leafReadable(g.type(t), loop);
      }
    if (padded && readable) {
      n.fusedRoot = true;
      ++stats.single;
    }
  }
  return stats;
}

}  // namespace htvm
