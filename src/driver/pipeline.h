// The compile pipeline as one visible list of stages: import (ONNX) -> integerize -> arena plan ->
// C emission. Each stage's product is kept in `CompiledModel` so that `verify` can run the
// reference interpreter on exactly the graph that was turned into C. Stage wall times are recorded
// for the CLI's summary.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "memory/arena_planner.h"
#include "passes/integerize.h"

namespace htvm {

struct CompileOptions {
  std::string modelPath;
  std::string outDir;
  std::string platform = "host";
  bool verifyEach = true;  // run the IR verifier after every stage
};

struct CompiledModel {
  Graph floatGraph;
  IntegerizeResult integer;
  ArenaPlan plan;
  std::vector<std::pair<std::string, double>> stageSeconds;
  double totalSeconds = 0;
};

// Imports and lowers the model without writing anything.
Result<CompiledModel> lowerModel(const CompileOptions& opts);
// lowerModel + C emission into opts.outDir.
Result<CompiledModel> compileModel(const CompileOptions& opts);

}  // namespace htvm
