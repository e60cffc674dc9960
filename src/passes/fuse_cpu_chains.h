// Fuse CPU chains: maximal trees of elementwise CPU nodes (add, sub, mul, div, max, min, clip,
// shift_right, floor, floor_div, floor_div_f32, quantize_f32, cast, relayout) become one loop in
// the generated C. A tree is a root node and every node feeding it, recursively, whose output has
// no reader outside the tree, is not a graph output and has the root's shape (its input's, for a
// pooling root); the members are marked `Node::fusedInto = <root's output>`, so the arena planner
// gives their outputs no bytes and the C emitter computes them in the root's loop
// (emit_cpu_chain.cpp), reading the tree's
// other inputs (its leaves) in their own layouts: a relayout inside a tree costs nothing, and one
// at its root writes the accelerator's layout directly. A global pooling node (global_sum,
// global_avg_pool) may also be a root: its loop runs over the pooling's input, so the relayout
// and elementwise work in front of a CPU pooling fold into the sum.
//
// Before the trees are formed, CPU elementwise readers of an NCHW value that a relayout also
// copies into an accelerator layout read the copy instead (the same values), so the relayout
// becomes that value's only reader and the root of its tree. After, every CPU elementwise node
// left alone that touches an accelerator layout (standalone relayouts included) is a root of its
// own: its loop writes no padding. Values are unchanged and nodes only marked (plus those
// redirected inputs), so the interpreter keeps executing every op on its own.
//
// Needs: placement and layouts final (after insert-relayout), before plan-arena. Leaves in an
// accelerator layout must have the root's shape (NCHW leaves may broadcast, numpy-style).
#pragma once

#include "ir/graph.h"
#include "support/diag.h"

namespace htvm {

struct FuseChainStats {
  int chains = 0;      // roots with at least one member
  int members = 0;     // nodes computed inside a chain's loop
  int single = 0;      // nodes in an accelerator layout emitted as a one-node loop
  int redirected = 0;  // inputs that now read a relayout's result instead of its NCHW source
};

// Whether the C emitter can compute `op` inside a fused loop.
bool fusableOnCpu(OpKind op);

FuseChainStats fuseCpuChains(Graph& g);

}  // namespace htvm
