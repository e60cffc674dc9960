// Test helper: builds small IR graphs node by node and runs them through the interpreter. Each
// added node's output becomes the graph output, so a test reads the last value with `runLast`.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "interp/interpreter.h"

namespace htvm::interp::testing {

using Attrs = std::map<std::string, AttrValue>;

struct GraphBuilder {
  Graph g;

  TensorId input(const std::string& name, DType t, Shape s) {
    TensorId id = g.addTensor({name, {t, std::move(s)}, std::nullopt});
    g.inputs.push_back(id);
    return id;
  }
  TensorId constant(const std::string& name, DType t, Shape s, std::vector<double> data) {
    return g.addConstant(name, {t, std::move(s)}, std::move(data));
  }
  TensorId node(const std::string& name, OpKind op, std::vector<TensorId> inputs, DType t, Shape s,
                Attrs attrs = {}) {
    TensorId out = g.addTensor({name + "_out", {t, std::move(s)}, std::nullopt});
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = std::move(inputs);
    n.outputs = {out};
    n.attrs = std::move(attrs);
    g.addNode(std::move(n));
    g.outputs = {out};
    return out;
  }
};

inline Attrs convAttrs(Ints strides, Ints pads, Ints dilations, int64_t group) {
  return {{"strides", std::move(strides)}, {"pads", std::move(pads)}, {"dilations", std::move(dilations)},
          {"group", group}};
}

// Runs the graph and returns the (last) graph output; fails the test on a Diag.
inline Buffer runLast(const Graph& g, const std::vector<Buffer>& inputs) {
  Result<std::vector<Buffer>> r = run(g, inputs);
  if (!r.ok()) {
    ADD_FAILURE() << "interpreter failed: " << r.diag().message;
    return {};
  }
  return r.value()[static_cast<size_t>(g.outputs.at(0))];
}

// Runs the graph, expecting a Diag; returns its message ("" and a test failure if it succeeded).
inline std::string runError(const Graph& g, const std::vector<Buffer>& inputs) {
  Result<std::vector<Buffer>> r = run(g, inputs);
  if (r.ok()) {
    ADD_FAILURE() << "interpreter succeeded, expected an error";
    return "";
  }
  return r.diag().message;
}

}  // namespace htvm::interp::testing
