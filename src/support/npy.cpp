#include "support/npy.h"

#include <filesystem>
#include <fstream>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

namespace htvm {

Result<NpyArray> loadNpy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return error() << path << ": no such file";
  // xtensor reads float64 files only as double, so try float32 first and accept float64 after.
  NpyArray a;
  try {
    xt::xarray<float> x = xt::load_npy<float>(path);
    a.shape.assign(x.shape().begin(), x.shape().end());
    a.data.assign(x.begin(), x.end());
    return a;
  } catch (const std::exception& e32) {
    try {
      xt::xarray<double> x = xt::load_npy<double>(path);
      a.shape.assign(x.shape().begin(), x.shape().end());
      a.data.reserve(x.size());
      for (double v : x) a.data.push_back(static_cast<float>(v));
      return a;
    } catch (const std::exception&) {
      return error() << path << ": not a float32 .npy file (" << e32.what() << ")";
    }
  }
}

Status saveNpy(const std::string& path, const NpyArray& a) {
  std::vector<size_t> shape(a.shape.begin(), a.shape.end());
  xt::xarray<float> x(shape);
  if (x.size() != a.data.size()) return error() << path << ": shape does not match data size";
  std::copy(a.data.begin(), a.data.end(), x.begin());
  try {
    xt::dump_npy(path, x);
  } catch (const std::exception& e) {
    return error() << path << ": cannot write (" << e.what() << ")";
  }
  std::ifstream check(path);
  if (!check) return error() << path << ": cannot write";
  return ok();
}

}  // namespace htvm
