// Fuzz target: text -> parsePlatform with the built-in accelerator kinds, the loader behind
// `--platform`. Any input must give a validated Platform or a Diag naming the file and key; never
// a crash, UB or an uncaught exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "backends/backends.h"
#include "platform/platform.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  htvm::Result<htvm::Platform> p = htvm::parsePlatform(text, "fuzz.json", htvm::builtinBackends());
  if (!p.ok() && p.diag().message.rfind("fuzz.json", 0) != 0) __builtin_trap();  // unnamed error
  return 0;
}
