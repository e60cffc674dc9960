// The kind-independent terms of the cycle model, literally as written in
// docs/ACCELERATOR_FORMATS.md "Cycle model" and "DMA": DMA copies, the cycle components a job
// reports, and the CPU estimate. Each accelerator kind's job formulas are its backend's
// (src/backends/<kind>/); the simulator HAL (runtime/hal/sim) implements the same formulas
// independently in C and a test compares the two, so any change here must follow a change of that
// page. How a layer's jobs and copies overlap is the schedule's business
// (src/tiling/schedule_cost.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
// A node's CPU cycles alone (the partition prices nodes before chains are fused): its kernel
// kind's calibrated entry of cpu.cost.kernels applied to its CpuCostTerms, or without one
// macs * cycles_per_mac + elements * cycles_per_element (elements: the largest of the output and
// the activation inputs), a Relayout node its bytes at relayout_cycles_per_byte.
double cpuNodeCycles(const CpuDesc& cpu, const Graph& g, const Node& n);
// Converting a tensor of type t (its layout ignored) from one layout to another on the CPU.
double cpuRelayoutCycles(const CpuDesc& cpu, const TensorType& t, Layout from, Layout to);
// Per node, the CPU cycles of the layer it is once chains are fused (passes/fuse_cpu_chains.h):
// a chain's root costs the whole loop (the "chain" entry per call and row of the root's output,
// each node's "fused/<kind>" entry per element), its members 0; other CPU nodes cpuNodeCycles;
// accelerator nodes 0. A chain with a node lacking its fused entry costs the sum of
// cpuNodeCycles.
std::vector<double> cpuLayerCycles(const CpuDesc& cpu, const Graph& g);

// The terms a CPU node's cycles are linear in, and the class of kernel that runs it: the op's
// name, for relayouts with the layout pair ("relayout/NCHW>CHW_W16_REV4"), for conv ops with the
// register-blocking variant the rv32 kernel uses ("qconv2d/dw",
// "qconv2d/1x1", "qconv2d/kxk"; emit_cpu_blocked.cpp). macs: the products computed (a conv's
// padded taps excluded); blockLoads: a conv's weight loads, macs over the outputs a register
// block holds; outputs: output elements; elements: as cpuNodeCycles counts them; rows: output elements over the output's
// innermost extent (the loop nests' row count); bytes: of the largest activation.
struct CpuCostTerms {
  std::string kind;
  double calls = 1, macs = 0, blockLoads = 0, outputs = 0, elements = 0, rows = 0, bytes = 0;
  double allMacs = 0;  // nodeMacs, padded taps included: the uncalibrated formula's
};
CpuCostTerms cpuCostTerms(const Graph& g, const Node& n);
// Why `kind` is no name cpuCostTerms gives (nor "chain" or "fused/<name>"); nullopt if it is one.
std::optional<std::string> checkCostKind(const std::string& kind);

}  // namespace htvm
