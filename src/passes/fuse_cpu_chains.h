// Fuse CPU chains: maximal trees of elementwise CPU nodes (add, sub, mul, div, max, min, clip,
// shift_right, floor, floor_div, floor_div_f32, quantize_f32, cast, relayout) become one loop in
// the generated C. A tree is a root node and every node feeding it, recursively, whose output has
// no reader outside the tree, is not a graph output and has the root's shape; the members are
// marked `Node::fusedInto = <root's output>`, so the arena planner gives their outputs no bytes
// and the C emitter computes them in the root's loop (emit_cpu_chain.cpp), reading the tree's
// other inputs (its leaves) in their own layouts: a relayout inside a tree costs nothing, and one
// at its root writes the accelerator's layout directly. Only the nodes are marked; the graph and
// its values are unchanged, so the interpreter keeps executing every op on its own.
//
// Needs: placement and layouts final (after insert-relayout), before plan-arena. Leaves in an
// accelerator layout must have the root's shape (NCHW leaves may broadcast, numpy-style).
#pragma once

#include "ir/graph.h"
#include "support/diag.h"

namespace htvm {

struct FuseChainStats {
  int chains = 0;   // roots with at least one member
  int members = 0;  // nodes computed inside a chain's loop
};

// Whether the C emitter can compute `op` inside a fused loop.
bool fusableOnCpu(OpKind op);

FuseChainStats fuseCpuChains(Graph& g);

}  // namespace htvm
