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
  std::string out = fmt::format("{:>3}  {:<44} {:<12} {:<14} {:<16} {:>10} {:>8}  {}\n", "#", "node",
                                "source op", "htvm op", "output", "MACs", "offset", "core");
  for (const auto& l : r["layers"]) {
    std::string type = l["output"]["dtype"].get<std::string>() + "[" + shapeOf(l["output"]["shape"]) + "]";
    std::string macs = l.contains("macs") ? std::to_string(l["macs"].get<int64_t>()) : "";
    std::string offset = l.contains("arena_offset") ? std::to_string(l["arena_offset"].get<int64_t>())
                                                    : l.value("storage", std::string());
    out += fmt::format("{:>3}  {:<44} {:<12} {:<14} {:<16} {:>10} {:>8}  {}\n", l["index"].get<int64_t>(),
                       ellipsize(l["name"].get<std::string>(), 44), l["source_op"].get<std::string>(),
                       l["op"].get<std::string>(), type, macs, offset, l.value("core", std::string("cpu")));
  }
  const auto& m = r["memory"];
  out += fmt::format(
      "total: {} layers, {} MACs; activation arena {} B (liveness lower bound {} B); weights {} B\n",
      r["layers"].size(), r.value("total_macs", int64_t{0}), m.value("arena_bytes", int64_t{0}),
      m.value("liveness_lower_bound", int64_t{0}), m.value("weights_bytes", int64_t{0}));
  return out;
}

}  // namespace htvm
