// The kind-independent terms of the cycle model. See cost_model.h.
#include "platform/cost_model.h"

#include "ir/op_registry.h"

#include <algorithm>

namespace htvm {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t m) { return ceilDiv(a, m) * m; }

}  // namespace

ModeledCycles oneJob(int64_t setup, int64_t compute, int64_t weights) {
  ModeledCycles c;
  c.setup = setup;
  c.compute = compute;
  c.weights = weights;
  c.jobs = 1;
  return c;
}

ModeledCycles& ModeledCycles::operator+=(const ModeledCycles& o) {
  setup += o.setup;
  compute += o.compute;
  weights += o.weights;
  dma += o.dma;
  jobs += o.jobs;
  dmaCalls += o.dmaCalls;
  return *this;
}

ConvDims convDims(const Graph& g, const Node& n) {
  const Shape& x = g.type(n.inputs[0]).shape;
  const Shape& w = g.type(n.inputs[1]).shape;
  const Shape& y = g.type(n.outputs[0]).shape;
  HTVM_CHECK(x.size() == 4 && w.size() == 4 && y.size() == 4) << "conv geometry of " << n.name;
  const Ints& s = n.attrInts("strides");
  const Ints& p = n.attrInts("pads");
  ConvDims d;
  d.c = x[1];
  d.ih = x[2];
  d.iw = x[3];
  d.k = y[1];
  d.oh = y[2];
  d.ow = y[3];
  d.kh = w[2];
  d.kw = w[3];
  d.strideH = s[0];
  d.strideW = s[1];
  d.padT = p[0];
  d.padL = p[1];
  d.padB = p[2];
  d.padR = p[3];
  int64_t group = n.attrInt("group");
  d.depthwise = group > 1 && group == d.c && d.k == d.c;
  return d;
}

int64_t dmaCallCycles(const DmaDesc& d, int64_t bytes) {
  return d.setupCycles.value + ceilDiv(roundUp(bytes, d.granuleBytes.value), d.bytesPerCycle.value);
}


double cpuNodeCycles(const CpuDesc& cpu, const Graph& g, const Node& n) {
  if (n.op == OpKind::Relayout)
    return cpuRelayoutCycles(cpu,
                             std::max(g.type(n.inputs[0]).bytes(), g.type(n.outputs[0]).bytes()));
  int64_t elements = 0;
  for (TensorId id : n.outputs) elements = std::max(elements, g.type(id).elements());
  for (TensorId id : n.inputs)
    if (id >= 0 && !g.tensor(id).isConstant()) elements = std::max(elements, g.type(id).elements());
  return static_cast<double>(nodeMacs(g, n)) * cpu.cost.cyclesPerMac.value +
         static_cast<double>(elements) * cpu.cost.cyclesPerElement.value;
}

double cpuRelayoutCycles(const CpuDesc& cpu, int64_t bytes) {
  return static_cast<double>(bytes) * cpu.cost.relayoutCyclesPerByte.value;
}

}  // namespace htvm
