// `htvm run`: builds a project written by `htvm compile` (if needed), runs it on the samples of an
// input .npy and prints (and optionally saves) the outputs. Shapes come from the project's
// report.json, so a run needs nothing but the directory.
#pragma once

#include <iosfwd>
#include <string>

#include "support/diag.h"

namespace htvm {

struct RunOptions {
  std::string dir;
  std::string inputPath;
  std::string outputPath;  // optional
};

Status runCompiled(const RunOptions& opts, std::ostream& out);

}  // namespace htvm
