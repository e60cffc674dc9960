// The closed set of IR operations. Each has exactly one entry in the op registry
// (op_registry.cpp) that gives its name, arity, attributes and shape rule; the reference
// interpreter (src/interp) and the C emitter (src/codegen/c) each hold one kernel per kind.
// Float ops follow ONNX float32 semantics; integer ops are exact. The float-only and integer-only
// ops are listed in the registry (`OpDef::dtypes`).
#pragma once

namespace htvm {

enum class OpKind {
  Conv2D,         // x, w, [b]; attrs strides, pads (t,l,b,r), dilations, group. int: i32 accumulator
  Dense,          // x[N,K], w, [b]; attr trans_b (1: w is [M,K], 0: w is [K,M])
  Add,            // elementwise with numpy broadcasting
  Sub,
  Mul,
  Div,            // float only: IEEE float32 division
  Max,
  Min,
  Floor,          // float only
  Clip,           // attrs lo, hi (doubles; +-inf allowed for float); int output may narrow the dtype
  GlobalAvgPool,  // float only: mean over H, W
  GlobalSum,      // integer: sum over H, W into i32
  Reshape,        // attr shape; data order unchanged
  ShiftRight,     // integer: floor(x / 2^shift), attr shift
  FloorDiv,       // integer: floor(x / divisor), attr divisor (positive integer)
  FloorDivF32,    // integer in/out: floor(fl32(fl32(x) / fl32(divisor))), attr divisor
  Cast,           // to the output's dtype; float->int requires integer values in range
  QuantizeF32,    // f32 in, integer out; attrs k >= 0, lo <= hi, nan (ints):
                  //   y = nan if x is NaN, else clamp(floor(fl32(x * 2^k)), lo, hi)
                  //   (x * 2^k exact or +-inf; +inf -> hi, -inf -> lo). Made by
                  //   passes/fuse_input_quant from div/mul(2^+-k) -> floor -> max/min -> cast.
  // Fused integer layers (made by passes/fuse_requant from the ops above; the units accelerators
  // accept). requant(v) = clip(floor(v / 2^shift), lo, hi).
  QConv2D,        // x, w, [b]; conv2d attrs + shift, lo, hi: requant(conv2d(x, w) + b)
  QDense,         // x, w, [b]; trans_b + shift, lo, hi: requant(dense(x, w) + b)
  QAdd,           // a, b; shift, lo, hi: requant(a + b)
  AnalogConv2D,   // x, w, bn_k, bn_l; conv2d attrs + gain, adc_lo, adc_hi, shift, lo, hi:
                  //   a = clip(floor(fl32(conv2d(x, w)) / fl32(gain)), adc_lo, adc_hi)
                  //   requant(a * bn_k[c] + bn_l[c])   (bn_k, bn_l: 1-D, one per output channel)
  Relayout,       // same values, output stored in the output type's layout (see ir/layout.h)
  kCount
};

}  // namespace htvm
