// Per-accelerator legality of one fused node, read from the platform's pattern data (no limits
// are written in code): does accelerator `a` accept node `n` as it stands (op, attributes, data
// types, constant operands)? Whether some tiling of a legal layer fits the accelerator's memories
// is the tiler's answer (tiling/tiler.h), asked by the partition.
// Each check returns the first rule that fails, phrased with its values, e.g.
// "kernel 9x9 not in {1,3,5,7}", or nullopt. Callers prefix the node and accelerator names.
#pragma once

#include <optional>
#include <string>

#include "ir/graph.h"
#include "platform/platform.h"

namespace htvm {

// The storage layout `a` uses for op `op`, or nullopt when `a` has no pattern for it.
std::optional<Layout> patternLayout(const AcceleratorDesc& a, OpKind op);

// Why `a` cannot run `n` (HTVM's legality rules as data in the platform file); nullopt if legal.
// Requires patternLayout(a, n.op).
std::optional<std::string> illegalReason(const Graph& g, const Node& n, const AcceleratorDesc& a);

}  // namespace htvm
