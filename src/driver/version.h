// Which htvm this is: the release version (CMakeLists.txt's project version) and the git commit it
// was built from (cmake/version.cmake writes both at build time). `htvm --version` prints them and
// report.json records them, so a generated project names the compiler that wrote it.
#pragma once

namespace htvm {

const char* htvmVersion();  // "0.1.0"
const char* htvmCommit();   // "1a2b3c4d5e6f", "...+dirty" or "unknown"

// The schema version of report.json; raised when a key changes meaning or disappears.
constexpr int kReportSchema = 1;

}  // namespace htvm
