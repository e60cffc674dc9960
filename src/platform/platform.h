// Platform description: the host CPU, L2, and the accelerators with their memories, DMA engine,
// cycle parameters and the layer patterns they accept (with the constraints as data). Loaded from
// a JSON file in platforms/ (schema: platforms/diana.json is the reference; every object key is
// checked, unknown keys are errors). Accelerators are numbered in file order; that index is
// `Node::accel` and the HAL's accelerator number. Adding an accelerator of an existing kind is a
// JSON edit; a new kind needs a backend (backends/backend.h) and a simulator file.
//
// Every numeric parameter keeps whether it is an assumption (no source backs it; DIANA.md [A] or
// an open question) so that reports can list what the numbers rest on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "ir/op_kind.h"
#include "ir/types.h"
#include "support/diag.h"

#ifndef HTVM_PLATFORMS_DIR
#define HTVM_PLATFORMS_DIR "platforms"
#endif

namespace htvm {

// A number from the platform file with its provenance. In JSON either a plain number or
// {"value": v, "assumed": bool, "source": "...", "note": "..."} (assumed values need a note).
template <typename T>
struct Param {
  T value{};
  bool assumed = false;
  std::string source;
  std::string note;
};

// One assumed parameter, for reports: "accelerators[0].dma.setup_cycles" = "70".
struct Assumption {
  std::string path;
  std::string value;
  std::string note;
};

// Cycles of one kind of CPU kernel, linear in the terms platform/cost_model.h counts for a node
// (CpuCostTerms): per call, multiply-accumulate, weight load of a register block, output element,
// activation element, output row and storage byte of the largest activation.
struct KernelCost {
  double call = 0, mac = 0, blockLoad = 0, output = 0, element = 0, row = 0, byte = 0;
};

struct CpuCost {
  Param<double> cyclesPerMac;           // conv / dense multiply-accumulates
  Param<double> cyclesPerElement;       // per output element (elementwise ops, requantization)
  Param<double> relayoutCyclesPerByte;  // layout conversion at CPU <-> accelerator borders
  // Calibrated costs by kernel kind ("qconv2d/kxk", "relayout/nchw>chw_w16_rev4", "chain",
  // "fused/add", ...: cpuCostTerms' names); a kind without an entry costs the three above.
  std::map<std::string, KernelCost> kernels;
  std::string kernelsSource;  // how the entries were measured
};

struct CpuDesc {
  std::string name;
  // The rv32 build's ISA and ABI (gcc's -march / -mabi). Validated at load: rv32i or rv32e and the
  // single-letter extensions m a f d c in canonical order (optionally _z... extensions), and an ABI
  // whose float registers the ISA has; whether picolibc has that multilib is gcc's to say.
  std::string march;
  std::string mabi;
  Param<int64_t> clockHz;
  CpuCost cost;
};

struct L2Desc {
  Param<int64_t> bytes;
  Param<int64_t> hostPrivateBytes;  // accelerators cannot reach this part (DIANA: first 64 KiB)
};

struct DmaDesc {
  Param<int64_t> setupCycles;  // per 1-D call
  Param<int64_t> bytesPerCycle;
  Param<int64_t> granuleBytes;  // lengths are rounded up to this
};

struct L1Desc {
  Param<int64_t> activationBytes;
  Param<int64_t> weightBytes;  // digital weight memory, or the analog array's bytes
};

// ---- Pattern constraints (what a core accepts, as data) -------------------------------------

struct IntRange {
  int64_t min = 0, max = 0;
  bool contains(int64_t v) const { return v >= min && v <= max; }
};

// An accepted (lo, hi) pair of a requantization or ADC clip.
struct ClipRange {
  int64_t lo = 0, hi = 0;
  bool assumed = false;
  std::string note;
};

enum class GroupRule { One, Depthwise };  // JSON "1", "depthwise"
// Same: HTVM's lenient check (symmetric pads; rejected only when both axes fail k - 2p == 1).
enum class PaddingRule { Any, Same };  // JSON "any", "same"

// Requantization and data-type rules shared by every pattern.
struct RequantRules {
  DType inputDtype = DType::I8;
  DType outputDtype = DType::I8;
  IntRange shift;
  std::vector<ClipRange> clip;  // empty: any clip within the output dtype
  int64_t elementMultiple = 1;  // every activation input and the output
};

struct ConvRules {
  std::vector<int64_t> kernelSizes;  // each of kh, kw
  std::vector<int64_t> strides;      // each of sh, sw
  bool stridesEqual = false;
  std::vector<int64_t> dilations;
  std::vector<GroupRule> groups;
  PaddingRule padding = PaddingRule::Any;
};

// What every pattern has: where its rules come from, the layout the core reads and writes, and
// the requantization and data-type rules.
struct PatternHead {
  std::string source;
  Layout layout = Layout::NCHW;
  RequantRules requant;
};

struct QConvPattern : PatternHead {  // digital qconv2d (groups 1 or depthwise)
  ConvRules conv;
  DType weightDtype = DType::I8;
  DType biasDtype = DType::I32;
  bool biasRequired = false;
};

struct QDensePattern : PatternHead {
  DType weightDtype = DType::I8;
  DType biasDtype = DType::I32;
  bool biasRequired = false;
};

struct QAddPattern : PatternHead {
  bool equalShapes = true;
};

struct AnalogConvPattern : PatternHead {  // rows = C*kh*kw and cols = K are bounded by the array dimensions
  ConvRules conv;
  DType weightDtype = DType::I8;
  IntRange weightValues;
  DType bnDtype = DType::I16;
  std::vector<ClipRange> adcClip;
};

// The patterns an accelerator accepts, one per fused op; `of` is the one place that maps an op to
// its pattern (null: the accelerator has none for it, or the op is not an accelerator op).
struct Patterns {
  std::optional<QConvPattern> qconv2d;
  std::optional<QDensePattern> qdense;
  std::optional<QAddPattern> qadd;
  std::optional<AnalogConvPattern> analogConv2d;

  const PatternHead* of(OpKind op) const;
};

struct AcceleratorDesc {
  std::string name;
  const AccelBackend* backend = nullptr;  // its kind (never null once loaded)
  Param<int64_t> jobSetupCycles;
  L1Desc l1;
  DmaDesc dma;
  // The kind's parameters ("compute"), in the order of backend->params; each backend names the
  // indices it reads.
  std::vector<Param<int64_t>> params;
  Patterns patterns;

  int64_t param(size_t i) const { return params.at(i).value; }
};

struct Platform {
  std::string name;
  std::string file;  // where it was loaded from
  uint64_t fileHash = 0;  // FNV-1a (64 bit) of the file's bytes: which version of it was used
  CpuDesc cpu;
  L2Desc l2;
  std::vector<AcceleratorDesc> accelerators;
  std::vector<Assumption> assumptions;  // every "assumed": true parameter, in schema order

  // Index of the accelerator named `name`, or -1.
  int findAccelerator(const std::string& name) const;
};

// Loads and validates a platform file; an accelerator's "kind" names one of `backends`, whose
// schema its "compute" and "patterns" follow. Errors name the file and the JSON key path, e.g.
// "platforms/x.json: accelerators[1].l1.activation_bytes: must be a positive integer, got -3".
Result<Platform> loadPlatform(const std::string& path, const BackendList& backends);
// The same from the file's text in memory; `file` names it in messages and in Platform::file.
Result<Platform> parsePlatform(const std::string& text, const std::string& file,
                               const BackendList& backends);

// "diana" / "host" resolve to <platformsDir>/<name>.json; anything containing '/' or ending in
// ".json" is a path.
Result<Platform> platformByName(const std::string& nameOrPath, const BackendList& backends,
                                const std::string& platformsDir = HTVM_PLATFORMS_DIR);

}  // namespace htvm
