// `htvm profile` and the profile report of `htvm run/verify --profile`: builds the project with
// PROFILE=global|individual (HTVM's names), runs it, and turns the demo's `htvm_profile:` lines
// plus report.json (node names, cores, MACs) into a per-layer table, profile.csv and
// profile.json in the project directory.
//
// What a layer's cycles are: on rv32, CPU layers are measured (rdcycle; under QEMU with
// -icount shift=0 one cycle per instruction) and accelerator layers are the simulator's modeled
// cycles, because the instructions that simulate an accelerator are not its time. On the host
// there is no cycle counter: CPU layers show CLOCK_MONOTONIC nanoseconds, accelerator layers
// modeled cycles. Counts are of the first sample, after one warm-up run.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "driver/pipeline.h"
#include "driver/toolchain.h"
#include "support/diag.h"

namespace htvm {

struct LayerProfile {
  int64_t index = 0;
  std::string node, core;  // core: "cpu" or the accelerator's name
  int64_t macs = 0;
  uint64_t measured = 0;  // the CPU counter over the layer: cycles (rv32) or ns (host)
  uint64_t measuredInstret = 0;
  uint64_t modeledAccel = 0;       // simulator's modeled cycles of the layer's accelerator jobs
  std::optional<uint64_t> cycles;  // reported (see the header comment); unset for host CPU layers
  std::optional<uint64_t> instructions;  // rv32 CPU layers only
};

struct ProfileReport {
  std::string model;
  Target target = Target::Host;
  ProfileMode mode = ProfileMode::Global;
  std::string unit;                               // of `measured`: "cycles" (rv32) or "ns" (host)
  std::vector<LayerProfile> layers;               // individual mode
  int fusedNodes = 0;  // nodes computed inside a fused chain's loop: no row, counted in the root's
  LayerProfile total;                             // the whole htvm_model_run
  std::optional<ElfSizes> sizes;                  // rv32
  std::optional<uint64_t> stackPeak, stackBytes;  // rv32
};

// Parses the demo's output (`htvm_profile:` and `htvm_demo: stack peak` lines) against the
// project's report.json.
Result<ProfileReport> parseProfile(const std::string& log, const std::string& reportJsonPath,
                                   Target target);
std::string profileTable(const ProfileReport& r);
// DIR/profile.csv (one row per layer, or one for the whole run in global mode) and profile.json.
Status writeProfileFiles(const std::string& dir, const ProfileReport& r);
// parseProfile + ELF sizes + print the table + write the files: what run/verify/profile share.
Status reportProfile(const std::string& dir, const std::string& log, const BuildOptions& build,
                     std::ostream& out);

struct ProfileOptions {
  CompileOptions compile;  // outDir empty: a temporary directory
  std::string inputPath;   // empty: one sample of zeros
  BuildOptions build;      // target, mode (default individual), -O level, indefinite
  double timeoutSeconds = 600;
  bool keep = false;  // keep the temporary project (no effect with compile.outDir set)
};

// Compiles, builds, runs and reports. With build.indefinite it does not return on success: the
// process becomes the demo (or QEMU) looping over the sample until it is stopped.
Status profileModel(const ProfileOptions& opts, std::ostream& out);

}  // namespace htvm
