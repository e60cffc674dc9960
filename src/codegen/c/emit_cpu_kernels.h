// Internal to the CPU kernel emitters (emit_cpu_conv.cpp, emit_cpu_blocked.cpp,
// emit_cpu_vector.cpp, emit_cpu_fused.cpp): the pieces they share beyond the kernel-body entry
// points of emit_context.h.
#pragma once

#include <string>

#include "codegen/c/emit_context.h"

namespace htvm {

// A conv2d/qconv2d/analog_conv2d node's geometry as the kernel emitters use it: NCHW input
// [N][C][H][W], OIHW weights [M][Cg][KH][KW], output [N][M][OH][OW], strides, dilations, pads
// (top, left, bottom, right), G groups of Mg output channels.
struct ConvShape {
  int64_t N, C, H, W, M, Cg, KH, KW, OH, OW, sH, sW, dH, dW, pt, pl, pb, pr, G, Mg;
  int64_t PH() const { return H + pt + pb; }
  int64_t PW() const { return W + pl + pr; }
  int64_t P() const { return OH * OW; }
  int64_t taps() const { return KH * KW; }
};
ConvShape convShape(const Graph& g, const Node& n);

// Statements at the top of a conv kernel body (analog_conv2d with an identity BN marks k and l
// unused).
void emitConvPrologue(CWriter& w, const EmitContext& ctx, const Node& n);

// The end of one output element of a conv/dense kernel (plain or fused): `acc` is the int32 (or
// float) accumulator expression, which already includes the bias when `biasAdded`; the result is
// stored to the C lvalue `dst`. `ch` is the output channel expression (bias, BN constants).
// qconv2d/qdense requantize, analog_conv2d applies ADC, BN and requant (emit_cpu_conv.cpp).
// How an epilogue clamps: with branches that skip the usual in-range case (cheapest on a small
// in-order core), or with conditional selects (wide out-of-order hosts, where a data-dependent
// branch mispredicts about every other output of a ReLU layer; selects also vectorise).
enum class ClampStyle { Branch, Select };

Status emitConvStore(CWriter& w, const EmitContext& ctx, const Node& n, bool integer,
                     const std::string& acc, bool biasAdded, const std::string& dst,
                     const std::string& ch, ClampStyle style = ClampStyle::Branch);

// emitRequant (emit_context.h) with selects: the same values, clip's order of the two bounds.
Status emitRequantSelect(CWriter& w, const Node& n, const std::string& v);

// Register-blocked kernels for integer conv2d/qconv2d/analog_conv2d (any shape, group count,
// stride, pad, dilation) and integer dense/qdense; see emit_cpu_blocked.cpp. Operands are checked
// by the caller. Bit-exact with the plain kernels of emit_cpu_conv.cpp.
Status emitBlockedConvBody(CWriter& w, const EmitContext& ctx, const Node& n);
Status emitBlockedDenseBody(CWriter& w, const EmitContext& ctx, const Node& n);

// Integer conv2d/qconv2d/analog_conv2d and dense/qdense bodies: the blocked body for rv32 and,
// when x and w are 8/16-bit and w is constant, the auto-vectorisable host body of
// emit_cpu_vector.cpp beside it, chosen by `#if HTVM_VECTOR_KERNELS` (defined in cpu_layers.c).
Status emitIntegerConvBody(CWriter& w, const EmitContext& ctx, const Node& n);
Status emitIntegerDenseBody(CWriter& w, const EmitContext& ctx, const Node& n);

// One element of an elementwise op, as statements that assign the C lvalue `y` from the operand
// expressions (x: the input of a unary op; a, b: the operands of add/sub/mul/div/max/min): the
// per-op kernels run them over x[i] / y[i], a fused CPU chain (emit_cpu_chain.cpp) over its
// loop's values. Same arithmetic either way (emit_cpu_layer.cpp says which).
Status emitUnaryElement(CWriter& w, const Node& n, const TensorType& tx, const TensorType& ty,
                        const std::string& x, const std::string& y);
void emitBinaryElement(CWriter& w, const Node& n, const TensorType& ta, const TensorType& tb,
                       const TensorType& ty, const std::string& a, const std::string& b,
                       const std::string& y);

}  // namespace htvm
