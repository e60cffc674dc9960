// Encoders of the digital accelerator's weight+bias streams, the data its jobs read from L2,
// exactly as docs/ACCELERATOR_FORMATS.md specifies, and their byte sizes. Pure functions from IR
// constants to bytes; the backend prints the bytes, and the simulator decodes them independently.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace htvm {

// QConv2D with group 1 (w is OIHW) or depthwise (group == C == K).
std::vector<int8_t> digitalConvStream(const Graph& g, const Node& n);
// QDense (honours trans_b).
std::vector<int8_t> digitalDenseStream(const Graph& g, const Node& n);
// QDense tiled over outputs in tiles of `tileK`: one dense stream per tile (the format of a layer
// with that tile's outputs), back to back; a tile's stream starts where the previous one ends.
std::vector<int8_t> digitalDenseTileStreams(const Graph& g, const Node& n, int64_t tileK);
// Stream sizes in bytes (all multiples of 4).
int64_t convStreamBytes(int64_t c, int64_t k, int64_t kh, int64_t kw);  // Kp/16 blocks of 16*C*kh*kw+64
int64_t depthwiseBlockBytes(int64_t kh, int64_t kw);              // one job's block: 16*kh*kw+64
int64_t depthwiseStreamBytes(int64_t c, int64_t kh, int64_t kw);  // C blocks
int64_t denseStreamBytes(int64_t c, int64_t k);                   // Kp*Cp + 16*Kp

// Reverses the bytes of every 32-bit word (the accelerators' byte order); size must be a multiple
// of 4.
void reverseWords(std::vector<int8_t>& bytes);

}  // namespace htvm
