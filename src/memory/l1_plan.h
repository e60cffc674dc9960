// L1 placement for accelerator layers that run whole (untiled): each activation operand and the
// output of the layer get a buffer in the accelerator's activation scratchpad, at compile time.
// Buffers are aligned and their sizes rounded up to the DMA granule, because the DMA engine writes
// whole granules (docs/ACCELERATOR_FORMATS.md, DMA). Operands are placed one after the other; a
// layer's buffers never overlap each other, and layers run one at a time, so no two live buffers
// overlap. The tiling issue replaces this with tiled, double-buffered plans.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace htvm {

struct L1Buffer {
  TensorId tensor = -1;
  int64_t offset = 0;
  int64_t bytes = 0;  // reserved (rounded to the granule)
};

struct L1LayerPlan {
  int32_t accel = -1;            // -1: CPU layer, no L1 use
  std::vector<L1Buffer> inputs;  // activation operands in input order (constants excluded)
  L1Buffer output;
  int64_t used = 0;              // end of the last buffer
};

struct L1Plan {
  std::vector<L1LayerPlan> layers;  // indexed like g.nodes
};

struct L1Limits {
  std::vector<int64_t> activationBytes;  // per accelerator
  std::vector<int64_t> granuleBytes;     // per accelerator
  int64_t alignment = 32;
};

// Fails (naming the node) when a layer does not fit its accelerator's L1.
Result<L1Plan> planL1(const Graph& g, const L1Limits& limits);
// Invariant checker: within each layer, buffers are inside L1 and pairwise disjoint.
bool l1PlanIsValid(const L1Plan& p, const L1Limits& limits);

}  // namespace htvm
