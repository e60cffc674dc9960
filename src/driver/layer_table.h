// The per-layer summary printed by `htvm compile --report`, `htvm verify --report` and `htvm check`, rendered
// from the project's report.json so that the printed table and the file never disagree.
#pragma once

#include <string>

namespace htvm {

std::string layerTable(const std::string& reportJsonPath);
// The same table from report.json's text (`htvm check`, which writes no file); `name` stands for
// the report in a message when the text holds no layer report.
std::string layerTableOfText(const std::string& reportJson, const std::string& name);

}  // namespace htvm
