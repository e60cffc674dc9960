#include "driver/layer_table.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
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

// One line under an accelerator layer: its schedule, where its cycles go, its utilization and
// which operands stay in L1.
std::string accelDetail(const nlohmann::json& m) {
  std::string resident;
  for (const auto& t : m.value("resident_inputs", nlohmann::json::array()))
    resident += (resident.empty() ? "" : ", ") + ellipsize(t.get<std::string>(), 40);
  std::string kept;
  if (!resident.empty()) kept += "; input in L1: " + resident;
  if (m.value("resident_output", false)) kept += "; output stays in L1";
  // Layers without MACs (element-wise adds) have no utilization to speak of.
  double util = m.value("utilization", 0.0);
  std::string utilText = util > 0 ? fmt::format("; utilization {:.1f}%", 100.0 * util) : "";
  return fmt::format("       {}; compute {} + weights {} + setup {} + exposed DMA {}{}{}\n",
                     m.value("tiling", std::string()), m.value("compute", int64_t{0}),
                     m.value("weights", int64_t{0}), m.value("overhead", int64_t{0}),
                     m.value("exposed_dma", int64_t{0}), utilText, kept);
}

// The whole network on the cycle model, next to the CPU-only build.
std::string performanceLine(const nlohmann::json& p, const nlohmann::json& residency) {
  return fmt::format(
      "modeled ({} schedule): {} cycles = accelerators {} (utilization {:.1f}%) + CPU {}; CPU-only "
      "build {} cycles, {:.1f}x; {} tensors kept in L1 between layers save {} cycles\n",
      p.value("schedule", std::string()), p.value("total_cycles", int64_t{0}),
      p.value("accelerator_cycles", int64_t{0}), 100.0 * p.value("accelerator_utilization", 0.0),
      p.value("cpu_cycles", int64_t{0}), p.value("cpu_only_cycles", int64_t{0}),
      p.value("speedup_vs_cpu_only", 0.0), residency.size(),
      p.value("residency_saved_cycles", int64_t{0}));
}

}  // namespace

std::string layerTable(const std::string& reportJsonPath) {
  std::ifstream f(reportJsonPath);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return layerTableOfText(text, reportJsonPath);
}

std::string layerTableOfText(const std::string& reportJson, const std::string& name) {
  nlohmann::json r = nlohmann::json::parse(reportJson, nullptr, false);
  if (r.is_discarded() || !r.contains("layers")) return name + ": no layer report\n";
  const char* row = "{:>3}  {:<40} {:<10} {:<14} {:<18} {:>9} {:>9} {:>7}  {}\n";
  std::string out = fmt::format(row, "#", "node", "source op", "htvm op", "output", "MACs", "cycles", "L1 B", "core");
  int64_t accelMacs = 0, totalMacs = 0;
  for (const auto& l : r["layers"]) {
    std::string type = l["output"]["dtype"].get<std::string>() + "[" + shapeOf(l["output"]["shape"]) + "]";
    int64_t macs = l.value("macs", int64_t{0});
    std::string core = l.value("core", std::string("cpu"));
    totalMacs += macs;
    if (core != "cpu") accelMacs += macs;
    // Modeled cycles: the accelerator schedule as the code runs it (residency included), or the
    // CPU cost model.
    std::string cycles;
    if (l.value("storage", std::string()) == "fused")
      cycles = "fused";  // computed inside the loop of its chain's root, which carries the cycles
    else if (l.contains("modeled") && l["modeled"].contains("cycles"))
      cycles = std::to_string(l["modeled"]["cycles"].get<int64_t>());
    else if (l.contains("predicted_cycles"))
      cycles = std::to_string(l["predicted_cycles"].get<int64_t>());
    std::string l1 = l.contains("l1") ? std::to_string(l["l1"]["bytes"].get<int64_t>()) : "";
    out += fmt::format(row, l["index"].get<int64_t>(), ellipsize(l["name"].get<std::string>(), 40),
                       ellipsize(l["source_op"].get<std::string>(), 10), l["op"].get<std::string>(), type,
                       macs ? std::to_string(macs) : "", cycles, l1, core);
    // Why a layer an accelerator could run in principle stayed on the CPU.
    bool layer = macs > 0 || l["op"] == "qadd";
    if (core == "cpu" && layer && l.contains("reason"))
      out += fmt::format("       on cpu: {}\n", l["reason"].get<std::string>());
    if (core != "cpu" && l.contains("modeled") && l["modeled"].contains("tiling"))
      out += accelDetail(l["modeled"]);
  }
  const auto& m = r["memory"];
  out += fmt::format(
      "total: {} layers, {} MACs ({} on accelerators); activation arena {} B (liveness lower bound {} B); "
      "weights {} B\n",
      r["layers"].size(), totalMacs, accelMacs, m.value("arena_bytes", int64_t{0}),
      m.value("liveness_lower_bound", int64_t{0}),
      m.value("weights_bytes", int64_t{0}) + m.value("accelerator_weights_bytes", int64_t{0}));
  if (r.contains("performance")) out += performanceLine(r["performance"], r.value("l1_residency", nlohmann::json::array()));
  for (const auto& w : r.value("warnings", nlohmann::json::array()))
    out += "warning: " + w.get<std::string>() + "\n";
  return out;
}

}  // namespace htvm
