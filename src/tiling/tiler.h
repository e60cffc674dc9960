// The tiler: for one accelerator layer, the tile sizes and buffering that minimise the modeled
// cycles (schedule_cost.h: compute + weight streaming + job setup + the DMA the overlap does not
// hide) subject to every L1 buffer fitting the activation L1 (double-buffered operands count
// twice) and every job's weight stream fitting the weight memory (analog: the array).
//
// Search: exhaustive over the number of tiles along each dimension the layer can be tiled in
// (output channels in multiples of 16 for conv and dense, channels for depthwise, output rows,
// output columns in multiples of 16 (digital) when the layout allows, storage bytes in granules
// for add) times the buffer scheme (double or single; the HTVM-style schedule only single). For a
// given count n of tiles along a dimension of size N only the balanced size ceil(N / n) (rounded
// up to the dimension's multiple) is tried: every other size with the same count has the same
// number of jobs and DMA calls and a larger largest tile, so it needs at least as much L1 and does
// at least as much work per step (up to the MATCH formula's one-row border terms). That makes the
// candidate set O(sqrt(K) * sqrt(H) * sqrt(W) * 2), a few hundred at most, up to a few thousand
// for very large layers. Every candidate first gets an exact lower bound of its cost, the sum of
// its jobs' setup + weight streaming + compute (jobs run one at a time with the host configuring
// each in between, so this work is on every schedule's critical path); it is computed over tile
// classes (interior tiles are all alike: tile_geometry.h, tileClasses), so it costs O(#classes),
// not O(#tiles). Candidates are visited in order of that bound and the search stops at the first
// whose bound reaches the best elapsed time found. Each visited candidate is built
// (tile_geometry.h), checked (tileFits) and replayed on the timeline. Ties go to less L1, then to
// fewer steps, so the result is deterministic. Real layers take well under a millisecond
// (scripts/bench_accel.sh prints the worst per network); the slowest synthetic layers tried (a
// 512-channel 112x112 depthwise, a 1x1 conv to 512 channels at 112x112) stay well below 100 ms.
//
// When no candidate fits, the answer is why the smallest one does not ("no tiling fits: ..."); the
// partition then keeps the layer on the CPU with that reason.
#pragma once

#include <optional>
#include <string>

#include "ir/graph.h"
#include "platform/platform.h"
#include "support/diag.h"
#include "tiling/tile_geometry.h"
#include "tiling/tile_plan.h"

namespace htvm {

// Ours: double or single buffering, whichever is faster, tiles chosen for overlap; later stages
// may keep tensors in L1 across layers. Htvm: HTVM/DORY's schedule on the same cycle model: one
// buffer per operand, blocking DMA, every layer through L2 (tiled only when it must be).
enum class ScheduleStyle { Ours, Htvm };
const char* scheduleStyleName(ScheduleStyle s);  // "ours", "htvm"

struct TilerOptions {
  ScheduleStyle style = ScheduleStyle::Ours;
  int64_t l1Limit = 0;    // activation bytes available; 0: the accelerator's whole L1
  bool firstFit = false;  // stop at the first candidate that fits (a feasibility question)
};

struct TilingResult {
  LayerSchedule best;
  // The layer run whole as one step (single buffer), when it fits: what cross-layer residency
  // starts from.
  std::optional<LayerSchedule> whole;
  int64_t candidates = 0;  // built and costed
  int64_t pruned = 0;      // skipped by the setup bound
  double seconds = 0;      // wall time of the search
};

// The best schedule of layer `l` on `a`, or why none fits ("no tiling fits: ...").
Result<TilingResult> tileLayer(const TileLayer& l, const AcceleratorDesc& a, const TilerOptions& o);
// The same for a graph node; an error also when `a` has no pattern for the node's op.
Result<TilingResult> tileNode(const Graph& g, const Node& n, const AcceleratorDesc& a,
                              const TilerOptions& o);

// "K32 x H8 x W64 (2 x 4 x 1 = 8 tiles), double-buffered": tile sizes and counts along the
// dimensions the op has.
std::string describeSchedule(const TileLayer& l, const LayerSchedule& s);

}  // namespace htvm
