// Encoders for the data accelerators read from L2: the digital weight+bias streams and the analog
// array contents, exactly as docs/ACCELERATOR_FORMATS.md specifies. Pure functions from IR
// constants to bytes; the emitter prints the bytes, and the simulator decodes them independently.
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
// AnalogConv2D weights as the ternary [C*Kh*Kw][K] array.
std::vector<int8_t> analogArray(const Graph& g, const Node& n);
// Reverses the bytes of every 32-bit word (the accelerators' byte order); size must be a multiple
// of 4.
void reverseWords(std::vector<int8_t>& bytes);

}  // namespace htvm
