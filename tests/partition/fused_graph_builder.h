// Test helper: builds fused integer graphs (QConv2D, QDense, QAdd, AnalogConv2D and plain CPU ops)
// by hand, with the shapes computed here and the result checked by the IR verifier.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/verify.h"

namespace htvm::testing {

struct ConvSpec {
  int64_t k = 16;  // output channels
  int64_t kh = 3, kw = 3;
  Ints strides = {1, 1};
  Ints pads = {1, 1, 1, 1};  // t, l, b, r
  Ints dilations = {1, 1};
  int64_t group = 1;
  int64_t shift = 8, lo = -128, hi = 127;
  bool bias = true;
  DType biasType = DType::I32;
  DType weightType = DType::I8;
  double weightValue = 1;
  bool constWeights = true;
  DType outType = DType::I8;
  // analog only
  int64_t adcLo = -32, adcHi = 31;
  double bnK = 1, bnL = 0;
};

class FusedGraph {
 public:
  Graph g;

  TensorId input(const std::string& name, Shape s, DType t = DType::I8) {
    TensorId id = g.addTensor({name, {t, std::move(s)}, std::nullopt});
    g.inputs.push_back(id);
    return id;
  }

  TensorId qconv(const std::string& name, TensorId x, const ConvSpec& s) {
    return conv(name, OpKind::QConv2D, x, s);
  }
  TensorId analogConv(const std::string& name, TensorId x, const ConvSpec& s) {
    return conv(name, OpKind::AnalogConv2D, x, s);
  }

  TensorId qdense(const std::string& name, TensorId x, int64_t k, int64_t shift = 8,
                  int64_t lo = -128, int64_t hi = 127, bool bias = true) {
    const Shape xs = g.type(x).shape;  // a copy: adding tensors below reallocates
    TensorId w =
        g.addConstant(name + "_w", {DType::I8, {k, xs[1]}}, std::vector<double>(k * xs[1], 1));
    std::vector<TensorId> in{x, w};
    if (bias)
      in.push_back(g.addConstant(name + "_b", {DType::I32, {k}}, std::vector<double>(k, 0)));
    return node(name, "Gemm", OpKind::QDense, in, {DType::I8, {xs[0], k}},
                {{"trans_b", int64_t{1}}, {"shift", shift}, {"lo", lo}, {"hi", hi}});
  }

  TensorId qadd(const std::string& name, TensorId a, TensorId b, int64_t shift = 1,
                int64_t lo = -128, int64_t hi = 127, DType out = DType::I8) {
    return node(name, "Add", OpKind::QAdd, {a, b}, {out, g.type(a).shape},
                {{"shift", shift}, {"lo", lo}, {"hi", hi}});
  }

  TensorId clip(const std::string& name, TensorId x) {
    return node(name, "Relu", OpKind::Clip, {x}, g.type(x), {{"lo", 0.0}, {"hi", 127.0}});
  }

  // Checks the graph with the IR verifier (fails the test on a Diag) and returns it.
  Graph& done() {
    Status s = verify(g);
    EXPECT_TRUE(s.ok()) << s.diag().message;
    return g;
  }

 private:
  TensorId node(const std::string& name, const std::string& src, OpKind op,
                std::vector<TensorId> inputs, TensorType out,
                std::map<std::string, AttrValue> attrs) {
    TensorId y = g.addTensor({name + "_out", std::move(out), std::nullopt});
    Node n;
    n.name = name;
    n.sourceOp = src;
    n.op = op;
    n.inputs = std::move(inputs);
    n.outputs = {y};
    n.attrs = std::move(attrs);
    g.addNode(std::move(n));
    g.outputs = {y};
    return y;
  }

  TensorId conv(const std::string& name, OpKind op, TensorId x, const ConvSpec& s) {
    const Shape xs = g.type(x).shape;  // a copy: adding tensors below reallocates
    int64_t cg = xs[1] / s.group;
    Shape ws{s.k, cg, s.kh, s.kw};
    std::vector<double> wdata(static_cast<size_t>(numElements(ws)), s.weightValue);
    TensorId w = s.constWeights ? g.addConstant(name + "_w", {s.weightType, ws}, wdata)
                                : g.addTensor({name + "_w", {s.weightType, ws}, std::nullopt});
    if (!s.constWeights) g.inputs.push_back(w);
    std::vector<TensorId> in{x, w};
    std::map<std::string, AttrValue> attrs{{"strides", s.strides},
                                           {"pads", s.pads},
                                           {"dilations", s.dilations},
                                           {"group", s.group},
                                           {"shift", s.shift},
                                           {"lo", s.lo},
                                           {"hi", s.hi}};
    if (op == OpKind::AnalogConv2D) {
      in.push_back(
          g.addConstant(name + "_bn_k", {DType::I16, {s.k}}, std::vector<double>(s.k, s.bnK)));
      in.push_back(
          g.addConstant(name + "_bn_l", {DType::I16, {s.k}}, std::vector<double>(s.k, s.bnL)));
      attrs["gain"] = 2.5;
      attrs["adc_lo"] = s.adcLo;
      attrs["adc_hi"] = s.adcHi;
    } else if (s.bias) {
      in.push_back(g.addConstant(name + "_b", {s.biasType, {s.k}}, std::vector<double>(s.k, 0)));
    }
    Shape out{xs[0], s.k, 0, 0};
    for (int i = 0; i < 2; ++i) {
      int64_t k = s.dilations[i] * ((i ? s.kw : s.kh) - 1) + 1;
      out[2 + i] = (xs[2 + i] + s.pads[i] + s.pads[2 + i] - k) / s.strides[i] + 1;
    }
    return node(name, "Conv", op, in, {s.outType, out}, attrs);
  }
};

}  // namespace htvm::testing
