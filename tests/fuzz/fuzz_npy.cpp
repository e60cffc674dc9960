// Fuzz target: bytes -> parseNpy, the .npy reader behind every `--inputs`/`--outputs` file. Any
// input must give an array or a Diag naming the file; never a crash, UB, a leak or an allocation
// beyond the bytes given.
#include <cstddef>
#include <cstdint>
#include <string>

#include "support/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  htvm::Result<htvm::NpyArray> a = htvm::parseNpy(bytes, "fuzz.npy");
  if (a.ok()) {
    // A parsed array holds exactly the elements its shape names.
    size_t n = 1;
    for (int64_t d : a->shape) n *= static_cast<size_t>(d);
    if (n != a->data.size()) __builtin_trap();
  }
  return 0;
}
