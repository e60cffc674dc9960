// Reading and writing float32 `.npy` files (the format of every model's sample inputs, outputs and
// intermediates), with errors that name the file instead of exceptions. The reader is our own and
// strict (magic, version, a header dict of exactly the format's keys, a float dtype, a bounded
// shape, exactly the data bytes the shape needs): a truncated or padded file is an error, not
// zero-filled or silently cut, and no header makes it allocate more than the bytes it was given.
// Writing goes through xtensor's npy support.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/diag.h"

namespace htvm {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major
};

Result<NpyArray> loadNpy(const std::string& path);
// The same from a file's bytes in memory; `name` stands for the file in messages.
Result<NpyArray> parseNpy(const std::string& bytes, const std::string& name);
Status saveNpy(const std::string& path, const NpyArray& a);

}  // namespace htvm
