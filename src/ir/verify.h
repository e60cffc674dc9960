// Structural verifier for the IR: topological order, single definition per tensor, arity,
// attribute kinds, element-type rules and shape rules from the op registry. Every pass may run it
// afterwards (`--verify-each`); a failure names the node and the broken rule.
#pragma once

#include "ir/graph.h"

namespace htvm {

Status verify(const Graph& g);

}  // namespace htvm
