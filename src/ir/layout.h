// Storage layouts of tensors. A layout changes where each logical element lives in memory, never
// its value: the interpreter works on logical (row-major NCHW) values, and the C emitter, the
// simulator and trace decoding use `physicalIndex` to find an element in storage.
//   NCHW          row-major logical order.
//   CHW_W16_REV4  batch 1, channel planes, each row padded to a multiple of 16 columns;
//                 digital accelerator activations.
//   VEC16_REV4    a [1, N] vector padded to a multiple of 16; digital dense inputs and outputs.
//   HWC_C64_REV4  batch 1, pixels row-major, each pixel's channels padded to a multiple of 64;
//                 analog core activations.
// In every *_REV4 layout the 4 bytes of each 32-bit storage word are reversed (the accelerators'
// byte order), so padded storage is always a whole number of words. Padding holds zeros.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ir/types.h"

namespace htvm {

const char* layoutName(Layout l);
// The layout layoutName gives `name`, if any.
std::optional<Layout> layoutByName(const std::string& name);
// Element count of the storage, including padding.
int64_t storageElements(const TensorType& t);
// Storage index of the element at row-major logical index `i`.
int64_t physicalIndex(const TensorType& t, int64_t i);
// Whether `t` can be stored in layout `l` (rank, batch 1, 1-byte elements for the REV4 layouts).
bool layoutApplies(const TensorType& t, Layout l);

}  // namespace htvm
