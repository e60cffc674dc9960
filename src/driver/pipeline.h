// Compiling a model: the options, the product of every pass kept in `CompiledModel` (so that
// `verify` runs the reference interpreter on exactly the graph that was turned into C, and tests
// can look at the integer graph before fusion), and the two entry points. The passes themselves
// and their order are the table in driver/pass_table.h:
//   import -> integerize -> fuse-input-quant -> fuse-requant -> partition -> insert-relayout
//   -> fuse-cpu-chains -> plan-arena -> plan-l1, then C emission.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "codegen/c/codegen.h"
#include "driver/pass_table.h"
#include "driver/toolchain.h"
#include "ir/graph.h"
#include "memory/arena_planner.h"
#include "memory/l1_plan.h"
#include "partition/partition.h"
#include "passes/integerize.h"
#include "platform/platform.h"
#include "tiling/tiler.h"

namespace htvm {

struct CompileOptions {
  std::string modelPath;
  // How htvm was invoked, for report.json (empty when called as a library).
  std::string commandLine;
  // The serialized model, when the caller holds it in memory (the fuzz target): imported instead
  // of reading modelPath, which then only names the model in messages and generated banners.
  std::optional<std::string> modelBytes;
  std::string outDir;
  bool force = false;  // write into a non-empty outDir that htvm did not create (--force)
  std::string platform = "diana";  // name under platforms/ or a path to a platform file
  std::string conf = "mixed";      // cpu | digital | analog | mixed (HTVM's meaning)
  std::map<std::string, std::string> pins;  // node name -> accelerator name or "cpu"
  // Run the IR verifier after every pass (the final graph is always verified).
  bool verifyEach = false;
  // Print the graph after the pass of this name (a name from passTable()) to `dumpTo`.
  std::string dumpAfter;
  std::ostream* dumpTo = nullptr;
  // Accelerator schedule: "ours" (tiles chosen for double-buffered DMA overlap, tensors kept in L1
  // across layers) or "htvm" (HTVM/DORY's: single buffer, blocking DMA, every layer through L2),
  // both on the same cycle model.
  std::string schedule = "ours";
  // The build the project's target.mk makes its default (plain `make`, `htvm run`); unset, the
  // Makefile's own defaults apply (no profiling, -O2).
  std::optional<ProfileMode> defaultProfile;
  std::optional<int> defaultOptLevel;
  // The accelerator kinds the platform file may name; null: the built-in ones (tests add their
  // own kinds through a longer list).
  const BackendList* backends = nullptr;
};

// Per accelerator layer: what the tiler did (for reports and the benchmark).
struct TilingStats {
  int64_t candidates = 0, pruned = 0;
  double seconds = 0;
};

struct CompiledModel {
  Graph floatGraph;
  IntegerizeResult integer;  // the integer graph before fusion (names map to source tensors)
  Graph graph;               // what became C: fused, partitioned, with relayouts
  Platform platform;
  // Per node of `graph`: where it runs and why (relayout nodes: on the CPU, "layout border").
  std::vector<NodeDecision> decisions;
  ArenaPlan plan;
  L1Plan l1;                        // includes every accelerator layer's schedule
  std::vector<TilingStats> tiling;  // per node (empty entries for CPU nodes)
  int64_t residencySavedCycles = 0;
  // What compiles but will not deploy as planned (e.g. an arena larger than the platform's L2);
  // printed by the CLI and listed in report.json.
  std::vector<std::string> warnings;
  std::vector<PassRecord> passes;  // per pass run: wall time and statistics
  double emitSeconds = 0;          // C emission (compileModel only)
  double totalSeconds = 0;
};

Result<Conf> parseConf(const std::string& s);
Result<ScheduleStyle> parseSchedule(const std::string& s);  // "ours" | "htvm"

// Imports and lowers the model without writing anything.
Result<CompiledModel> lowerModel(const CompileOptions& opts);
// A compiled model with the C project's files, not yet written anywhere.
struct GeneratedProject {
  CompiledModel model;
  std::vector<GeneratedFile> files;
};

// lowerModel + C emission in memory (nothing is read but the model and the platform file, nothing
// is written; opts.outDir is not used).
Result<GeneratedProject> generateProject(const CompileOptions& opts);
// generateProject + writing the files into opts.outDir.
Result<CompiledModel> compileModel(const CompileOptions& opts);

}  // namespace htvm
