// Cycle model of docs/ACCELERATOR_FORMATS.md, term by term. See cost_model.h.
#include "platform/cost_model.h"

#include "ir/op_registry.h"

#include <algorithm>

namespace htvm {
namespace {

// Fixed by the weight-stream formats (16 output channels per block, 16-byte dense bias slots) and
// by the cycle-model page's dense and add formulas; not PE-array parameters.
constexpr int64_t kStreamBlock = 16;
constexpr int64_t kBiasBytesPerBlock = 64;   // 16 x int32
constexpr int64_t kDenseBiasSlotBytes = 16;  // 128 bits per output channel
constexpr int64_t kDenseTile = 16;           // ceil(C/16)*ceil(K/16)*16
constexpr int64_t kAddBytesPerCycle = 16;    // ceil(bytes/16)
constexpr int64_t kAnalogRowGroup = 32;      // bit-rows loaded in groups of 32

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t m) { return ceilDiv(a, m) * m; }

ModeledCycles job(int64_t setup, int64_t compute, int64_t weights) {
  ModeledCycles c;
  c.setup = setup;
  c.compute = compute;
  c.weights = weights;
  c.jobs = 1;
  return c;
}

}  // namespace

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

int64_t convStreamBytes(int64_t c, int64_t k, int64_t kh, int64_t kw) {
  return ceilDiv(k, kStreamBlock) * (kStreamBlock * c * kh * kw + kBiasBytesPerBlock);
}

int64_t depthwiseBlockBytes(int64_t kh, int64_t kw) {
  return kStreamBlock * kh * kw + kBiasBytesPerBlock;
}

int64_t depthwiseStreamBytes(int64_t c, int64_t kh, int64_t kw) {
  return c * depthwiseBlockBytes(kh, kw);
}

int64_t denseStreamBytes(int64_t c, int64_t k) {
  int64_t kp = roundUp(k, kStreamBlock), cp = roundUp(c, kStreamBlock);
  return kp * cp + kDenseBiasSlotBytes * kp;
}

int64_t analogWeightLoadBytes(const AnalogParams& a, int64_t rows) {
  int64_t bitRows = ceilDiv(2 * rows, kAnalogRowGroup) * kAnalogRowGroup;
  return bitRows * a.arrayCols.value / 8;
}

int64_t dmaCallCycles(const DmaDesc& d, int64_t bytes) {
  return d.setupCycles.value + ceilDiv(roundUp(bytes, d.granuleBytes.value), d.bytesPerCycle.value);
}


int64_t digitalConvComputeCycles(const DigitalParams& p, int64_t c, int64_t k, int64_t oy,
                                 int64_t ox, int64_t fy, int64_t fx, int64_t padP) {
  int64_t kp = roundUp(k, p.peK.value), oxp = roundUp(ox, p.peOx.value);
  int64_t pe = p.peK.value * p.peOx.value;
  int64_t total = 0;
  for (int64_t i = 0; i <= padP; ++i) {
    int64_t rows = fy - i;  // kernel rows left at a border row that loses i padded rows
    if (rows < 1) continue;
    int64_t n = i == 0 ? kp * std::max<int64_t>(oy - 2 * padP, 0) * oxp : 2 * kp * oxp;
    total += ceilDiv(n, pe) * (c * rows * fx + p.fifoCycles.value * c * rows + p.blockCycles.value);
  }
  return total;
}

ModeledCycles digitalConvCycles(const AcceleratorDesc& a, const ConvDims& d) {
  const DigitalParams& p = *a.digital;
  int64_t padP = std::max(d.padT, d.padB);
  return job(a.jobSetupCycles.value,
             digitalConvComputeCycles(p, d.c, d.k, d.oh, d.ow, d.kh, d.kw, padP),
             ceilDiv(convStreamBytes(d.c, d.k, d.kh, d.kw), p.weightFillBytesPerCycle.value));
}

ModeledCycles digitalDepthwiseCycles(const AcceleratorDesc& a, const ConvDims& d) {
  const DigitalParams& p = *a.digital;
  int64_t padP = std::max(d.padT, d.padB);
  ModeledCycles one =
      job(a.jobSetupCycles.value,
          digitalConvComputeCycles(p, 1, p.peK.value, d.oh, d.ow, d.kh, d.kw, padP),
          ceilDiv(depthwiseBlockBytes(d.kh, d.kw), p.weightFillBytesPerCycle.value));
  ModeledCycles all;
  for (int64_t ch = 0; ch < d.c; ++ch) all += one;
  return all;
}

ModeledCycles digitalDenseCycles(const AcceleratorDesc& a, int64_t c, int64_t k) {
  return job(a.jobSetupCycles.value, ceilDiv(c, kDenseTile) * ceilDiv(k, kDenseTile) * kDenseTile,
             ceilDiv(denseStreamBytes(c, k), a.digital->weightFillBytesPerCycle.value));
}

ModeledCycles digitalAddCycles(const AcceleratorDesc& a, int64_t bytes) {
  return job(a.jobSetupCycles.value,
             ceilDiv(bytes, kAddBytesPerCycle) + a.digital->blockCycles.value, 0);
}

ModeledCycles analogWeightLoadCycles(const AcceleratorDesc& a, int64_t rows) {
  const AnalogParams& p = *a.analog;
  return job(a.jobSetupCycles.value, 0,
             ceilDiv(analogWeightLoadBytes(p, rows), p.weightFillBytesPerCycle.value));
}

ModeledCycles analogConvCycles(const AcceleratorDesc& a, const ConvDims& d) {
  const AnalogParams& p = *a.analog;
  int64_t passes = d.oh * d.ow;
  return job(a.jobSetupCycles.value,
             passes * (p.mvmCycles.value + ceilDiv(d.k, p.simdLanes.value)) + p.simdStages.value,
             0);
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
