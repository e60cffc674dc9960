// Fuzz target: model bytes -> import -> every pass -> the C project's files in memory, for DIANA
// under the mixed configuration (digital, analog and CPU layers all reachable). Nothing is written
// and no process is started; the platform file is read from the source tree. Any input must give
// a project or a Diag; never a crash, UB, an internal error (HTVM_CHECK aborts) or a leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "driver/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  htvm::CompileOptions opts;
  opts.modelPath = "fuzz.onnx";
  opts.modelBytes = std::string(reinterpret_cast<const char*>(data), size);
  opts.platform = "diana";
  opts.conf = "mixed";
  htvm::Result<htvm::GeneratedProject> p = htvm::generateProject(opts);
  if (p.ok() && p->files.empty()) __builtin_trap();
  return 0;
}
