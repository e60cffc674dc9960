// `htvm verify`: compile a model, build the generated C, run it on every sample of an input file
// and compare, exactly, with the expected outputs and with the reference interpreter run on the
// same integer graph. On a mismatch it names the first differing sample and element and, by
// rebuilding with tracing, the first layer where generated code and interpreter diverge. The
// program runs on the host or, with target rv32, as a bare-metal ELF on QEMU; with a profile mode
// it also prints the profile of sample 0 (profile.h).
#pragma once

#include <iosfwd>
#include <string>

#include "driver/pipeline.h"
#include "driver/toolchain.h"
#include "ir/types.h"
#include "support/diag.h"
#include "support/npy.h"

namespace htvm {

struct VerifyOptions {
  CompileOptions compile;  // model path, platform, conf, pins; outDir empty: a temporary directory
  std::string inputsPath;
  std::string outputsPath;
  bool printLayers = false;
  bool keep = false;  // keep the temporary project (no effect with compile.outDir set)
  BuildOptions build;  // target, profile mode, -O level (flavor is chosen by verify)
  double timeoutSeconds = 600;  // per rv32 run
};

struct VerifyOutcome {
  size_t samples = 0;
  size_t exactSamples = 0;  // generated == expected == interpreter on every element
  bool allExact() const { return samples > 0 && exactSamples == samples; }
};

Result<VerifyOutcome> verifyModel(const VerifyOptions& opts, std::ostream& out);

// Number of samples in `a` for a model tensor of shape `shape`: either exactly that shape (one
// sample), or a batch-first stack of it (the first axis counts samples).
Result<size_t> countSamples(const NpyArray& a, const Shape& shape, const std::string& what);

}  // namespace htvm
