// Static activation memory: places every intermediate tensor of a Graph at a fixed byte offset in
// one arena, reusing bytes of tensors that are dead.
//
// Liveness is taken over node order: a tensor is live from the node that produces it to its last
// consumer, both inclusive. A node's inputs and its output are therefore live at the same step and
// never share bytes (kernels do not run in place).
//
// Which tensors are in the arena: outputs of nodes that are not graph outputs. Constants (weights
// in flash), graph inputs and graph outputs live in caller-owned buffers and get offset -1.
//
// Aliasing: a Reshape whose input and output are both arena tensors of equal byte size shares its
// input's bytes (same offset) instead of copying; the pair is planned as one buffer whose lifetime
// spans both tensors. A Reshape reading or writing a caller buffer (e.g. producing the graph
// output) keeps its own storage and the generated code copies.
//
// Placement is greedy, in the manner of "greedy by size" offset assignment: buffers are taken in
// decreasing size order (ties: earlier first use, then lower tensor id, so plans are
// deterministic); each goes to the lowest aligned offset whose byte range does not intersect any
// already placed buffer with an overlapping lifetime. Finding the smallest arena is NP-complete (it
// contains dynamic storage allocation), so this is a heuristic with no optimality guarantee: the
// result is at least `lowerBound` (the peak of simultaneously live bytes) and usually close to it,
// but may exceed it when lifetimes interleave unfavourably.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace htvm {

struct ArenaPlan {
  std::vector<int64_t> offset;  // per TensorId: byte offset in the arena, -1 if not in the arena
  std::vector<int64_t>
      bytes;         // per TensorId: bytes reserved (the tensor's size; 0 if not in the arena)
  int64_t size = 0;  // arena bytes
  int64_t lowerBound = 0;  // max over steps of the bytes live at that step
  int64_t alignment = 4;   // every arena offset is a multiple of this
};

// Plans the arena for `g` (nodes in topological order). Offsets are multiples of `alignment`, and
// of each tensor's element size (so typed accesses are aligned even with alignment 1).
ArenaPlan planArena(const Graph& g, int64_t alignment = 4);

// Invariant checker: true if two arena tensors whose live ranges intersect also have intersecting
// byte ranges, unless they are the input and output of a Reshape planned as an alias (same offset,
// same size; also transitively through chains of such Reshapes).
bool anyBuffersOverlap(const Graph& g, const ArenaPlan& p);

// Live range of every tensor over node order: {first step, last step}; {-1, -1} for tensors no node
// produces (inputs, constants). Shared by the planner, the checker and reports.
struct LiveRange {
  int first = -1;
  int last = -1;
};
std::vector<LiveRange> liveRanges(const Graph& g);

}  // namespace htvm
