// The digital accelerator kind (DIANA's 16x16 PE array, docs/ACCELERATOR_FORMATS.md): the backend
// entry, the indices of its platform parameters, and its job cycle formulas, literally as the
// "Cycle model" section writes them (the simulator, runtime/hal/sim/sim_digital.c, implements the
// same formulas independently in C and a test compares the two). The 16s fixed by the
// weight-stream formats (16-channel blocks) are constants of the formats, not of the PE array.
#pragma once

#include <cstdint>

#include "backends/backend.h"
#include "platform/cost_model.h"
#include "platform/platform.h"

namespace htvm {

const AccelBackend& digitalBackend();

// AcceleratorDesc::params of a digital accelerator (accelerators[i].compute), in file order.
struct DigitalParam {
  enum : size_t { PeK, PeOx, PeakMacsPerCycle, BlockCycles, FifoCycles, WeightFillBytesPerCycle };
};

// The MATCH sum of the digital conv formula for one job, without setup or weights.
int64_t digitalConvComputeCycles(const AcceleratorDesc& a, int64_t c, int64_t k, int64_t oy,
                                 int64_t ox, int64_t fy, int64_t fx, int64_t padP);
// Each includes its job_setup_cycles.
ModeledCycles digitalConvCycles(const AcceleratorDesc& a, const ConvDims& d);       // groups 1
ModeledCycles digitalDepthwiseCycles(const AcceleratorDesc& a, const ConvDims& d);  // C jobs
ModeledCycles digitalDenseCycles(const AcceleratorDesc& a, int64_t c, int64_t k);
ModeledCycles digitalAddCycles(const AcceleratorDesc& a, int64_t bytes);  // bytes per operand

}  // namespace htvm
