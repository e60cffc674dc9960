// Runs graphs built with tests/support/graph_builder.h through the reference interpreter, for the
// interpreter's own tests: the value of the first graph output, or the message of the Diag a
// broken graph or input must produce.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interp/interpreter.h"
#include "support/graph_builder.h"

namespace htvm::testing {

// Runs the graph and returns its first output; fails the test on a Diag.
inline interp::Buffer runLast(const Graph& g, const std::vector<interp::Buffer>& inputs) {
  Result<std::vector<interp::Buffer>> r = interp::run(g, inputs);
  if (!r.ok()) {
    ADD_FAILURE() << "interpreter failed: " << r.diag().message;
    return {};
  }
  return r.value()[static_cast<size_t>(g.outputs.at(0))];
}

// Runs the graph, expecting a Diag; returns its message ("" and a test failure if it succeeded).
inline std::string runError(const Graph& g, const std::vector<interp::Buffer>& inputs) {
  Result<std::vector<interp::Buffer>> r = interp::run(g, inputs);
  if (r.ok()) {
    ADD_FAILURE() << "interpreter succeeded, expected an error";
    return "";
  }
  return r.diag().message;
}

}  // namespace htvm::testing
