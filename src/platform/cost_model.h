// Modeled cycles of accelerator jobs, DMA transfers and CPU work, literally as written in
// docs/ACCELERATOR_FORMATS.md "Cycle model" and "DMA". The simulator HAL (runtime/hal/sim)
// implements the same formulas independently in C; a test compares the two, so any change here
// must follow a change of that page. Accelerator parameters come from the platform; the 16s
// fixed by the weight-stream formats (16-channel blocks) are constants of the formats, not of the
// PE array. These are the per-job and per-copy terms; how a layer's jobs and copies overlap is the
// schedule's business (src/tiling/schedule_cost.h).
#pragma once

#include <cstdint>
#include <string>

#include "ir/graph.h"
#include "ir/op_registry.h"  // nodeMacs
#include "platform/platform.h"

namespace htvm {

// Cycle components, named like the HAL's profiling counters (htvm_perf_t).
struct ModeledCycles {
  int64_t setup = 0;  // host cycles configuring and triggering jobs
  int64_t compute = 0;
  int64_t weights = 0;  // weight streaming (digital) or array loading (analog)
  int64_t dma = 0;
  int64_t jobs = 0;
  int64_t dmaCalls = 0;
  int64_t total() const { return setup + compute + weights + dma; }
  ModeledCycles& operator+=(const ModeledCycles& o);
};

// Geometry of one conv layer (batch 1). `depthwise`: groups == C == K.
struct ConvDims {
  int64_t c = 0, k = 0, ih = 0, iw = 0, oh = 0, ow = 0, kh = 0, kw = 0;
  int64_t strideH = 1, strideW = 1;
  int64_t padT = 0, padL = 0, padB = 0, padR = 0;
  bool depthwise = false;
};
// From a Conv2D / QConv2D / AnalogConv2D node (x [1,C,H,W], w [K,C/g,kh,kw]).
ConvDims convDims(const Graph& g, const Node& n);

// ---- Weight stream sizes (bytes, before REV4; all multiples of 4) ----------------------------
int64_t convStreamBytes(int64_t c, int64_t k, int64_t kh,
                        int64_t kw);                              // Kp/16 blocks of 16*C*kh*kw+64
int64_t depthwiseBlockBytes(int64_t kh, int64_t kw);              // one job's block: 16*kh*kw+64
int64_t depthwiseStreamBytes(int64_t c, int64_t kh, int64_t kw);  // C blocks
int64_t denseStreamBytes(int64_t c, int64_t k);                   // Kp*Cp + 16*Kp
// Bytes the analog array load moves: ceil(2*rows/32)*32 bit-rows of array_cols bits.
int64_t analogWeightLoadBytes(const AnalogParams& a, int64_t rows);

// ---- DMA --------------------------------------------------------------------------------------
// One 1-D call of n bytes: setup + ceil(round_up(n, granule) / bytes_per_cycle). Multi-dimensional
// copies are sequences of such calls (tiling/schedule_cost.h).
int64_t dmaCallCycles(const DmaDesc& d, int64_t bytes);

// ---- Accelerator jobs (each includes its job_setup_cycles) ----------------------------------
// The MATCH sum of the digital conv formula for one job, without setup or weights.
int64_t digitalConvComputeCycles(const DigitalParams& p, int64_t c, int64_t k, int64_t oy,
                                 int64_t ox, int64_t fy, int64_t fx, int64_t padP);
ModeledCycles digitalConvCycles(const AcceleratorDesc& a, const ConvDims& d);       // groups 1
ModeledCycles digitalDepthwiseCycles(const AcceleratorDesc& a, const ConvDims& d);  // C jobs
ModeledCycles digitalDenseCycles(const AcceleratorDesc& a, int64_t c, int64_t k);
ModeledCycles digitalAddCycles(const AcceleratorDesc& a,
                               int64_t bytes);  // storage bytes per operand
// Analog: the weight load and the conv are one HAL call (job) each.
ModeledCycles analogWeightLoadCycles(const AcceleratorDesc& a, int64_t rows);
ModeledCycles analogConvCycles(const AcceleratorDesc& a, const ConvDims& d);

// ---- CPU estimate -----------------------------------------------------------------------------
// macs * cycles_per_mac + elements * cycles_per_element (elements: the largest of the output and
// the activation inputs); a Relayout node costs its bytes at relayout_cycles_per_byte.
double cpuNodeCycles(const CpuDesc& cpu, const Graph& g, const Node& n);
double cpuRelayoutCycles(const CpuDesc& cpu, int64_t bytes);

}  // namespace htvm
