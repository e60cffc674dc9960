// Insert relayout: after partitioning, every tensor is stored in the layout of the core that
// produces it (accelerators have their own activation formats, the CPU uses NCHW). Where a consumer
// needs another layout, this pass inserts one CPU `relayout` node per (tensor, layout) right after
// the producer, so conversions happen only at real borders and consecutive layers on the same
// accelerator exchange data with no conversion at all.
//
// Needs: node.accel set (partition); `activationLayout` gives, for a node and one of its input
// positions (or -1 for its output), the layout that node reads/writes there (NCHW for CPU nodes and
// for constant operands). Keeps: values (relayout is the identity on logical values). Graph inputs
// and outputs stay NCHW.
#pragma once

#include <functional>

#include "ir/graph.h"

namespace htvm {

using LayoutQuery = std::function<Layout(const Graph&, const Node&, int operand)>;

struct RelayoutStats {
  int inserted = 0;
};

Result<RelayoutStats> insertRelayouts(Graph& g, const LayoutQuery& activationLayout);

}  // namespace htvm
