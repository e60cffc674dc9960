// Fuse CPU chains. See fuse_cpu_chains.h.
#include "passes/fuse_cpu_chains.h"

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

}  // namespace

FuseChainStats fuseCpuChains(Graph& g) {
  const size_t nt = g.tensors.size();
  std::vector<int> producer(nt, -1), readers(nt, 0);
  std::vector<char> isOutput(nt, 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (TensorId t : g.nodes[i].inputs)
      if (t >= 0) ++readers[static_cast<size_t>(t)];
    for (TensorId t : g.nodes[i].outputs) producer[static_cast<size_t>(t)] = static_cast<int>(i);
  }
  for (TensorId t : g.outputs) isOutput[static_cast<size_t>(t)] = 1;

  FuseChainStats stats;
  // Roots from the end, so that each tree is maximal: a node joins the tree of its only reader.
  for (size_t r = g.nodes.size(); r-- > 0;) {
    if (!isFusable(g.nodes[r])) continue;
    const TensorId root = g.nodes[r].outputs[0];
    const Shape loop = g.type(root).shape;
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
  return stats;
}

}  // namespace htvm
