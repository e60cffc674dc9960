// Building and running a generated project: `make` in the output directory, then the demo program
// on raw float32 sample files. Everything the generated program reads or writes goes through files
// in the project directory, the same contract a board runner will use later.
#pragma once

#include <string>
#include <vector>

#include "support/diag.h"

namespace htvm {

enum class BuildFlavor { Release, Trace };

// Runs make (quietly; the log goes to DIR/build.log and its tail into the Diag on failure).
Status buildProject(const std::string& dir, BuildFlavor flavor);

struct RunOutput {
  std::vector<float> outputs;  // samples * outputElems
  std::vector<char> trace;     // raw trace records (Trace flavor only)
};

// Runs the demo program on `samples` concatenated inputs.
Result<RunOutput> runProject(const std::string& dir, const std::vector<float>& inputs, size_t samples,
                             size_t outputElems, BuildFlavor flavor);

}  // namespace htvm
