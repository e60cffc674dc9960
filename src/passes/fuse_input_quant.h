// Fuse input quantization: folds the float chain that quantizes a float32 tensor to integers,
//   x (f32) -> div(x, 2^-k) | mul(x, 2^k) | mul(2^k, x)   (scalar constant, k >= 0)
//           -> floor -> { max(c) | min(c) | clip(lo, hi) }*   (scalar integer constants, any order)
//           -> cast (to an integer dtype whose range holds every clip constant)
// into one quantize_f32 node (op_kind.h): y = clamp(floor(x * 2^k), lo, hi), with nan the value
// the chain gives a NaN. Quantlib exports start with this chain on their float input; unfused it
// is five float loops, which a core without an FPU runs in soft-float.
//
// Why it is exact: with k >= 0 (k <= 149 for div, <= 127 for mul, so the constant is an exact
// float32) x * 2^k and x / 2^-k are the same correctly rounded real, exact or +-inf. For ordered
// values (everything but NaN) a sequence of clamps by constants is the clamp between the images of
// -inf and +inf, and -0.0 casts to 0. Where the chain is undefined (a NaN or a value outside the
// cast dtype reaching the cast: an error in the interpreter, undefined behaviour in the generated
// C) the fused op defines it: a missing bound is closed by the dtype range (saturation), and a
// NaN that reaches the cast gives clamp(0, lo, hi). A NaN that a max/min with the constant as
// its first operand replaces by the constant (std::max(c, NaN) == c, as the interpreter and the
// generated C compute max/min) gives that value, carried through the later clips.
//
// Needs: a verified graph (runs before partition; every node on the CPU). Keeps: bit-exact values
// wherever the chain is defined, and verify() holds after it. A chain is fused only if each of its
// intermediate tensors has exactly one reader and is not a graph output, and every elementwise
// step keeps x's shape; the fused node takes the place of the div/mul and produces the cast's
// tensor. Anything else (another divisor, k < 0, no floor, a non-integer or out-of-dtype bound,
// a broadcasting constant) is left alone.
#pragma once

#include "ir/graph.h"

namespace htvm {

struct FuseInputQuantStats {
  int fused = 0;  // quantize_f32 nodes made
  int nodesRemoved = 0;
};

Result<FuseInputQuantStats> fuseInputQuant(Graph& g);

}  // namespace htvm
