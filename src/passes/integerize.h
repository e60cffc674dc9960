// Integerize: turns a float32 Quantlib-style graph (fake-quantized: integer-valued tensors carried in
// float ops) into an equivalent graph of integer ops, bit for bit.
//
// Needs: a verified float graph from the frontend. Keeps: for every input, the new graph's outputs
// equal the float graph's outputs evaluated in ONNX float32 semantics, exactly.
//
// How: an abstract interpretation walks the float graph and tracks, per tensor, whether every
// element is an integer with a known range (`Int`), a float32 quotient of such an integer by a
// constant (`Scaled`, e.g. a requant `Div` waiting for its `Floor`), or a general float. Integer
// ranges are kept inside +-2^24, where float32 represents every integer exactly; then float32
// Conv/Gemm/Add/Mul on those values are exact in any summation order, and integer ops reproduce
// them. Where a bound would exceed 2^24 the pass stops with an error naming the node. Rewrites:
//   Conv/Gemm with integer weights and bias   -> conv2d/dense with i32 accumulator
//   Div(2^k) + Floor                          -> shift_right (exact: power-of-two division)
//   Div(n integer) + Floor, GAP + Floor       -> floor_div (see floorDivIsExact in integerize.cpp)
//   Div(other constant) + Floor               -> floor_div_f32 (keeps float32 rounding exactly)
//   Div(2^-k) (e.g. Div(0.25))                -> mul by 2^k
//   Max/Min/Clip with integral bounds         -> clip (narrowing the integer type)
//   float ops whose result becomes integral and bounded (the input quantizer) -> float ops + cast
// Ops that stay float (input quantizer, output Div) are kept as float ops with ONNX semantics.
#pragma once

#include <map>
#include <string>

#include "ir/graph.h"

namespace htvm {

struct IntegerizeResult {
  Graph graph;
  // Source tensor name -> tensor of the new graph holding the same numeric values (integer or
  // float). Tensors folded into a later op (a Div waiting for its Floor) have no entry.
  std::map<std::string, TensorId> sameValue;
};

Result<IntegerizeResult> integerize(const Graph& floatGraph);

}  // namespace htvm
