// Test helpers: the real platform files and edited copies of them written to temporary files.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "backends/analog/analog.h"
#include "backends/backends.h"
#include "backends/digital/digital.h"
#include "backends/digital/digital_streams.h"
#include "platform/platform.h"

namespace htvm::testing {

inline std::string platformsDir() { return std::string(HTVM_SOURCE_DIR) + "/platforms"; }

inline nlohmann::json readJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

inline nlohmann::json dianaJson() { return readJson(platformsDir() + "/diana.json"); }

// Writes `text` to a temporary file named `name` and returns its path.
inline std::string writeTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

// Loads diana.json after `edit` changed it; the file is written as `name`.
inline Result<Platform> loadEdited(const std::string& name,
                                   const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = dianaJson();
  edit(j);
  return loadPlatform(writeTemp(name, j.dump(2)), builtinBackends());
}

inline Platform loadOk(const std::string& path) {
  Result<Platform> p = loadPlatform(path, builtinBackends());
  if (!p.ok()) {
    ADD_FAILURE() << p.diag().message;
    return {};
  }
  return std::move(p).value();
}

inline Platform diana() { return loadOk(platformsDir() + "/diana.json"); }
// DIANA with the CPU priced by the uncalibrated formula (cycles per MAC, per element, per
// relayout byte), for tests that compute CPU costs by hand.
inline Platform dianaUncalibratedCpu() {
  Platform p = diana();
  p.cpu.cost.kernels.clear();
  return p;
}

// Error message of a load expected to fail ("" and a test failure if it succeeded).
inline std::string loadError(const Result<Platform>& p) {
  if (p.ok()) {
    ADD_FAILURE() << "platform loaded, expected an error";
    return "";
  }
  return p.diag().message;
}

}  // namespace htvm::testing
