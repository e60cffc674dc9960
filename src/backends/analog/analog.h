// The analog in-memory-compute kind (DIANA's AIMC core, docs/ACCELERATOR_FORMATS.md): the backend
// entry, the indices of its platform parameters, its job cycle formulas (the simulator,
// runtime/hal/sim/sim_analog.c, implements them independently) and the ternary array encoder.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/backend.h"
#include "platform/cost_model.h"
#include "platform/platform.h"

namespace htvm {

const AccelBackend& analogBackend();

// AcceleratorDesc::params of an analog accelerator (accelerators[i].compute), in file order.
struct AnalogParam {
  enum : size_t {
    ArrayRows,
    ArrayCols,
    InputBits,
    OutputBits,
    MvmCycles,
    SimdLanes,
    SimdStages,
    WeightFillBytesPerCycle,
    ActLineBytes
  };
};

// Bytes the analog array load moves: ceil(2*rows/32)*32 bit-rows of array_cols bits.
int64_t analogWeightLoadBytes(const AcceleratorDesc& a, int64_t rows);
// The weight load and the conv are one HAL call (job) each; both include job_setup_cycles.
ModeledCycles analogWeightLoadCycles(const AcceleratorDesc& a, int64_t rows);
ModeledCycles analogConvCycles(const AcceleratorDesc& a, const ConvDims& d);

// AnalogConv2D weights as the ternary [C*Kh*Kw][K] array.
std::vector<int8_t> analogArray(const Graph& g, const Node& n);

}  // namespace htvm
