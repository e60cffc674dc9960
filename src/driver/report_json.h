// report.json, assembled here and nowhere else: per layer what it is (node, source and IR op,
// output type, MACs), where it runs and why (core, reason, predicted and modeled cycles), what the
// generated C made of it (its function, storage, L1 buffers); the memory totals; the whole-network
// performance summary beside the CPU-only build's, the L1 residency list, the platform's assumed
// parameters, the warnings and the pass statistics. Everything is read from the compiled model
// (its graph, decisions, arena and L1 plans) and from codegen's symbol names; nothing is computed
// again. Codegen writes the text into the project; `htvm report`, `profile` and the layer table
// read it back.
#pragma once

#include <string>

#include "driver/pipeline.h"

namespace htvm {

// `opts` names the model (its file), the conf and the schedule. Keys keep insertion order, so the
// same compile gives the same file apart from the pass timings.
std::string reportJson(const CompiledModel& m, const CompileOptions& opts);

}  // namespace htvm
