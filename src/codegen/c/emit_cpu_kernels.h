// Internal to the CPU kernel emitters (emit_cpu_conv.cpp, emit_cpu_blocked.cpp,
// emit_cpu_fused.cpp): the pieces they share beyond the kernel-body entry points of
// emit_context.h.
#pragma once

#include <string>

#include "codegen/c/emit_context.h"

namespace htvm {

// Statements at the top of a conv kernel body (analog_conv2d with an identity BN marks k and l
// unused).
void emitConvPrologue(CWriter& w, const EmitContext& ctx, const Node& n);

// The end of one output element of a conv/dense kernel (plain or fused): `acc` is the int32 (or
// float) accumulator expression, which already includes the bias when `biasAdded`; the result is
// stored to the C lvalue `dst`. `ch` is the output channel expression (bias, BN constants).
// qconv2d/qdense requantize, analog_conv2d applies ADC, BN and requant (emit_cpu_conv.cpp).
Status emitConvStore(CWriter& w, const EmitContext& ctx, const Node& n, bool integer,
                     const std::string& acc, bool biasAdded, const std::string& dst,
                     const std::string& ch);

// Register-blocked kernels for integer conv2d/qconv2d/analog_conv2d (any shape, group count,
// stride, pad, dilation) and integer dense/qdense; see emit_cpu_blocked.cpp. Operands are checked
// by the caller. Bit-exact with the plain kernels of emit_cpu_conv.cpp.
Status emitBlockedConvBody(CWriter& w, const EmitContext& ctx, const Node& n);
Status emitBlockedDenseBody(CWriter& w, const EmitContext& ctx, const Node& n);

}  // namespace htvm
