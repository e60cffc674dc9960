// The fixed files of generated projects, kept as real files under runtime/ in the source tree and
// embedded into the htvm binary at build time (cmake/embed_runtime.cmake), so a generated project
// is self-contained and htvm needs no files beside it at run time. runtimeFiles() is the C
// runtime shipped with projects that use accelerators (the HAL header and the simulator backend);
// projectFiles() is what every project gets (runtime/project: the demo program, the Makefile, the
// rv32 linker script, the profiling header), each at the same path in the project. What differs
// per model is generated beside them (emit_project.cpp), never patched into them.
#pragma once

#include <vector>

namespace htvm {

struct RuntimeFile {
  const char* path;  // runtimeFiles(): relative to runtime/, e.g. "hal/sim/sim_dma.c";
                     // projectFiles(): relative to runtime/project/, e.g. "demo/main.c"
  const char* text;
};

const std::vector<RuntimeFile>& runtimeFiles();
const std::vector<RuntimeFile>& projectFiles();

}  // namespace htvm
