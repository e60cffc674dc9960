// The kind-independent terms of the cycle model, literally as written in
// docs/ACCELERATOR_FORMATS.md "Cycle model" and "DMA": DMA copies, the cycle components a job
// reports, and the CPU estimate. Each accelerator kind's job formulas are its backend's
// (src/backends/<kind>/); the simulator HAL (runtime/hal/sim) implements the same formulas
// independently in C and a test compares the two, so any change here must follow a change of that
// page. How a layer's jobs and copies overlap is the schedule's business
// (src/tiling/schedule_cost.h).
#pragma once

#include <cstdint>
#include <string>

#include "ir/graph.h"
#include "ir/op_registry.h"  // nodeMacs
#include "platform/platform.h"
#include "tiling/tile_plan.h"  // ConvDims

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

// From a Conv2D / QConv2D / AnalogConv2D node (x [1,C,H,W], w [K,C/g,kh,kw]).
ConvDims convDims(const Graph& g, const Node& n);

// ---- DMA --------------------------------------------------------------------------------------
// One 1-D call of n bytes: setup + ceil(round_up(n, granule) / bytes_per_cycle). Multi-dimensional
// copies are sequences of such calls (tiling/schedule_cost.h).
int64_t dmaCallCycles(const DmaDesc& d, int64_t bytes);

// One accelerator job of these terms (jobs = 1); the backends' job formulas build on it.
ModeledCycles oneJob(int64_t setup, int64_t compute, int64_t weights);

// ---- CPU estimate -----------------------------------------------------------------------------
// macs * cycles_per_mac + elements * cycles_per_element (elements: the largest of the output and
// the activation inputs); a Relayout node costs its bytes at relayout_cycles_per_byte.
double cpuNodeCycles(const CpuDesc& cpu, const Graph& g, const Node& n);
double cpuRelayoutCycles(const CpuDesc& cpu, int64_t bytes);

}  // namespace htvm
