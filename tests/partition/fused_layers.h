// Fused integer layers (QConv2D, QDense, QAdd, AnalogConv2D) and a ReLU clip, added to a
// tests/support/graph_builder.h graph the way fuse_requant leaves them, for the partition and
// legality tests. Output shapes are worked out here from the conv arithmetic, not asked of the
// registry, so the IR verifier (`GraphBuilder::verified`) checks them independently.
#pragma once

#include <string>
#include <vector>

#include "support/graph_builder.h"

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
  bool constWeights = true;  // false: the weights are a graph input
  DType outType = DType::I8;
  // analog only
  int64_t adcLo = -32, adcHi = 31;
  double bnK = 1, bnL = 0;
};

// An int8 activation input (the fused layers' usual operand).
inline TensorId act(GraphBuilder& b, const std::string& name, Shape s, DType t = DType::I8) {
  return b.input(name, {t, std::move(s)});
}

namespace detail {

inline TensorId conv(GraphBuilder& b, const std::string& name, OpKind op, TensorId x,
                     const ConvSpec& s) {
  const Shape xs = b.g.type(x).shape;  // a copy: adding tensors below reallocates
  const TensorType wt{s.weightType, {s.k, xs[1] / s.group, s.kh, s.kw}};
  TensorId w = s.constWeights ? b.filled(name + "_w", wt, s.weightValue) : b.input(name + "_w", wt);
  std::vector<TensorId> in{x, w};
  Attrs attrs =
      withRequant(convAttrs(s.strides, s.pads, s.dilations, s.group), s.shift, s.lo, s.hi);
  if (op == OpKind::AnalogConv2D) {
    in.push_back(b.filled(name + "_bn_k", {DType::I16, {s.k}}, s.bnK));
    in.push_back(b.filled(name + "_bn_l", {DType::I16, {s.k}}, s.bnL));
    attrs["gain"] = 2.5;
    attrs["adc_lo"] = s.adcLo;
    attrs["adc_hi"] = s.adcHi;
  } else if (s.bias) {
    in.push_back(b.filled(name + "_b", {s.biasType, {s.k}}, 0));
  }
  // ONNX: out = (in + pad_begin + pad_end - dilation * (kernel - 1) - 1) / stride + 1.
  Shape out{xs[0], s.k, 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t k = s.dilations[i] * ((i ? s.kw : s.kh) - 1) + 1;
    out[2 + i] = (xs[2 + i] + s.pads[i] + s.pads[2 + i] - k) / s.strides[i] + 1;
  }
  return b.node({name, "Conv"}, op, in, {s.outType, out}, attrs);
}

}  // namespace detail

inline TensorId qconv(GraphBuilder& b, const std::string& name, TensorId x, const ConvSpec& s) {
  return detail::conv(b, name, OpKind::QConv2D, x, s);
}
inline TensorId analogConv(GraphBuilder& b, const std::string& name, TensorId x,
                           const ConvSpec& s) {
  return detail::conv(b, name, OpKind::AnalogConv2D, x, s);
}

// x [n, c] times all-ones weights [k, c] (trans_b), requantized to int8.
inline TensorId qdense(GraphBuilder& b, const std::string& name, TensorId x, int64_t k,
                       int64_t shift = 8, int64_t lo = -128, int64_t hi = 127, bool bias = true) {
  const Shape xs = b.g.type(x).shape;  // a copy: adding tensors below reallocates
  std::vector<TensorId> in{x, b.filled(name + "_w", {DType::I8, {k, xs[1]}}, 1)};
  if (bias) in.push_back(b.filled(name + "_b", {DType::I32, {k}}, 0));
  return b.node({name, "Gemm"}, OpKind::QDense, in, {DType::I8, {xs[0], k}},
                withRequant({{"trans_b", int64_t{1}}}, shift, lo, hi));
}

inline TensorId qadd(GraphBuilder& b, const std::string& name, TensorId x, TensorId y,
                     int64_t shift = 1, int64_t lo = -128, int64_t hi = 127,
                     DType out = DType::I8) {
  return b.node({name, "Add"}, OpKind::QAdd, {x, y}, {out, b.g.type(x).shape},
                withRequant({}, shift, lo, hi));
}

inline TensorId relu(GraphBuilder& b, const std::string& name, TensorId x) {
  return b.node({name, "Relu"}, OpKind::Clip, {x}, b.g.type(x), {{"lo", 0.0}, {"hi", 127.0}});
}

}  // namespace htvm::testing
