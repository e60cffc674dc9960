// `htvm run`: builds a project written by `htvm compile` (if needed), runs it on the samples of an
// input .npy and prints (and optionally saves) the outputs. Shapes come from the project's
// report.json, so a run needs nothing but the directory. It runs on the host or, with target rv32,
// as a bare-metal ELF on QEMU; with a profile mode it also prints and saves the profile.
#pragma once

#include <iosfwd>
#include <string>

#include "driver/toolchain.h"
#include "support/diag.h"

namespace htvm {

struct RunOptions {
  std::string dir;
  std::string inputPath;
  std::string outputPath;  // optional
  BuildOptions build;      // target, profile mode, -O level
  double timeoutSeconds = 600;  // rv32 runs
};

Status runCompiled(const RunOptions& opts, std::ostream& out);

}  // namespace htvm
