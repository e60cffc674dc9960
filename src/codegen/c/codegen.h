// Public entry point of the C backend: writes a self-contained C project (model API, network,
// per-layer CPU kernels, weights, demo main, Makefile, report.json) for a verified Graph and its
// arena plan. Every decision (order, offsets, dtypes) comes from the Graph and the ArenaPlan; the
// emitter only prints them. Output is deterministic: the same inputs give byte-identical files.
#pragma once

#include <string>

#include "ir/graph.h"
#include "memory/arena_planner.h"
#include "support/diag.h"

namespace htvm {

struct CodegenOptions {
  std::string modelName = "model";
  std::string sourceFile;         // shown in the banner of every generated file
  std::string platform = "host";  // informational for now (banner, report)
};

// Writes the generated project into outDir (created if needed):
//   include/htvm_model.h  src/network.c  src/cpu_layers.{c,h}  src/weights.{c,h}
//   demo/main.c  Makefile  report.json
// Needs: g verifies, has a single graph input and a single graph output, both f32, and `plan` was
// made for g (planArena). Returns a Diag for graphs it cannot emit (e.g. several inputs, mixed
// float/integer conv operands) and for I/O failures.
Status emitC(const Graph& g, const ArenaPlan& plan, const CodegenOptions& opts,
             const std::string& outDir);

}  // namespace htvm
