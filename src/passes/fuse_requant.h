// Fuse requant: folds the integer requantization chains that integerize leaves behind into the
// fused layer ops of op_kind.h, the units the accelerators accept:
//   conv2d(i8, i8 [, b]) -> [shift_right] -> clip+                         => qconv2d
//   dense(i8, i8 [, b])  -> [shift_right] -> clip+                         => qdense
//   add(i8, i8)          -> [shift_right] -> clip+   (equal shapes)        => qadd
//   conv2d(i8, i8) -> floor_div_f32 -> clip+ -> mul(per-channel constant)
//                  -> add(per-channel constant) -> [shift_right] -> clip+  => analog_conv2d
//   conv2d(i8, i8) -> floor_div_f32 -> clip+   (when the BN part above does not match, e.g. its
//                  add feeds a residual add)   => analog_conv2d with bn_k = 1, bn_l = 0, shift 0
//   clip -> clip (what is left)                                            => clip
// The clips of a chain compose into one [lo, hi] (the composition of clamps is a clamp whose
// bounds are the chain's images of -inf and +inf); a one-sided result is closed by the range of
// the chain's output dtype.
//
// Needs: integerize has run (integer ops with range-derived dtypes). Keeps: bit-exact values, and
// verify() holds after it. A chain is fused only if each of its intermediate tensors has exactly
// one reader and is not a graph output; the fused node takes the place of the chain's first node
// and produces its last tensor. Intermediate tensors and constants left unread stay in the graph.
//
// Integer ranges: the fused kernels compute in int32 and store only the final value. Where the
// unfused chain narrows an intermediate (shift_right to i16, clip to i8), the fusion relies on the
// IR's type contract that every value fits its tensor's dtype (integerize proves it by range
// analysis; a value that did not fit would make the unfused graph invalid, and the interpreter
// reports it). The conv/dense accumulator is int32 in both forms. The one new int32 computation,
// a * bn_k[c] + bn_l[c] of the analog chain, is bounded per channel from the ADC range; where it
// could leave int32 or the mul/add output dtypes, the BN part is not fused.
#pragma once

#include "ir/graph.h"

namespace htvm {

struct FuseRequantStats {
  int qconv2d = 0;
  int qdense = 0;
  int qadd = 0;
  int analogConv2d = 0;         // full chain, BN and requant folded in
  int analogConv2dPartial = 0;  // conv + ADC only; the BN mul/add stay separate nodes
  int clipMerges = 0;           // clip -> clip pairs merged outside the patterns above
  int nodesRemoved = 0;
};

Result<FuseRequantStats> fuseRequant(Graph& g);

}  // namespace htvm
