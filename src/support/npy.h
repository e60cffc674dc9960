// Reading and writing float32 `.npy` files (the format of every model's sample inputs, outputs and
// intermediates) through xtensor's npy support, with errors that name the file instead of
// exceptions. A file is checked against the format first (magic, version, header, a float dtype,
// a sane shape, exactly the data bytes the shape needs), so a truncated or padded file is an error,
// not zero-filled or silently cut.
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
Status saveNpy(const std::string& path, const NpyArray& a);

}  // namespace htvm
