// The accelerator-backend interface: everything the compiler knows about one accelerator *kind*
// (digital PE array, analog in-memory core, ...) behind one struct of function pointers, one
// implementation per kind under src/backends/<kind>/, held in an explicit list (backends.h). The
// stages never ask "which kind is this?": the platform loader reads the kind's parameters by the
// backend's schema, the partition asks its legality rules, the tiler its geometry, job cycles and
// weight bytes, codegen its HAL job, config initialisers, weight arrays and memories. Each
// accelerator of a platform points at its backend (AcceleratorDesc::backend), so a stage reaches
// the kind through the accelerator it already holds, and this header names only types of the
// stages below it (IR, platform description, tile plan). Adding a kind is one backend file, its
// entry in the list and its simulator file (docs/ARCHITECTURE.md counts them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "tiling/tile_plan.h"

namespace htvm {

struct AcceleratorDesc;
class CWriter;

// One kind parameter of the platform file (accelerators[i].compute.<key>), kept in
// AcceleratorDesc::params in this order.
struct ParamSpec {
  const char* key;
  bool positive;  // > 0, else >= 0
};

// What a job's config initialiser is printed from: the job, where its operands are in L1, and
// the symbols of the layer's weight arrays.
struct JobText {
  const Graph& g;
  const Node& n;
  const TileJob& job;
  int64_t in[2];          // L1 offsets of the activation operands (a, b)
  int64_t out;            // L1 offset of the output
  std::string stream;     // the layer's weight stream array
  std::string layer;      // the layer function's symbol (prefix of its other arrays)
};

// The HAL entry point of a job and its config struct (runtime/htvm_hal.h or the backend's own
// header); `fn` + "_start" is the asynchronous variant.
struct HalJob {
  const char* cfgType;
  const char* fn;
};

struct AccelBackend {
  const char* kind;     // platform file "kind" and the --conf that enables this kind alone
  const char* halKind;  // C expression of htvm_accel_desc.kind
  // Header declaring the kind's HAL jobs when it is not runtime/htvm_hal.h (nullptr: that one),
  // and extra runtime files (path under runtime/, text) the generated project then carries.
  const char* halHeader = nullptr;
  std::vector<std::pair<const char*, const char*>> runtimeFiles;

  // ---- platform file ----
  std::vector<ParamSpec> params;        // accelerators[i].compute
  std::vector<const char*> patterns;    // accepted keys of accelerators[i].patterns
  // A rule across parameters: (key, message) of the first violation.
  std::optional<std::pair<std::string, std::string>> (*checkParams)(const AcceleratorDesc&) =
      nullptr;

  // ---- partition ----
  // Rules beyond the op's pattern that this kind adds (e.g. the analog array's size), appended.
  void (*extraRules)(const Graph&, const Node&, const AcceleratorDesc&,
                     std::vector<std::string>& failing) = nullptr;

  // ---- tiling ----
  // The layer `n` as this accelerator tiles it, or nullopt when the kind does not run n's op.
  std::optional<TileLayer> (*tileLayer)(const Graph&, const Node&, const AcceleratorDesc&) =
      nullptr;
  JobCycles (*jobCycles)(const TileLayer&, const TileJob&, const AcceleratorDesc&) = nullptr;
  // Bytes of the weight stream one job reads (0: none), and where a job's part starts in the
  // layer's stream when output channels are tiled by `tileK`.
  int64_t (*jobWeightBytes)(const TileLayer&, const TileJob&, const AcceleratorDesc&) = nullptr;
  int64_t (*weightOffset)(const TileLayer&, const TileJob&, int64_t tileK) = nullptr;
  // Why the largest job's weights do not fit the weight memory, or nullopt.
  std::optional<std::string> (*weightsFit)(const TileLayer&, int64_t maxJobWeightBytes,
                                           const AcceleratorDesc&) = nullptr;
  // The one weight load before the tile loop (LayerSchedule::preload), when the kind has one.
  JobCycles (*preloadCycles)(const TileLayer&, const AcceleratorDesc&) = nullptr;

  // ---- codegen ----
  std::optional<HalJob> (*halJob)(OpKind) = nullptr;
  std::string (*jobInit)(const JobText&) = nullptr;
  // The layer's constant arrays (weight stream `stream`, other arrays prefixed by `layer`).
  void (*emitWeights)(CWriter&, const Graph&, const Node&, const LayerSchedule&,
                      const std::string& stream, const std::string& layer) = nullptr;
  // Bytes those arrays take (flash), from the formats' size rules rather than by encoding; the plan
  // records them (L1LayerPlan::weightBytes) and the report prints them.
  int64_t (*weightArrayBytes)(const Graph&, const Node&, const LayerSchedule&) = nullptr;
  // The HAL call of the hoisted weight load (accel, stream symbol).
  std::string (*preloadCall)(const Graph&, const Node&, int accel, const std::string& stream) =
      nullptr;
  // The kind's fields of htvm_accel_desc, pe_k .. act_line_bytes in the header's order.
  std::vector<int64_t> (*halParams)(const AcceleratorDesc&) = nullptr;
  // Simulator memory beyond the activation L1 (the analog array's cells).
  int64_t (*extraSimBytes)(const AcceleratorDesc&) = nullptr;

  // ---- reports ----
  // Peak MACs per cycle, what utilization is measured against (0: not a MAC array).
  int64_t (*peakMacsPerCycle)(const AcceleratorDesc&) = nullptr;
};

// The kinds a platform file may name, in a fixed order (backends/backends.h has the built-in list).
using BackendList = std::vector<const AccelBackend*>;

}  // namespace htvm
