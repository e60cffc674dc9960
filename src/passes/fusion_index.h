// Bookkeeping shared by the fusion passes (fuse_requant, fuse_input_quant): how many times and by
// which node each tensor is read, which tensors are graph outputs, and which nodes a fusion has
// absorbed. A chain is only fused through tensors that exactly one node reads once and that are
// not graph outputs, so rewriting it cannot change what any other node or the caller sees.
#pragma once

#include <utility>
#include <vector>

#include "ir/graph.h"

namespace htvm {

struct FusionIndex {
  std::vector<int> uses;       // reads per tensor (Graph::useCounts)
  std::vector<int> reader;     // per tensor: the reading node, -1 none, -2 several
  std::vector<char> isOutput;  // per tensor: a graph output
  std::vector<char> claimed;   // per node: absorbed into a fused node (dropped by compact)

  explicit FusionIndex(const Graph& g)
      : uses(g.useCounts()),
        reader(g.tensors.size(), -1),
        isOutput(g.tensors.size(), 0),
        claimed(g.nodes.size(), 0) {
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (TensorId t : g.nodes[i].inputs)
        if (t >= 0) {
          int& r = reader[static_cast<size_t>(t)];
          r = r == -1 ? static_cast<int>(i) : -2;
        }
    for (TensorId t : g.outputs) isOutput[static_cast<size_t>(t)] = 1;
  }

  // Drops the claimed nodes from `g`, keeping the order of the others; returns how many.
  int compact(Graph& g) const {
    const size_t before = g.nodes.size();
    std::vector<Node> kept;
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (!claimed[i]) kept.push_back(std::move(g.nodes[i]));
    g.nodes = std::move(kept);
    return static_cast<int>(before - g.nodes.size());
  }
};

}  // namespace htvm
