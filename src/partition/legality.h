// Per-accelerator legality of one fused node, read from the platform's pattern data (no limits
// are written in code): does accelerator `a` accept node `n` as it stands (op, attributes, data
// types, constant operands)? Whether some tiling of a legal layer fits the accelerator's memories
// is the tiler's answer (tiling/tiler.h), asked by the partition.
// The checks report every rule that fails, each phrased with its values, e.g.
// "kernel 9x9 not in {1,3,5,7}". Callers prefix the node and accelerator names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "platform/platform.h"

namespace htvm {

// The storage layout `a` uses for op `op`, or nullopt when `a` has no pattern for it.
std::optional<Layout> patternLayout(const AcceleratorDesc& a, OpKind op);

// Every rule of `a`'s pattern (HTVM's legality rules as data in the platform file) that `n`
// breaks, in check order; empty if legal. Requires patternLayout(a, n.op).
std::vector<std::string> illegalRules(const Graph& g, const Node& n, const AcceleratorDesc& a);
// The same as one phrase, rules joined by " and ", e.g. "kernel 9x9 not in {1,3,5,7} and stride
// 3x3 not in {1,2}"; nullopt if legal.
std::optional<std::string> illegalReason(const Graph& g, const Node& n, const AcceleratorDesc& a);

}  // namespace htvm
