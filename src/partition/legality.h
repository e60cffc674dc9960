// Per-accelerator legality of one fused node, read from the platform's pattern data (no limits
// are written in code): does accelerator `a` accept node `n` as it stands (op, attributes, data
// types, constant operands), and does the layer fit the accelerator whole (no tiling yet)?
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

// For a legal node: "needs tiling: ..." when the activations (each rounded up to the DMA granule,
// sized in the pattern's layout) exceed the activation L1, or the weights exceed the weight
// memory (per job: a depthwise layer streams one channel block per job); nullopt if it fits.
std::optional<std::string> needsTiling(const Graph& g, const Node& n, const AcceleratorDesc& a);

}  // namespace htvm
