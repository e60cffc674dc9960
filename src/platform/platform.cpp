// Platform file loader: JSON -> Platform with strict validation. Each object's keys are checked
// against the schema before its values are read, so a typo is reported as an unknown key rather
// than as a missing one. Errors carry the file and the JSON key path; the first error wins.
#include "platform/platform.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ir/layout.h"
#include "platform/cost_model.h"

namespace htvm {

using nlohmann::json;


int Platform::findAccelerator(const std::string& accelName) const {
  for (size_t i = 0; i < accelerators.size(); ++i)
    if (accelerators[i].name == accelName) return static_cast<int>(i);
  return -1;
}

namespace {

// Thrown inside this file only; loadPlatform turns it into a Diag.
struct LoadError {
  std::string message;
};

std::string keyPath(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string describe(const json& j) {
  if (j.is_object()) return "an object";
  if (j.is_array()) return "an array";
  if (j.is_null()) return "null";
  std::string s = j.dump();
  if (s.size() > 40) s = s.substr(0, 40) + "...";
  return s;
}

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
    throw LoadError{file_ + ": " + (path.empty() ? "" : path + ": ") + msg};
  }

  std::vector<Assumption> assumptions;

 private:
  std::string file_;
};

// A JSON object whose keys are checked against the schema when it is opened.
class Obj {
 public:
  Obj(Loader& ld, const json& j, std::string path, std::initializer_list<const char*> allowed)
      : Obj(ld, j, std::move(path), std::vector<std::string>(allowed.begin(), allowed.end())) {}
  Obj(Loader& ld, const json& j, std::string path, const std::vector<std::string>& allowed)
      : ld_(ld), j_(j), path_(std::move(path)) {
    if (!j.is_object()) ld.fail(path_, "must be an object, got " + describe(j));
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end();
      if (known) continue;
      std::string list;
      for (const std::string& k : allowed) list += (list.empty() ? "" : ", ") + k;
      ld.fail(path_, "unknown key '" + it.key() + "' (expected one of: " + list + ")");
    }
  }
  bool has(const std::string& key) const { return j_.contains(key); }
  const json& req(const std::string& key) const {
    if (!j_.contains(key)) ld_.fail(path_, "missing key '" + key + "'");
    return j_.at(key);
  }
  std::string at(const std::string& key) const { return keyPath(path_, key); }
  const std::string& path() const { return path_; }
  Loader& loader() const { return ld_; }

 private:
  Loader& ld_;
  const json& j_;
  std::string path_;
};

enum class Sign { Positive, NonNegative };

std::string str(const Obj& o, const std::string& key) {
  const json& j = o.req(key);
  if (!j.is_string()) o.loader().fail(o.at(key), "must be a string, got " + describe(j));
  return j.get<std::string>();
}

std::string optStr(const Obj& o, const std::string& key) { return o.has(key) ? str(o, key) : ""; }

bool boolean(const Obj& o, const std::string& key) {
  const json& j = o.req(key);
  if (!j.is_boolean()) o.loader().fail(o.at(key), "must be true or false, got " + describe(j));
  return j.get<bool>();
}

int64_t integer(Loader& ld, const json& j, const std::string& path) {
  if (!j.is_number_integer()) ld.fail(path, "must be an integer, got " + describe(j));
  return j.get<int64_t>();
}

// Reads the provenance part of a parameter; returns the JSON holding the number itself.
template <typename T>
const json& readProvenance(Loader& ld, const json& j, const std::string& path, Param<T>& p) {
  if (!j.is_object()) return j;
  Obj o(ld, j, path, {"value", "assumed", "source", "note"});
  p.assumed = o.has("assumed") && boolean(o, "assumed");
  p.source = optStr(o, "source");
  p.note = optStr(o, "note");
  if (p.assumed && p.note.empty()) ld.fail(path, "an assumed parameter needs a 'note' saying why");
  return o.req("value");
}

constexpr int64_t kMaxPlatformInt = (int64_t{1} << 31) - 1;

Param<int64_t> intParam(const Obj& o, const std::string& key, Sign sign) {
  Loader& ld = o.loader();
  std::string path = o.at(key);
  Param<int64_t> p;
  const json& v = readProvenance(ld, o.req(key), path, p);
  bool pos = sign == Sign::Positive;
  const char* what = pos ? "must be a positive integer" : "must be a non-negative integer";
  if (!v.is_number_integer()) ld.fail(path, std::string(what) + ", got " + describe(v));
  p.value = v.get<int64_t>();
  if (pos ? p.value <= 0 : p.value < 0) ld.fail(path, std::string(what) + ", got " + describe(v));
  // The generated code carries every platform number in 32-bit fields (htvm_accel_desc, the
  // linker script's symbols) of a 32-bit target; a larger one would not compile or would wrap.
  if (p.value > kMaxPlatformInt)
    ld.fail(path, "must be at most " + std::to_string(kMaxPlatformInt) +
                      " (2^31 - 1: the 32-bit fields the generated code holds it in), got " +
                      describe(v));
  if (p.assumed) ld.assumptions.push_back({path, std::to_string(p.value), p.note});
  return p;
}

Param<double> realParam(const Obj& o, const std::string& key) {
  Loader& ld = o.loader();
  std::string path = o.at(key);
  Param<double> p;
  const json& v = readProvenance(ld, o.req(key), path, p);
  if (!v.is_number() || v.get<double>() < 0)
    ld.fail(path, "must be a non-negative number, got " + describe(v));
  p.value = v.get<double>();
  if (p.assumed) ld.assumptions.push_back({path, v.dump(), p.note});
  return p;
}

DType dtype(const Obj& o, const std::string& key) {
  std::string s = str(o, key);
  for (DType t : {DType::I8, DType::I16, DType::I32})
    if (s == "int" + std::to_string(8 * dtypeBytes(t))) return t;
  o.loader().fail(o.at(key), "must be one of int8, int16, int32, got \"" + s + "\"");
}

// `vector`: the pattern works on [1, N] tensors (VEC16) rather than [1, C, H, W].
Layout layout(const Obj& o, const std::string& key, bool vector) {
  std::string s = str(o, key);
  if (std::optional<Layout> l = layoutByName(s); l && *l != Layout::NCHW) {  // accelerator layouts
    if ((*l == Layout::VEC16_REV4) != vector)
      o.loader().fail(o.at(key), "layout \"" + s + "\" does not hold " +
                                     (vector ? "[1, N] vectors" : "[1, C, H, W] tensors"));
    return *l;
  }
  o.loader().fail(o.at(key),
                  "must be one of chw_w16_rev4, vec16_rev4, hwc_c64_rev4, got \"" + s + "\"");
}

std::vector<int64_t> intList(const Obj& o, const std::string& key) {
  const json& j = o.req(key);
  if (!j.is_array() || j.empty())
    o.loader().fail(o.at(key), "must be a non-empty array of integers");
  std::vector<int64_t> r;
  for (size_t i = 0; i < j.size(); ++i) {
    int64_t v = integer(o.loader(), j[i], o.at(key) + "[" + std::to_string(i) + "]");
    if (v <= 0) o.loader().fail(o.at(key) + "[" + std::to_string(i) + "]", "must be positive");
    r.push_back(v);
  }
  return r;
}

IntRange range(const Obj& parent, const std::string& key) {
  Obj o(parent.loader(), parent.req(key), parent.at(key), {"min", "max"});
  IntRange r{integer(o.loader(), o.req("min"), o.at("min")),
             integer(o.loader(), o.req("max"), o.at("max"))};
  if (r.min > r.max)
    o.loader().fail(o.path(), "min " + std::to_string(r.min) + " > max " + std::to_string(r.max));
  return r;
}

std::vector<ClipRange> clipList(const Obj& parent, const std::string& key) {
  Loader& ld = parent.loader();
  const json& j = parent.req(key);
  if (!j.is_array() || j.empty()) ld.fail(parent.at(key), "must be a non-empty array of {lo, hi}");
  std::vector<ClipRange> r;
  for (size_t i = 0; i < j.size(); ++i) {
    Obj o(ld, j[i], parent.at(key) + "[" + std::to_string(i) + "]",
          {"lo", "hi", "assumed", "note"});
    ClipRange c;
    c.lo = integer(ld, o.req("lo"), o.at("lo"));
    c.hi = integer(ld, o.req("hi"), o.at("hi"));
    c.assumed = o.has("assumed") && boolean(o, "assumed");
    c.note = optStr(o, "note");
    if (c.lo > c.hi)
      ld.fail(o.path(), "lo " + std::to_string(c.lo) + " > hi " + std::to_string(c.hi));
    if (c.assumed && c.note.empty())
      ld.fail(o.path(), "an assumed entry needs a 'note' saying why");
    if (c.assumed)
      ld.assumptions.push_back(
          {o.path(), "[" + std::to_string(c.lo) + "," + std::to_string(c.hi) + "]", c.note});
    r.push_back(c);
  }
  return r;
}

RequantRules requantRules(const Obj& o) {
  RequantRules r;
  r.inputDtype = dtype(o, "input_dtype");
  r.outputDtype = dtype(o, "output_dtype");
  r.shift = range(o, "shift");
  if (o.has("clip")) r.clip = clipList(o, "clip");
  r.elementMultiple = intParam(o, "element_multiple", Sign::Positive).value;
  return r;
}

ConvRules convRules(const Obj& o) {
  ConvRules r;
  r.kernelSizes = intList(o, "kernel_sizes");
  r.strides = intList(o, "strides");
  r.stridesEqual = boolean(o, "strides_equal");
  r.dilations = intList(o, "dilations");
  const json& g = o.req("groups");
  if (!g.is_array() || g.empty())
    o.loader().fail(o.at("groups"), "must be a non-empty array of \"1\" / \"depthwise\"");
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] == "1")
      r.groups.push_back(GroupRule::One);
    else if (g[i] == "depthwise")
      r.groups.push_back(GroupRule::Depthwise);
    else
      o.loader().fail(o.at("groups") + "[" + std::to_string(i) + "]",
                      "must be \"1\" or \"depthwise\", got " + describe(g[i]));
  }
  std::string pad = str(o, "padding");
  if (pad == "same")
    r.padding = PaddingRule::Same;
  else if (pad == "any")
    r.padding = PaddingRule::Any;
  else
    o.loader().fail(o.at("padding"), "must be \"same\" or \"any\", got \"" + pad + "\"");
  return r;
}

#define HTVM_REQUANT_KEYS \
  "source", "note", "layout", "input_dtype", "output_dtype", "shift", "clip", "element_multiple"
#define HTVM_CONV_KEYS "kernel_sizes", "strides", "strides_equal", "dilations", "groups", "padding"

// The keys every pattern has; a dense pattern's layout is a vector layout.
void patternHead(Obj& o, bool denseLayout, PatternHead& p) {
  p.source = optStr(o, "source");
  p.layout = layout(o, "layout", denseLayout);
  p.requant = requantRules(o);
}

QConvPattern qconvPattern(Loader& ld, const json& j, const std::string& path) {
  Obj o(ld, j, path,
        {HTVM_REQUANT_KEYS, HTVM_CONV_KEYS, "weight_dtype", "bias_dtype", "bias_required"});
  QConvPattern p;
  patternHead(o, false, p);
  p.conv = convRules(o);
  p.weightDtype = dtype(o, "weight_dtype");
  p.biasDtype = dtype(o, "bias_dtype");
  p.biasRequired = boolean(o, "bias_required");
  return p;
}

QDensePattern qdensePattern(Loader& ld, const json& j, const std::string& path) {
  Obj o(ld, j, path, {HTVM_REQUANT_KEYS, "weight_dtype", "bias_dtype", "bias_required"});
  QDensePattern p;
  patternHead(o, true, p);
  p.weightDtype = dtype(o, "weight_dtype");
  p.biasDtype = dtype(o, "bias_dtype");
  p.biasRequired = boolean(o, "bias_required");
  return p;
}

QAddPattern qaddPattern(Loader& ld, const json& j, const std::string& path) {
  Obj o(ld, j, path, {HTVM_REQUANT_KEYS, "equal_shapes"});
  QAddPattern p;
  patternHead(o, false, p);
  p.equalShapes = boolean(o, "equal_shapes");
  return p;
}

AnalogConvPattern analogConvPattern(Loader& ld, const json& j, const std::string& path) {
  Obj o(
      ld, j, path,
      {HTVM_REQUANT_KEYS, HTVM_CONV_KEYS, "weight_dtype", "weight_values", "bn_dtype", "adc_clip"});
  AnalogConvPattern p;
  patternHead(o, false, p);
  p.conv = convRules(o);
  p.weightDtype = dtype(o, "weight_dtype");
  p.weightValues = range(o, "weight_values");
  p.bnDtype = dtype(o, "bn_dtype");
  p.adcClip = clipList(o, "adc_clip");
  return p;
}

#undef HTVM_REQUANT_KEYS
#undef HTVM_CONV_KEYS

DmaDesc dmaDesc(Loader& ld, const json& j, const std::string& path) {
  Obj o(ld, j, path, {"setup_cycles", "bytes_per_cycle", "granule_bytes", "note"});
  return {intParam(o, "setup_cycles", Sign::NonNegative),
          intParam(o, "bytes_per_cycle", Sign::Positive),
          intParam(o, "granule_bytes", Sign::Positive)};
}

// The kind's parameters, by its backend's schema, in that order.
std::vector<Param<int64_t>> kindParams(Loader& ld, const json& j, const std::string& path,
                                       const AccelBackend& b) {
  std::vector<std::string> keys;
  for (const ParamSpec& p : b.params) keys.push_back(p.key);
  keys.push_back("note");
  Obj o(ld, j, path, keys);
  std::vector<Param<int64_t>> params;
  for (const ParamSpec& p : b.params)
    params.push_back(intParam(o, p.key, p.positive ? Sign::Positive : Sign::NonNegative));
  return params;
}

}  // namespace

const PatternHead* Patterns::of(OpKind op) const {
  auto head = [](const auto& p) -> const PatternHead* { return p ? &*p : nullptr; };
  switch (op) {
    case OpKind::QConv2D: return head(qconv2d);
    case OpKind::QDense: return head(qdense);
    case OpKind::QAdd: return head(qadd);
    case OpKind::AnalogConv2D: return head(analogConv2d);
    default: return nullptr;
  }
}

namespace {

// Pattern parsers by JSON key; a backend lists the keys its kind accepts.
void parsePattern(Loader& ld, const Obj& pats, const std::string& key, Patterns& out) {
  const json& j = pats.req(key);
  std::string path = pats.at(key);
  if (key == "qconv2d")
    out.qconv2d = qconvPattern(ld, j, path);
  else if (key == "qdense")
    out.qdense = qdensePattern(ld, j, path);
  else if (key == "qadd")
    out.qadd = qaddPattern(ld, j, path);
  else if (key == "analog_conv2d")
    out.analogConv2d = analogConvPattern(ld, j, path);
  else
    HTVM_CHECK(false) << "backend accepts pattern '" << key << "' that no parser reads";
}

AcceleratorDesc accelerator(Loader& ld, const json& j, const std::string& path,
                            const BackendList& backends) {
  Obj o(ld, j, path,
        {"name", "kind", "note", "job_setup_cycles", "l1", "dma", "compute", "patterns"});
  AcceleratorDesc a;
  a.name = str(o, "name");
  if (a.name.empty() || a.name == "cpu")
    ld.fail(o.at("name"), "must be non-empty and not \"cpu\" (reserved)");
  std::string kind = str(o, "kind");
  for (const AccelBackend* b : backends)
    if (kind == b->kind) a.backend = b;
  if (a.backend == nullptr) {
    std::string list;
    for (size_t i = 0; i < backends.size(); ++i)
      list += std::string(i == 0 ? "" : i + 1 == backends.size() ? " or " : ", ") + "\"" +
              backends[i]->kind + "\"";
    ld.fail(o.at("kind"), "must be " + list + ", got \"" + kind + "\"");
  }
  a.jobSetupCycles = intParam(o, "job_setup_cycles", Sign::NonNegative);
  Obj l1(ld, o.req("l1"), o.at("l1"), {"activation_bytes", "weight_bytes", "note"});
  a.l1 = {intParam(l1, "activation_bytes", Sign::Positive),
          intParam(l1, "weight_bytes", Sign::Positive)};
  a.dma = dmaDesc(ld, o.req("dma"), o.at("dma"));
  const AccelBackend& b = *a.backend;
  a.params = kindParams(ld, o.req("compute"), o.at("compute"), b);
  if (b.checkParams)
    if (auto bad = b.checkParams(a)) ld.fail(o.at("compute") + "." + bad->first, bad->second);
  std::vector<std::string> patternKeys(b.patterns.begin(), b.patterns.end());
  patternKeys.push_back("note");
  Obj pats(ld, o.req("patterns"), o.at("patterns"), patternKeys);
  for (const char* key : b.patterns)
    if (pats.has(key)) parsePattern(ld, pats, key, a.patterns);
  return a;
}

// cpu.cost.kernels: {"source": "...", "<kind>": {"call": c, "mac": m, ...}, ...}. A kind is one
// cpuCostTerms names (an entry no node can use would be a silent typo).
void kernelCosts(Loader& ld, const json& j, const std::string& path, CpuCost& cost) {
  if (!j.is_object()) ld.fail(path, "must be an object, got " + describe(j));
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& kind = it.key();
    std::string at = keyPath(path, kind);
    if (kind == "source" || kind == "note") {
      if (!it->is_string()) ld.fail(at, "must be a string, got " + describe(*it));
      if (kind == "source") cost.kernelsSource = it->get<std::string>();
      continue;
    }
    if (auto bad = checkCostKind(kind)) ld.fail(at, "not a CPU kernel kind: " + *bad);
    Obj o(ld, *it, at, {"call", "mac", "block_load", "output", "element", "row", "byte"});
    auto num = [&](const char* key) {
      if (!o.has(key)) return 0.0;
      const json& v = o.req(key);
      if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
        ld.fail(o.at(key), "must be a non-negative number, got " + describe(v));
      return v.get<double>();
    };
    cost.kernels[kind] = {num("call"),    num("mac"), num("block_load"), num("output"),
                          num("element"), num("row"), num("byte")};
  }
}

// The march/mabi pair must be one gcc accepts for RV32 and that the generated C can rely on:
// HTVM_HARD_FLOAT follows __riscv_flen, which -march sets. The strings reach the generated
// target.mk, so they are held to this grammar (no spaces, no make syntax) rather than escaped.
// Returns the offending key and why.
std::optional<std::pair<std::string, std::string>> checkIsa(const std::string& march,
                                                            const std::string& mabi) {
  const std::string want =
      "expected rv32i or rv32e followed by extensions from m, a, f, d, c in that order "
      "(e.g. rv32imac, rv32imafc), optionally _z... extensions";
  std::string base = march.substr(0, march.find('_'));
  if (base.size() < 5 || (base.compare(0, 5, "rv32i") != 0 && base.compare(0, 5, "rv32e") != 0))
    return {{"march", "\"" + march + "\": " + want}};
  const std::string order = "mafdc";
  size_t pos = 0;
  for (char c : base.substr(5)) {
    size_t at = order.find(c, pos);
    if (at == std::string::npos)
      return {{"march", "\"" + march + "\": extension '" + std::string(1, c) +
                            "' unknown or out of order; " + want}};
    pos = at + 1;
  }
  for (size_t at = march.find('_'); at != std::string::npos;) {
    size_t next = march.find('_', at + 1);
    std::string ext = march.substr(at + 1, next == std::string::npos ? std::string::npos
                                                                     : next - at - 1);
    bool ok = ext.size() > 1 && ext[0] == 'z' &&
              std::all_of(ext.begin(), ext.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
              });
    if (!ok) return {{"march", "\"" + march + "\": \"_" + ext + "\" is not a z extension"}};
    at = next;
  }
  auto has = [&](char c) { return base.find(c, 5) != std::string::npos; };
  if (has('d') && !has('f'))
    return {{"march", "\"" + march + "\": extension d needs f"}};
  bool e = base[4] == 'e';
  if (mabi == "ilp32" || (mabi == "ilp32e" && e)) return std::nullopt;
  if (mabi == "ilp32f" && !e) {
    if (!has('f')) return {{"mabi", "ilp32f passes floats in F registers, but \"" + march +
                                        "\" has no f extension"}};
    return std::nullopt;
  }
  if (mabi == "ilp32d" && !e) {
    if (!has('d')) return {{"mabi", "ilp32d passes doubles in F registers, but \"" + march +
                                        "\" has no d extension"}};
    return std::nullopt;
  }
  return {{"mabi", "\"" + mabi + "\" is not an ABI for \"" + march + "\": expected " +
                       (e ? "ilp32e" : "ilp32, ilp32f or ilp32d")}};
}

Platform platform(Loader& ld, const json& j, const BackendList& backends) {
  Obj top(ld, j, "", {"name", "note", "cpu", "l2", "accelerators"});
  Platform p;
  p.name = str(top, "name");
  Obj cpu(ld, top.req("cpu"), "cpu", {"name", "march", "mabi", "note", "clock_hz", "cost"});
  p.cpu.name = str(cpu, "name");
  p.cpu.march = str(cpu, "march");
  p.cpu.mabi = str(cpu, "mabi");
  if (auto bad = checkIsa(p.cpu.march, p.cpu.mabi)) ld.fail(cpu.at(bad->first), bad->second);
  p.cpu.clockHz = intParam(cpu, "clock_hz", Sign::Positive);
  Obj cost(ld, cpu.req("cost"), cpu.at("cost"),
           {"cycles_per_mac", "cycles_per_element", "relayout_cycles_per_byte", "kernels", "note"});
  p.cpu.cost.cyclesPerMac = realParam(cost, "cycles_per_mac");
  p.cpu.cost.cyclesPerElement = realParam(cost, "cycles_per_element");
  p.cpu.cost.relayoutCyclesPerByte = realParam(cost, "relayout_cycles_per_byte");
  if (cost.has("kernels")) kernelCosts(ld, cost.req("kernels"), cost.at("kernels"), p.cpu.cost);
  Obj l2(ld, top.req("l2"), "l2", {"bytes", "host_private_bytes", "note"});
  p.l2 = {intParam(l2, "bytes", Sign::Positive),
          intParam(l2, "host_private_bytes", Sign::NonNegative)};
  if (p.l2.hostPrivateBytes.value >= p.l2.bytes.value)
    ld.fail(l2.at("host_private_bytes"),
            "must be smaller than l2.bytes (" + std::to_string(p.l2.bytes.value) + ")");
  const json& accs = top.req("accelerators");
  if (!accs.is_array()) ld.fail("accelerators", "must be an array, got " + describe(accs));
  for (size_t i = 0; i < accs.size(); ++i) {
    std::string path = "accelerators[" + std::to_string(i) + "]";
    AcceleratorDesc a = accelerator(ld, accs[i], path, backends);
    if (p.findAccelerator(a.name) >= 0)
      ld.fail(path + ".name", "duplicate accelerator name \"" + a.name + "\"");
    p.accelerators.push_back(std::move(a));
  }
  // The simulator's memory pool holds every accelerator's memories side by side, and the host
  // build sizes it with one 32-bit constant. Each term is at most 2^62 (a product of two 31-bit
  // parameters) and the running sum is kept at most 2^31 - 1, so no addition can overflow.
  int64_t pool = 0;
  for (size_t i = 0; i < p.accelerators.size(); ++i) {
    const AcceleratorDesc& a = p.accelerators[i];
    const int64_t sim = a.backend->extraSimBytes(a);
    const int64_t own = a.l1.activationBytes.value + a.l1.weightBytes.value;
    if (sim > kMaxPlatformInt - own || own + sim > kMaxPlatformInt - pool)
      ld.fail("accelerators[" + std::to_string(i) + "]",
              "memories total more than the " + std::to_string(kMaxPlatformInt) +
                  " bytes a 32-bit target can hold (this accelerator: l1 " + std::to_string(own) +
                  " + simulator " + std::to_string(sim) + " bytes; earlier ones: " +
                  std::to_string(pool) + ")");
    pool += own + sim;
  }
  p.assumptions = std::move(ld.assumptions);
  return p;
}

}  // namespace

Result<Platform> loadPlatform(const std::string& path, const BackendList& backends) {
  // A platform file is a few kB of JSON; anything else (a directory, a device, a FIFO, a huge
  // file) is refused before reading, so that reading can neither throw nor block.
  constexpr uintmax_t kMaxBytes = 16u << 20;
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    return error() << "cannot open platform file '" << path << "': no such file";
  if (!std::filesystem::is_regular_file(status))
    return error() << "platform file '" << path << "' is "
                   << (std::filesystem::is_directory(status) ? "a directory" : "not a regular file")
                   << ", not a JSON file";
  if (uintmax_t size = std::filesystem::file_size(path, ec); !ec && size > kMaxBytes)
    return error() << "platform file '" << path << "' is " << size << " bytes, more than the "
                   << kMaxBytes << " a platform description can need";
  std::ifstream in(path, std::ios::binary);
  if (!in) return error() << "cannot open platform file '" << path << "'";
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return error() << "cannot read platform file '" << path << "'";
  return parsePlatform(text.str(), path, backends);
}

Result<Platform> parsePlatform(const std::string& text, const std::string& file,
                               const BackendList& backends) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range (406).
    return error() << file << ": invalid JSON: " << e.what();
  }
  Loader ld(file);
  try {
    Platform p = platform(ld, j, backends);
    p.file = file;
    // FNV-1a: a stable fingerprint for reports, not a security measure.
    p.fileHash = 0xcbf29ce484222325ull;
    for (unsigned char c : text) p.fileHash = (p.fileHash ^ c) * 0x100000001b3ull;
    return p;
  } catch (const LoadError& e) {
    return Diag{e.message, {}};
  }
}

Result<Platform> platformByName(const std::string& nameOrPath, const BackendList& backends,
                                const std::string& platformsDir) {
  bool isPath =
      nameOrPath.find('/') != std::string::npos ||
      (nameOrPath.size() > 5 && nameOrPath.compare(nameOrPath.size() - 5, 5, ".json") == 0);
  if (isPath) return loadPlatform(nameOrPath, backends);
  std::string file = platformsDir + "/" + nameOrPath + ".json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(platformsDir, ec))
      if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return error() << "unknown platform '" << nameOrPath << "' (no file " << file
                   << "; available: " << (list.empty() ? "none" : list) << ")";
  }
  return loadPlatform(file, backends);
}

}  // namespace htvm
