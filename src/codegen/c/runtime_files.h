// The C runtime shipped inside every generated project that uses accelerators: the HAL header and
// the simulator backend (runtime/ in the source tree). They are embedded into the htvm binary at
// build time (cmake/embed_runtime.cmake), so a generated project is self-contained and htvm needs
// no files beside it at run time.
#pragma once

#include <vector>

namespace htvm {

struct RuntimeFile {
  const char* path;  // relative to runtime/, e.g. "hal/sim/sim_dma.c"
  const char* text;
};

const std::vector<RuntimeFile>& runtimeFiles();

}  // namespace htvm
