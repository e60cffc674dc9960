// Cross-layer L1 residency: which accelerator tensors skip the L2 round trip.
//
// A tensor may stay in its accelerator's L1 from its producer to its last consumer when the
// producer and every consumer run on the same accelerator, the tensor is not a graph output, and
// producer and consumers all run whole (one step: the whole tensor is one buffer in the layout
// both sides use; tiled neighbours would need a different buffer shape, which is not done). The
// producer then writes no output copy and each consumer reads the producer's buffer in place.
//
// Decision: a local search over the set of resident tensors, on the summed modeled cycles. A
// layer that touches a resident tensor runs whole with its resident flags; all others keep the
// tiler's choice. It starts from every eligible tensor resident (a chain pays off as a whole: a
// layer keeping only one side in L1 loses its overlapped copies and can get slower, so
// tensor-by-tensor greedy misses it), drops the latest tensors until the L1 placement (the
// caller's check: every resident slot live over its lifetime next to each layer's working
// buffers) succeeds, then flips single tensors in and out while that lowers the total, and keeps
// the result only if it beats no residency at all. Not optimal, but never worse than none.
// A flip changes only the schedules of the tensor's producer and consumers, so it is priced from
// those, and the placement check (linear or worse in the layer count) runs only for flips that
// lower the total.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "ir/graph.h"
#include "platform/platform.h"
#include "tiling/tile_geometry.h"
#include "tiling/tile_plan.h"

namespace htvm {

struct ResidencyNode {
  std::optional<TileLayer> layer;      // accelerator layers only
  std::optional<LayerSchedule> best;   // the tiler's choice
  std::optional<LayerSchedule> whole;  // the layer as one step, when it fits L1 whole
};

struct ResidencyResult {
  std::vector<std::optional<LayerSchedule>> schedules;  // per node: the final schedule
  std::vector<TensorId> resident;                       // in producer order
  int64_t cyclesSaved = 0;                              // modeled, summed over layers
};

// Whether a complete assignment of schedules (with resident flags) can be placed in L1.
using PlacementCheck = std::function<bool(const std::vector<std::optional<LayerSchedule>>&)>;

ResidencyResult decideResidency(const Graph& g, const Platform& p,
                                const std::vector<ResidencyNode>& nodes,
                                const PlacementCheck& fits);

}  // namespace htvm
