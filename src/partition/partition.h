// Partition pass: decides for every node whether it runs on the host CPU or on one of the
// platform's accelerators, and records why.
//
// Needs: an integer graph after fusion, in which accelerator-eligible layers are the fused ops
// QConv2D, QDense, QAdd and AnalogConv2D; the graph verifies. Sets: `Node::accel` of every node
// (-1 = CPU); nothing else in the graph changes (relayouts are inserted by a later pass). Each
// decision keeps the tiler's result for its accelerator, so the layer is tiled once.
//
// Algorithm (greedy, in topological order). For each node: the accelerators enabled by `conf`
// whose pattern matches the op are checked for legality (platform constraint data) and for having
// a tiling that fits (activation L1, weight memory; the tiler's answer). Each accelerator left is
// priced with the tiler's best schedule for the node (jobs, weight streaming, setup and the DMA
// the overlap does not hide; src/tiling) plus a CPU relayout for every input whose producer
// (already decided) stored it in a different layout, plus one for a graph output. HTVM's policy is the default: every legal layer goes to its
// cheapest accelerator (never first-match; ties go to the lower index). With `allowCpuByCost`
// the CPU (its estimate plus relayouts into NCHW) competes too. Pins override the choice; a pin
// that cannot be honoured is an error. The greedy order sees each node's producers only, so the
// relayout back to NCHW for a CPU consumer is charged to that consumer.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "platform/platform.h"
#include "tiling/tiler.h"

namespace htvm {

// HTVM's configurations: cpu = nothing offloaded; digital / analog = only accelerators of that
// kind; mixed = all.
enum class Conf { Cpu, Digital, Analog, Mixed };
const char* confName(Conf c);  // "cpu", "digital", "analog", "mixed" (parsing: driver's parseConf)
// Whether conf c lets accelerator a run layers: cpu none, mixed all, a kind's name that kind's.
bool confAllows(Conf c, const AcceleratorDesc& a);

struct PartitionOptions {
  Conf conf = Conf::Mixed;
  std::map<std::string, std::string> pins;  // node name -> accelerator name or "cpu"
  bool allowCpuByCost = false;              // let the CPU win when its estimate is lower
};

struct Candidate {
  int accel;         // -1: CPU
  double cycles;     // modeled cycles of the node on this core, including DMA and relayouts
  std::string note;  // the cost breakdown
};

struct NodeDecision {
  int accel = -1;
  // Why on the CPU (the rules that blocked each accelerator) or why this core was chosen; starts
  // with the node reference, e.g. "node 'Conv_12' (Conv): digital: kernel 9x9 not in {1,3,5,7}".
  std::string reason;
  std::vector<Candidate> candidates;  // the CPU first, then every legal, fitting accelerator
  // The tiler's result for the chosen accelerator (our schedule style), found while pricing it:
  // the L1 stage reuses it instead of tiling the layer again.
  std::optional<TilingResult> tiling;
};

struct PartitionResult {
  std::vector<NodeDecision> nodes;  // indexed like g.nodes
};

// Errors: a pin naming an unknown node or core, or one that cannot be honoured (accelerator
// disabled by conf, no pattern for the op, an illegal layer or one that needs tiling).
Result<PartitionResult> partition(Graph& g, const Platform& p, const PartitionOptions& opts);

}  // namespace htvm
