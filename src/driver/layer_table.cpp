#include "driver/layer_table.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace htvm {
namespace {

std::string shapeOf(const nlohmann::json& shape) {
  std::string s;
  for (const auto& d : shape) s += (s.empty() ? "" : "x") + std::to_string(d.get<int64_t>());
  return s;
}

std::string ellipsize(const std::string& s, size_t width) {
  return s.size() <= width ? s : "..." + s.substr(s.size() - (width - 3));
}

}  // namespace

std::string layerTable(const std::string& reportJsonPath) {
  std::ifstream f(reportJsonPath);
  nlohmann::json r = nlohmann::json::parse(f, nullptr, false);
  if (r.is_discarded() || !r.contains("layers")) return reportJsonPath + ": no layer report\n";
  const char* row = "{:>3}  {:<40} {:<10} {:<14} {:<18} {:>9} {:>9} {:>7}  {}\n";
  std::string out = fmt::format(row, "#", "node", "source op", "htvm op", "output", "MACs", "cycles", "L1 B", "core");
  int64_t accelMacs = 0, totalMacs = 0;
  for (const auto& l : r["layers"]) {
    std::string type = l["output"]["dtype"].get<std::string>() + "[" + shapeOf(l["output"]["shape"]) + "]";
    int64_t macs = l.value("macs", int64_t{0});
    std::string core = l.value("core", std::string("cpu"));
    totalMacs += macs;
    if (core != "cpu") accelMacs += macs;
    std::string cycles = l.contains("predicted_cycles") ? std::to_string(l["predicted_cycles"].get<int64_t>()) : "";
    std::string l1 = l.contains("l1") ? std::to_string(l["l1"]["bytes"].get<int64_t>()) : "";
    out += fmt::format(row, l["index"].get<int64_t>(), ellipsize(l["name"].get<std::string>(), 40),
                       ellipsize(l["source_op"].get<std::string>(), 10), l["op"].get<std::string>(), type,
                       macs ? std::to_string(macs) : "", cycles, l1, core);
    // Why a layer an accelerator could run in principle stayed on the CPU.
    bool layer = macs > 0 || l["op"] == "qadd";
    if (core == "cpu" && layer && l.contains("reason"))
      out += fmt::format("       on cpu: {}\n", l["reason"].get<std::string>());
  }
  const auto& m = r["memory"];
  out += fmt::format(
      "total: {} layers, {} MACs ({} on accelerators); activation arena {} B (liveness lower bound {} B); "
      "weights {} B\n",
      r["layers"].size(), totalMacs, accelMacs, m.value("arena_bytes", int64_t{0}),
      m.value("liveness_lower_bound", int64_t{0}), m.value("weights_bytes", int64_t{0}));
  return out;
}

}  // namespace htvm
