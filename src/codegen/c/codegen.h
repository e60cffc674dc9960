// Public entry point of the C backend: writes a self-contained C project (model API, network,
// per-layer CPU kernels, weights, and the fixed demo, Makefile and linker script with the config
// files they read; report.json as the driver's report module wrote it) for a verified Graph and
// its arena plan. Every decision (order, offsets, dtypes) comes from the Graph and the ArenaPlan;
// the emitter only prints them. Output is deterministic: the same inputs give byte-identical files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "memory/arena_planner.h"
#include "memory/l1_plan.h"
#include "platform/platform.h"
#include "support/diag.h"

namespace htvm {

// The build defaults a project's target.mk records; make's command line overrides each. Fields
// left at zero or empty are not written, so the Makefile's and the linker script's own defaults
// apply.
struct BuildDefaults {
  int64_t l2Bytes = 0;          // HTVM_L2_BYTES: the rv32 link's l2 region (the platform's L2)
  int64_t l2PrivateBytes = 0;   // HTVM_L2_PRIVATE_BYTES: its host-private first part
  std::string rv32March;        // RV32_MARCH / RV32_MABI: the platform's cpu.march / cpu.mabi,
  std::string rv32Mabi;         // validated by the platform loader (no make syntax possible)
  std::string profile;          // PROFILE ?= none | global | individual
  std::optional<int> optLevel;  // OPT ?= 0..3
};

struct CodegenOptions {
  std::string modelName = "model";
  std::string sourceFile;         // shown in the banner of every generated file
  std::string platform = "host";  // banner, report
  std::vector<AcceleratorDesc> accels;  // the platform's, indexed by Node::accel
  const L1Plan* l1 = nullptr;       // required when any node runs on an accelerator
  // The text of report.json (driver/report_json.h assembles it); not written when empty.
  std::string reportJson;
  BuildDefaults build;         // target.mk
  // Write into a non-empty directory that htvm did not create (see emitC).
  bool forceOutputDir = false;
};

// One generated file: its path relative to the project root and its text.
struct GeneratedFile {
  std::string path;
  std::string text;
};

// Generates the project's files in memory, in a fixed order, without touching the filesystem:
//   include/htvm_model.h  src/network.c  src/cpu_layers.{c,h}  src/weights.{c,h}
//   report.json                                                   (opts.reportJson, if any)
//   demo/main.c  include/htvm_profile.h  Makefile  htvm_rv32.ld   (fixed: runtime/project)
//   demo/demo_config.h  project.mk  target.mk                     (what those read per model)
// and, when some layer runs on an accelerator, src/accel_layers.{c,h}, src/platform.c and
// runtime/ (the HAL, the simulator and htvm_platform.h).
// Needs: g verifies, has a single graph input and a single graph output, both f32, and `plan` was
// made for g (planArena). Returns a Diag for graphs it cannot emit (e.g. several inputs, mixed
// float/integer conv operands).
Result<std::vector<GeneratedFile>> generateC(const Graph& g, const ArenaPlan& plan,
                                             const CodegenOptions& opts);

// Writes generated files into outDir (created if needed). outDir must be new, empty, or a
// directory htvm wrote before (its marker file .htvm-project lists the files written; those this
// write does not write again are removed, other files such as build/ are left); any other
// non-empty directory is an error unless `force`.
Status writeProject(const std::vector<GeneratedFile>& files, const std::string& outDir, bool force);

// generateC, then writeProject into outDir with opts.forceOutputDir.
Status emitC(const Graph& g, const ArenaPlan& plan, const CodegenOptions& opts,
             const std::string& outDir);

// What generateC's C holds, for the report: per node the symbol of its layer function (empty when the
// node has no code of its own: a Reshape whose output aliases its input, a member of a fused CPU
// chain) and the bytes of the constants weights.c defines (those CPU layers read; accelerator
// layers carry theirs as streams).
struct EmittedCode {
  std::vector<std::string> layerFunctions;
  int64_t weightsBytes = 0;
};
EmittedCode emittedCode(const Graph& g, const ArenaPlan& plan);

}  // namespace htvm
