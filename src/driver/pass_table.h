// The compile pipeline as a table of named passes run by one driver loop, in the manner of
// Halide's Lower.cpp and MLIR's Passes.td: each entry has a CLI name, a one-line summary and a
// function that transforms the model under compilation and returns named statistics. The loop
// times every pass, records its statistics (they go into report.json under "passes"), runs the IR
// verifier after every pass when asked (`--verify-each`), prints the graph after a named pass
// (`--dump-after PASS`), and locates a failing pass's diagnostic in the model file, so passes
// never prefix paths onto their messages. Order constraints are stated beside the table.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "partition/partition.h"
#include "support/diag.h"

namespace htvm {

struct CompileOptions;
struct CompiledModel;

// Named counters of one pass run, in the order the pass reports them.
using PassStats = std::vector<std::pair<std::string, int64_t>>;

// What one pass run did: how long it took and its statistics.
struct PassRecord {
  std::string name;
  double seconds = 0;
  PassStats stats;
};

// State threaded through the passes besides the model itself (decided options, decisions that
// must survive graph rewrites).
struct PassContext {
  const CompileOptions& opts;
  CompiledModel& model;
  Conf conf = Conf::Mixed;
  bool htvmSchedule = false;
  // Partition decisions keyed by the node's output tensor, so they follow their node through
  // relayout insertion.
  std::map<TensorId, NodeDecision> decisionByOutput;
};

// Which graph of CompiledModel a pass leaves as its product (what --dump-after prints and what
// --verify-each checks).
enum class PassProduct { FloatGraph, IntegerGraph, Graph };

struct Pass {
  const char* name;     // CLI name, e.g. "fuse-requant"
  const char* summary;  // one line for --help and the docs
  PassProduct product;
  Result<PassStats> (*run)(PassContext&);
};

// The pipeline, in execution order.
const std::vector<Pass>& passTable();
// "import, integerize, ..." for messages and --help.
std::string passNames();

// Runs every pass of the table over ctx.model. Errors: the first failing pass's diagnostic,
// located in the model file. A pass that leaves an invalid graph under --verify-each is an
// internal error naming the pass.
Status runPasses(PassContext& ctx);

}  // namespace htvm
