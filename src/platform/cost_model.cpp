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


namespace {

bool isConv(OpKind op) {
  return op == OpKind::Conv2D || op == OpKind::QConv2D || op == OpKind::AnalogConv2D;
}

// Output elements over the innermost extent: the loop nests' row count.
double rowsOf(const TensorType& t) {
  int64_t inner = t.shape.empty() ? 1 : std::max<int64_t>(t.shape.back(), 1);
  return static_cast<double>(t.elements() / inner);
}

double apply(const KernelCost& k, const CpuCostTerms& t) {
  return k.call * t.calls + k.mac * t.macs + k.blockLoad * t.blockLoads + k.output * t.outputs +
         k.element * t.elements + k.row * t.rows + k.byte * t.bytes;
}

// A node's cost inside a chain's loop: its per-element and per-byte part only.
double applyFused(const KernelCost& k, const CpuCostTerms& t) {
  return k.element * t.elements + k.byte * t.bytes;
}

const KernelCost* kernelCost(const CpuDesc& cpu, const std::string& kind) {
  auto it = cpu.cost.kernels.find(kind);
  return it == cpu.cost.kernels.end() ? nullptr : &it->second;
}

double genericRelayoutCycles(const CpuDesc& cpu, int64_t bytes) {
  return static_cast<double>(bytes) * cpu.cost.relayoutCyclesPerByte.value;
}

double nodeCycles(const CpuDesc& cpu, OpKind op, const CpuCostTerms& t) {
  if (const KernelCost* k = kernelCost(cpu, t.kind)) return apply(*k, t);
  if (op == OpKind::Relayout) return genericRelayoutCycles(cpu, static_cast<int64_t>(t.bytes));
  return t.allMacs * cpu.cost.cyclesPerMac.value + t.elements * cpu.cost.cyclesPerElement.value;
}

}  // namespace

double cpuNodeCycles(const CpuDesc& cpu, const Graph& g, const Node& n) {
  return nodeCycles(cpu, n.op, cpuCostTerms(g, n));
}

double cpuRelayoutCycles(const CpuDesc& cpu, const TensorType& t, Layout from, Layout to) {
  if (from == to) return 0;
  int64_t bytes = std::max(TensorType{t.dtype, t.shape, from}.bytes(), TensorType{t.dtype, t.shape, to}.bytes());
  const KernelCost* k = kernelCost(cpu, std::string("relayout/") + layoutName(from) + ">" + layoutName(to));
  if (k == nullptr) return genericRelayoutCycles(cpu, bytes);
  CpuCostTerms terms;  // what cpuCostTerms counts for a Relayout node of this type
  terms.outputs = terms.elements = static_cast<double>(t.elements());
  terms.rows = rowsOf(t);
  terms.bytes = static_cast<double>(bytes);
  return apply(*k, terms);
}

std::vector<double> cpuLayerCycles(const CpuDesc& cpu, const Graph& g) {
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId t : g.nodes[i].outputs) producer[static_cast<size_t>(t)] = static_cast<int>(i);
  // Per layer (a node, or a chain's root with its members): the nodes' cycles alone, their
  // in-loop cycles (-1 once a node lacks its fused entry), and whether members were fused into it.
  std::vector<double> alone(g.nodes.size(), 0.0), fused(g.nodes.size(), 0.0);
  std::vector<char> chain(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.accel >= 0) continue;
    size_t root = n.fusedInto < 0 ? i : static_cast<size_t>(producer.at(static_cast<size_t>(n.fusedInto)));
    chain[root] |= root != i;
    CpuCostTerms t = cpuCostTerms(g, n);
    alone[root] += nodeCycles(cpu, n.op, t);
    const KernelCost* k = kernelCost(cpu, "fused/" + t.kind);
    fused[root] = k == nullptr || fused[root] < 0 ? -1 : fused[root] + applyFused(*k, t);
  }
  const KernelCost* loop = kernelCost(cpu, "chain");
  std::vector<double> cycles = alone;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (chain[i] && loop != nullptr && fused[i] >= 0)
      cycles[i] = loop->call + loop->row * rowsOf(g.type(g.nodes[i].outputs.at(0))) + fused[i];
  return cycles;
}

CpuCostTerms cpuCostTerms(const Graph& g, const Node& n) {
  CpuCostTerms t;
  t.kind = opName(n.op);
  t.macs = t.allMacs = static_cast<double>(nodeMacs(g, n));
  if (isConv(n.op)) {
    ConvDims d = convDims(g, n);
    t.kind += d.depthwise ? "/dw" : d.kh * d.kw == 1 ? "/1x1" : "/kxk";
    // The kernels skip padded taps: count the valid ones (rows and columns are independent).
    const Ints& dil = n.attrInts("dilations");
    auto valid = [](int64_t outs, int64_t in, int64_t taps, int64_t stride, int64_t pad, int64_t dl) {
      int64_t v = 0;
      for (int64_t o = 0; o < outs; ++o)
        for (int64_t r = 0; r < taps; ++r) {
          int64_t i = o * stride - pad + r * dl;
          v += i >= 0 && i < in ? 1 : 0;
        }
      return v;
    };
    int64_t taps = valid(d.oh, d.ih, d.kh, d.strideH, d.padT, dil.at(0)) *
                   valid(d.ow, d.iw, d.kw, d.strideW, d.padL, dil.at(1));
    int64_t cg = d.depthwise ? 1 : g.type(n.inputs[1]).shape.at(1);
    t.macs = static_cast<double>(taps * cg * d.k * g.type(n.outputs[0]).shape.at(0));
    // A block holds up to 4 adjacent outputs of a row (a 1x1 stride-1 unpadded conv: of a plane);
    // narrower rows load each weight for fewer products.
    bool plane = d.kh * d.kw == 1 && d.strideH == 1 && d.strideW == 1 && d.padT + d.padL + d.padB + d.padR == 0;
    t.blockLoads = t.macs / static_cast<double>(std::min<int64_t>(4, plane ? d.oh * d.ow : d.ow));
  }
  int64_t elements = 0, bytes = 0;
  for (TensorId id : n.outputs) {
    elements = std::max(elements, g.type(id).elements());
    bytes = std::max(bytes, g.type(id).bytes());
  }
  for (TensorId id : n.inputs)
    if (id >= 0 && !g.tensor(id).isConstant()) {
      elements = std::max(elements, g.type(id).elements());
      bytes = std::max(bytes, g.type(id).bytes());
    }
  if (n.op == OpKind::Relayout)  // the index arithmetic is the layout pair's
    t.kind += std::string("/") + layoutName(g.type(n.inputs.at(0)).layout) + ">" +
              layoutName(g.type(n.outputs.at(0)).layout);
  t.outputs = static_cast<double>(g.type(n.outputs.at(0)).elements());
  t.elements = static_cast<double>(elements);
  t.rows = rowsOf(g.type(n.outputs.at(0)));
  t.bytes = static_cast<double>(bytes);
  return t;
}


std::optional<std::string> checkCostKind(const std::string& kind) {
  if (kind == "chain") return std::nullopt;
  std::string k = kind.rfind("fused/", 0) == 0 ? kind.substr(6) : kind;
  size_t slash = k.find('/');
  std::string op = k.substr(0, slash), variant = slash == std::string::npos ? "" : k.substr(slash + 1);
  const OpDef* def = nullptr;
  for (const OpDef& d : OpRegistry::builtin().all())
    if (d.name == op) def = &d;
  if (def == nullptr) return "'" + op + "' is no op name";
  if (isConv(def->kind)) {
    if (variant == "dw" || variant == "1x1" || variant == "kxk") return std::nullopt;
    return "a conv kind is " + op + "/dw, " + op + "/1x1 or " + op + "/kxk";
  }
  if (def->kind == OpKind::Relayout) {
    size_t gt = variant.find('>');
    if (gt != std::string::npos && layoutByName(variant.substr(0, gt)) && layoutByName(variant.substr(gt + 1)))
      return std::nullopt;
    return "a relayout kind is relayout/FROM>TO with two layout names (e.g. relayout/nchw>chw_w16_rev4)";
  }
  if (!variant.empty()) return "'" + op + "' has no variants";
  return std::nullopt;
}

}  // namespace htvm
