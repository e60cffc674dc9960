// The schedule of one accelerator layer as plain data: which tiles run in which order, what each
// job computes, which L2 <-> L1 copies move its operands, how many L1 buffers each operand needs,
// and what the schedule costs on the platform's cycle model. The tiler (tiler.h) makes it, the L1
// planner (memory/l1_plan.h) places its buffers, the C emitter prints it as tables and one loop,
// and tests replay it on the simulator. Everything here is data; no function needs linking, so
// modules that only read schedules (memory, codegen) do not depend on the tiling library.
//
// Conventions. Offsets into L2 are bytes from the start of the tensor's storage (its accelerator
// layout, docs/ACCELERATOR_FORMATS.md); offsets into L1 are bytes from the start of the buffer the
// copy targets, so the same schedule works whatever the L1 planner chooses. A copy (`Xfer`) is the
// HAL's 3-D copy: `count` blocks of `rows` rows of `rowBytes`, i.e. count*rows 1-D DMA calls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/layout.h"

namespace htvm {

// Geometry of one conv layer (batch 1). `depthwise`: groups == C == K.
struct ConvDims {
  int64_t c = 0, k = 0, ih = 0, iw = 0, oh = 0, ow = 0, kh = 0, kw = 0;
  int64_t strideH = 1, strideW = 1;
  int64_t padT = 0, padL = 0, padB = 0, padR = 0;
  bool depthwise = false;
};

// How a layer's work splits into tiles; the accelerator's backend (backends/backend.h) says which
// shape a layer has on its kind and with which multiples.
//   Window: conv-like (sliding windows with a halo): output channels x output rows x columns.
//   Vector: a [1, C] -> [1, K] layer: tiles over outputs, the whole input loaded once.
//   Flat:   elementwise over the storage bytes of equally laid out operands.
enum class TileShape { Window, Vector, Flat };

// An accelerator layer reduced to what tiling needs.
struct TileLayer {
  TileShape shape = TileShape::Window;
  Layout layout = Layout::CHW_W16_REV4;  // of the activations (Window: CHW_W16 or HWC_C64)
  ConvDims conv;                         // Window
  // Output-channel tiles (Window, Vector) are multiples of kMultiple; 0: the layer's K is never
  // split (e.g. the analog array holds all of them). Window column tiles are multiples of
  // wMultiple output columns.
  int64_t kMultiple = 16;
  int64_t wMultiple = 16;
  bool preload = false;  // the weights are loaded once before the tile loop (analog array)
  int64_t denseC = 0;    // Vector: inputs
  int64_t denseK = 0;    // Vector: outputs
  int64_t addBytes = 0;  // Flat: storage bytes of each operand (and of the output)
  int64_t operands = 1;  // activation inputs (add: 2)
};

// One HAL job call of a tile: `count` identical jobs (depthwise: one per channel, otherwise 1).
struct JobCycles {
  int64_t setup = 0, compute = 0, weights = 0, count = 1;
};

// One L2 <-> L1 copy of `count` blocks of `rows` rows of `rowBytes` bytes each.
struct Xfer {
  int64_t l2Offset = 0;  // from the start of the L2 tensor's storage
  int64_t l1Offset = 0;  // from the start of the L1 buffer
  int64_t count = 1, rows = 1, rowBytes = 0;
  int64_t l1RowStride = 0, l1BlockStride = 0;
  int64_t l2RowStride = 0, l2BlockStride = 0;

  int64_t calls() const { return count * rows; }
  // End of the L1 bytes the engine may write or read, relative to the buffer: the last row starts
  // furthest in and every 1-D call covers whole granules.
  int64_t l1Extent(int64_t granule) const {
    int64_t last = l1Offset + (count - 1) * l1BlockStride + (rows - 1) * l1RowStride;
    return last + (rowBytes + granule - 1) / granule * granule;
  }
};

// What one tile's job computes, in the accelerator's job terms (the fields of the HAL configs).
struct TileJob {
  int64_t k0 = 0, k = 0;    // output channels [k0, k0 + k) (depthwise: the same input channels;
                            // dense: outputs; add: unused)
  int64_t c = 0;            // input channels the job reads
  int64_t oy0 = 0, oh = 0;  // output rows [oy0, oy0 + oh)
  int64_t ox0 = 0, ow = 0;  // output columns [ox0, ox0 + ow)
  int64_t iy0 = 0, ih = 0;  // input rows [iy0, iy0 + ih) held in L1
  int64_t ix0 = 0, iw = 0;  // input columns [ix0, ix0 + iw) held in L1
  int64_t padT = 0, padL = 0, padB = 0, padR = 0;  // zero padding at this tile's borders
  int64_t weightOffset = 0;  // byte offset of this tile's weights in the layer's weight stream
  int64_t addOffset = 0, addBytes = 0;  // add: storage byte range [addOffset, +addBytes)
};

// The copies that bring one input tile into L1: one per activation operand (add: a and b).
struct InputTile {
  std::vector<Xfer> operands;
  int32_t buf = 0;  // which of the operand's buffers (0 or 1) it lands in
};

struct TileStep {
  TileJob job;
  int32_t inTile = 0;     // the input tile the job reads (index into LayerSchedule::inTiles)
  int32_t outBuf = 0;     // which output buffer (0 or 1) the job writes
  int32_t prefetch = -1;  // double-buffered: input tile whose copy is issued during this step
  int32_t load = -1;      // single-buffered: input tile copied (blocking) before this step's job
  Xfer out;               // this step's output tile, L1 -> L2
};

// Modeled cycles of a schedule on the platform's cycle model (docs/ACCELERATOR_FORMATS.md), with
// overlap: `elapsed` is the span of the layer's timeline; the rest are serial sums as the HAL's
// profiling counters define them.
struct ScheduleCost {
  int64_t compute = 0;  // accelerator busy computing
  int64_t weights = 0;  // weight streaming (digital) or array loading (analog)
  int64_t setup = 0;    // host cycles configuring jobs: the per-tile overhead
  int64_t dma = 0;      // all DMA calls, serially
  int64_t dmaCalls = 0;
  int64_t jobs = 0;
  int64_t elapsed = 0;  // first event to last completion

  int64_t serial() const { return compute + weights + setup + dma; }
  // Cycles the accelerator waited for DMA: the part of the elapsed time not spent in jobs or setup.
  int64_t exposedDma() const { return elapsed - compute - weights - setup; }
};

enum class BufferScheme { Single, Double };

struct LayerSchedule {
  BufferScheme scheme = BufferScheme::Single;
  // Tile sizes as chosen (outputs per tile; 0 = that dimension does not exist for the op) and the
  // number of tiles along each dimension.
  int64_t tileK = 0, tileH = 0, tileW = 0, tileBytes = 0;
  int64_t numK = 1, numH = 1, numW = 1;
  std::vector<InputTile> inTiles;
  std::vector<TileStep> steps;
  // Per activation operand and for the output: bytes of one buffer (aligned) and how many
  // buffers (1, or 2 when double-buffered and the tiles change).
  std::vector<int64_t> inBufBytes;
  std::vector<int32_t> inBufCount;
  int64_t outBufBytes = 0;
  int32_t outBufCount = 1;
  // Operands already in L1 (cross-layer residency, untiled layers only): no copy in; the job reads
  // the producer's buffer. `outResident`: the output stays in L1 and is not copied out.
  std::vector<bool> inResident;
  bool outResident = false;
  bool preload = false;  // one weight load before the tile loop (the analog array), hoisted
  int64_t l1Bytes = 0;      // all buffers of this layer that are not resident, aligned
  ScheduleCost cost;

  bool tiled() const { return steps.size() > 1; }
};

// The layer's conv geometry narrowed to one job: its channels, tile extents and paddings.
inline ConvDims jobConvDims(const TileLayer& l, const TileJob& j) {
  ConvDims d = l.conv;
  d.c = j.c;
  d.k = j.k;
  d.ih = j.ih;
  d.iw = j.iw;
  d.oh = j.oh;
  d.ow = j.ow;
  d.padT = j.padT;
  d.padB = j.padB;
  d.padL = j.padL;
  d.padR = j.padR;
  return d;
}

}  // namespace htvm
