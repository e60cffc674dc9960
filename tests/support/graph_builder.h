// The one IR graph builder of the tests: graph inputs, constants, nodes (with attributes, output
// layout, source op and accelerator placement) and graph outputs, added in topological order to a
// plain `Graph` that stays public, so a test can still corrupt it by hand to provoke a diagnostic.
// It computes nothing a test checks: a node's output type is either given by the test or, with
// the DType overload, taken from the op registry's shape rule, and nothing is verified unless the
// test asks for it (`verified`). Each node writes one new tensor named `<node>_out`; graph outputs
// are only what the test declares with `output`.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "ir/verify.h"

namespace htvm::testing {

using Attrs = std::map<std::string, AttrValue>;

// How a node is labelled: its name, the source op its diagnostics name ("node 'c1' (Conv)"; empty:
// the IR op name) and where it runs (-1: the host CPU, else an accelerator index). Converts from a
// plain name, so most calls just pass a string.
struct NodeLabel {
  NodeLabel(const char* n) : name(n) {}
  NodeLabel(std::string n) : name(std::move(n)) {}
  NodeLabel(std::string n, std::string src, int32_t acc = -1)
      : name(std::move(n)), sourceOp(std::move(src)), accel(acc) {}
  std::string name;
  std::string sourceOp;
  int32_t accel = -1;
};

struct GraphBuilder {
  Graph g;

  TensorId input(const std::string& name, TensorType t) {
    TensorId id = g.addTensor({name, std::move(t), std::nullopt});
    g.inputs.push_back(id);
    return id;
  }
  TensorId constant(const std::string& name, TensorType t, std::vector<double> data) {
    return g.addConstant(name, std::move(t), std::move(data));
  }
  // A constant with every element equal to v.
  TensorId filled(const std::string& name, TensorType t, double v) {
    std::vector<double> data(static_cast<size_t>(t.elements()), v);
    return g.addConstant(name, std::move(t), std::move(data));
  }
  // A tensor that is neither an input nor a constant and that no node writes yet.
  TensorId value(const std::string& name, TensorType t) {
    return g.addTensor({name, std::move(t), std::nullopt});
  }

  // Node `label` reading `inputs` (-1: an absent optional input) and writing a new tensor of type
  // `out`; returns that tensor.
  TensorId node(const NodeLabel& label, OpKind op, std::vector<TensorId> inputs, TensorType out,
                Attrs attrs = {}) {
    TensorId y = value(label.name + "_out", std::move(out));
    Node n;
    n.name = label.name;
    n.sourceOp = label.sourceOp;
    n.op = op;
    n.inputs = std::move(inputs);
    n.outputs = {y};
    n.attrs = std::move(attrs);
    n.accel = label.accel;
    g.addNode(std::move(n));
    return y;
  }
  // The same with the output shape from the op's registry rule (layout NCHW); a rule that fails is
  // a test failure and leaves the output shape empty.
  TensorId node(const NodeLabel& label, OpKind op, std::vector<TensorId> inputs, DType out,
                Attrs attrs = {}) {
    Node probe;
    probe.name = label.name;
    probe.op = op;
    probe.inputs = inputs;
    probe.attrs = attrs;
    Result<Shape> s = OpRegistry::builtin().get(op).shape(g, probe);
    EXPECT_TRUE(s.ok()) << s.diag().message;
    return node(label, op, std::move(inputs), {out, s.ok() ? s.value() : Shape{}},
                std::move(attrs));
  }

  // Declares t a graph output (after those declared before) and returns the graph.
  Graph& output(TensorId t) {
    g.outputs.push_back(t);
    return g;
  }

  // Checks the graph with the IR verifier (a test failure on a Diag) and returns it.
  Graph& verified() {
    Status s = verify(g);
    EXPECT_TRUE(s.ok()) << s.diag().message;
    return g;
  }
};

// The attributes every convolution-like op shares; pads are top, left, bottom, right.
inline Attrs convAttrs(Ints strides, Ints pads, Ints dilations, int64_t group) {
  return {{"strides", std::move(strides)},
          {"pads", std::move(pads)},
          {"dilations", std::move(dilations)},
          {"group", group}};
}

// `a` plus the requantization of the fused ops: clip(floor(v / 2^shift), lo, hi).
inline Attrs withRequant(Attrs a, int64_t shift, int64_t lo, int64_t hi) {
  a["shift"] = shift;
  a["lo"] = lo;
  a["hi"] = hi;
  return a;
}

}  // namespace htvm::testing
