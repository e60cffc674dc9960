// Tile geometry: for one accelerator layer and chosen tile sizes, every tile's job (output range,
// input range with its halo, per-side zero padding) and the DMA copies of its input and output in
// the accelerator's activation layout, with the L1 buffer sizes they need. No choice is made here;
// the tiler (tiler.h) enumerates tile sizes and asks this file what each one means.
//
// Geometry rules (DIANA.md section 5, DORY's tiler, restated for our layouts), by tile shape
// (tile_plan.h; the accelerator's backend says which shape a layer has and with which multiples):
//  - Window (conv, depthwise, analog conv): tiles over output channels K (multiples of the
//    layer's kMultiple, or never when it is 0), output rows and output columns; never over input
//    channels: a digital job always requantizes its int32 accumulators to int8 before writing them
//    (DIANA.md section 2) and no source documents an int32 partial-sum output, so a reduction
//    split across jobs could not be summed exactly. (The analog SIMD's partial-sum skip bit has no
//    documented format either.) The input tile of an output tile is the rows and columns its
//    windows touch, clipped to the tensor: neighbouring tiles overlap by the halo kernel - stride.
//    A tile's padding on each side is exactly the part of its windows outside the tensor, so a
//    border tile gets the layer's pad, an interior tile 0 (and, for kernels larger than twice the
//    stride plus one, the tile next to a border may still get a smaller pad). Depthwise tiles
//    over channels (input channels = output channels).
//  - Vector (dense): tiles over outputs (multiples of kMultiple); the whole input is loaded once.
//  - Flat (add): tiles over the storage bytes (element-wise; multiples of the DMA granule).
//  - Column tiles in CHW_W16_REV4 start at multiples of 16 output columns; the input column where
//    such a tile starts must be a multiple of 4 (a REV4 word), which holds when the left pad is a
//    multiple of 4 (in practice 0). Otherwise only full-width tiles exist. HWC_C64_REV4 has no
//    such limit (pixels are 64-byte lines).
// Steps run spatial tiles in row-major order and, inside each, the channel tiles, so a conv's
// input tile is copied once and reused by all its channel tiles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "platform/cost_model.h"
#include "platform/platform.h"
#include "tiling/tile_plan.h"

namespace htvm {

// The layer `n` as accelerator `a` runs it (its backend's tileLayer), or nullopt when `a` has no
// pattern for n's op.
std::optional<TileLayer> tileLayerOf(const Graph& g, const Node& n, const AcceleratorDesc& a);

// The chosen tile sizes (outputs per tile) and buffering. Unused dimensions are ignored.
struct TileSizes {
  int64_t k = 0;      // output channels (conv, depthwise, dense)
  int64_t h = 0;      // output rows (conv, depthwise, analog)
  int64_t w = 0;      // output columns (conv, depthwise, analog)
  int64_t bytes = 0;  // add: storage bytes per tile
  BufferScheme scheme = BufferScheme::Single;
};

// Whether column tiles are possible for this layer (see the header comment).
bool columnTilingAllowed(const TileLayer& l);

// Builds the schedule (steps, copies, buffer sizes) for `sizes`. Does not check that it fits and
// does not cost it (see tileFits and costSchedule). Tile sizes are clamped to the layer.
LayerSchedule buildSchedule(const TileLayer& l, const TileSizes& sizes, const AcceleratorDesc& a);

// Why the schedule does not fit accelerator `a` (activation L1 with the given limit, weight memory
// per job, HAL field widths), or nullopt.
std::optional<std::string> tileFits(const TileLayer& l, const LayerSchedule& s,
                                    const AcceleratorDesc& a, int64_t l1Limit);

// The distinct jobs of the schedule `sizes` would build, each with how many steps run it: interior
// tiles are all alike, so there are a handful of classes however many tiles there are. Only the
// fields the cycle model reads are set (channels, output extent, paddings, add bytes). Lets the
// tiler bound a candidate's job work without building it.
struct TileClass {
  TileJob job;
  int64_t count = 0;
};
std::vector<TileClass> tileClasses(const TileLayer& l, const TileSizes& sizes,
                                   const AcceleratorDesc& a);

// Recomputes the buffer sizes and l1Bytes of `s` (after residency flags changed).
void sizeBuffers(const TileLayer& l, LayerSchedule& s, const AcceleratorDesc& a);

// Bytes of the weight stream one job of this tile reads (digital), or the array bytes loaded
// (analog): the accelerator backend's jobWeightBytes.
int64_t tileWeightBytes(const TileLayer& l, const TileJob& j, const AcceleratorDesc& a);

}  // namespace htvm
