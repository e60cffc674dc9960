// Static activation memory: places every intermediate tensor of a Graph at a fixed byte offset in
// one arena, reusing bytes of tensors that are dead.
//
// Liveness is taken over node order: a tensor is live from the node that produces it to its last
// consumer, both inclusive. A node's inputs and its output are therefore live at the same step and
// share bytes only when the node runs in place (below).
//
// Which tensors are in the arena: outputs of nodes that are not graph outputs. Constants (weights
// in flash), graph inputs and graph outputs live in caller-owned buffers and get offset -1.
//
// Aliasing: a Reshape whose input and output are both arena tensors of equal byte size shares its
// input's bytes (same offset) instead of copying; the pair is planned as one buffer whose lifetime
// spans both tensors. A Reshape reading or writing a caller buffer (e.g. producing the graph
// output) keeps its own storage and the generated code copies.
//
// In place: a CPU elementwise node (clip, shift_right, floor, floor_div, floor_div_f32, cast,
// qadd, add/sub/mul/div/max/min) may write its output over an input when both are arena tensors
// of the same element size and element count and that input's storage (with every Reshape alias
// of it) is read for the last time by this node. Each such kernel computes output element i from
// input element i only (a same-sized operand of a broadcasting op is indexed exactly as the
// output), reading it before writing it, so overwriting is safe. The pair is planned as one
// buffer, as Reshape aliases are; chains of in-place nodes share one buffer. Accelerator nodes
// never run in place (their DMA and tiling make no such promise), nor do graph inputs or outputs,
// which are caller-owned.
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

// Whether elementwise nodes may run in place (On), or every node output gets bytes of its own.
enum class InPlace { Off, On };

// Plans the arena for `g` (nodes in topological order). Offsets are multiples of `alignment`, and
// of each tensor's element size (so typed accesses are aligned even with alignment 1).
ArenaPlan planArena(const Graph& g, int64_t alignment = 4, InPlace inPlace = InPlace::On);

// Whether node `n` is an elementwise kind that may write its output over input `t` (op kind,
// placement and sizes only; liveness is the planner's and the checker's business).
bool mayRunInPlace(const Graph& g, const Node& n, TensorId t);

// Invariant checker: true if two arena tensors whose live ranges intersect also have intersecting
// byte ranges, unless they are legally the same storage: the input and output of a Reshape planned
// as an alias (same offset, same size), or the input and output of a node that may run in place
// (same offset, same size) when no other tensor sharing that input's storage is read after the
// node; also transitively through chains of such pairs.
bool anyBuffersOverlap(const Graph& g, const ArenaPlan& p);

// Live range of every tensor over node order: {first step, last step}; {-1, -1} for tensors no node
// produces (inputs, constants). Shared by the planner, the checker and reports.
struct LiveRange {
  int first = -1;
  int last = -1;
};
std::vector<LiveRange> liveRanges(const Graph& g);

}  // namespace htvm
