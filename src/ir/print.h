// Human-readable dump of a Graph, one line per node (`%out:i8[1x16x32x32] = conv2d(%x, %w) {...}
// # 'Conv_3'`). Used by `htvm compile --dump-ir` and in test failure messages.
#pragma once

#include <string>

#include "ir/graph.h"

namespace htvm {

std::string printGraph(const Graph& g);

}  // namespace htvm
