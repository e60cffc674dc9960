// The real model files under HTVM_SHARED_MODELS, as gtest parameters with readable names
// (resnet8_analog, dscnn, ...).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

namespace htvm::testing_support {

inline std::vector<std::string> realModels() {
  namespace fs = std::filesystem;
  std::vector<std::string> r;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(HTVM_SHARED_MODELS, ec); it != fs::recursive_directory_iterator();
       ++it)
    if (it->path().extension() == ".onnx") r.push_back(it->path().string());
  std::sort(r.begin(), r.end());
  return r;
}

inline std::string modelTestName(const std::string& path) {
  namespace fs = std::filesystem;
  std::string rel = fs::relative(fs::path(path).parent_path(), HTVM_SHARED_MODELS).string();
  for (char& c : rel)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return rel;
}

inline std::string modelParamName(const ::testing::TestParamInfo<std::string>& info) {
  return modelTestName(info.param);
}

}  // namespace htvm::testing_support
