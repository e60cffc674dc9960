// The per-layer summary printed by `htvm compile --report` and `htvm verify --report`, rendered
// from the project's report.json so that the printed table and the file never disagree.
#pragma once

#include <string>

namespace htvm {

std::string layerTable(const std::string& reportJsonPath);

}  // namespace htvm
