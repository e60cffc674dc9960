// L1 placement for accelerator layers, at compile time. Each accelerator layer comes with its
// schedule (tiling/tile_plan.h): per activation operand and for the output, the size of one buffer
// and how many (2 when double-buffered). Buffers are aligned and their sizes already cover the
// DMA granule rounding (docs/ACCELERATOR_FORMATS.md, DMA).
//
// Cross-layer residency: when a layer's schedule marks its output resident (and its consumers
// mark that operand resident), the tensor keeps one L1 slot from its producer to its last consumer
// on the same accelerator and never goes to L2. Resident slots are placed first, from the top of
// L1 down (first fit over lifetimes, like the arena planner), so that the per-layer working
// buffers, placed next from the bottom up in the gaps the live resident slots leave, see one large
// free region. Within a layer no two buffers overlap, and no buffer overlaps a resident slot live
// during the layer; layers on one accelerator run one at a time, so this is every overlap that
// matters. Greedy, not optimal: a placement failure is reported and the caller (the residency
// decision) drops the tensor it was trying to keep.
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"
#include "support/diag.h"
#include "tiling/tile_plan.h"

namespace htvm {

struct L1Buffer {
  TensorId tensor = -1;
  int64_t offset = 0;
  int64_t bytes = 0;  // reserved (aligned, granule-rounded)
};

struct L1LayerPlan {
  int32_t accel = -1;            // -1: CPU layer, no L1 use
  std::vector<L1Buffer> inputs;  // activation operands in input order (constants excluded): the
                                 // first buffer of each (or its resident slot)
  L1Buffer output;               // the first output buffer (or the resident slot)
  int64_t used = 0;              // end of the highest buffer or live resident slot of the layer
  LayerSchedule schedule;
  // Bytes of the layer's constant arrays in its accelerator's formats (weight streams, the analog
  // array and its BN vectors): flash, from the backend's size rule (backend.h weightArrayBytes).
  int64_t weightBytes = 0;
  std::vector<std::vector<int64_t>> inputOffsets;  // per operand: offset of each of its buffers
  std::vector<int64_t> outputOffsets;              // offset of each output buffer
};

// A tensor kept in L1 between layers.
struct L1Resident {
  TensorId tensor = -1;
  int32_t accel = -1;
  int64_t offset = 0, bytes = 0;
  size_t producer = 0,
         lastConsumer = 0;  // node indices: the slot is live over [producer, lastConsumer]
};

struct L1Plan {
  std::vector<L1LayerPlan> layers;  // indexed like g.nodes
  std::vector<L1Resident> residents;
};

struct L1Limits {
  std::vector<int64_t> activationBytes;  // per accelerator
  std::vector<int64_t> granuleBytes;     // per accelerator
  int64_t alignment = 32;
};

// Places the buffers of every node with a schedule (schedules[i] set iff g.nodes[i].accel >= 0).
// Fails, naming the node or tensor, when a layer or a resident slot does not fit.
Result<L1Plan> planL1(const Graph& g, const L1Limits& limits,
                      const std::vector<std::optional<LayerSchedule>>& schedules);
// Invariant checker: within each layer, its buffers and the resident slots live during it are
// inside L1 and pairwise disjoint (a resident operand may appear twice, as the same slot).
bool l1PlanIsValid(const L1Plan& p, const L1Limits& limits);

}  // namespace htvm
