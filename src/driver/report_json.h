// report.json's figures that come from the compiled model rather than from codegen: per node the
// modeled cycles (accelerator layers: their schedule replayed on the timeline; CPU layers: the CPU
// cost model), the whole-network performance summary, the L1 residency list and the pass
// statistics. They are assembled here once and handed to codegen, which writes report.json.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "driver/pipeline.h"

namespace htvm {

nlohmann::json modeledLayer(const CompiledModel& m, size_t node);
nlohmann::json performanceSummary(const CompiledModel& m, const std::string& schedule);
nlohmann::json residencyReport(const CompiledModel& m);
nlohmann::json passReport(const CompiledModel& m);

}  // namespace htvm
