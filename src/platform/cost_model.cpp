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

double apply(const KernelCost& k, const CpuCostTerms& t) {
  return k.call * t.calls + k.mac * t.macs + k.blockLoad * t.blockLoads + k.output * t.outputs +
         k.element * t.elements + k.row * t.rows + k.byte * t.bytes;
}

const KernelCost* kernelCost(const CpuDesc& cpu, const std::string& kind) {
  auto it = cpu.cost.kernels.find(kind);
  return it == cpu.cost.kernels.end() ? nullptr : &it->second;
}

double genericRelayoutCycles(const CpuDesc& cpu, int64_t bytes) {
  return static_cast<double>(bytes) * cpu.cost.relayoutCyclesPerByte.value;
}

}  // namespace

double cpuNodeCycles(const CpuDesc& cpu, const Graph& g, const Node& n) {
  CpuCostTerms t = cpuCostTerms(g, n);
  if (const KernelCost* k = kernelCost(cpu, t.kind)) return apply(*k, t);
  if (n.op == OpKind::Relayout) return genericRelayoutCycles(cpu, static_cast<int64_t>(t.bytes));
  return t.allMacs * cpu.cost.cyclesPerMac.value + t.elements * cpu.cost.cyclesPerElement.value;
}

double cpuRelayoutCycles(const CpuDesc& cpu, const TensorType& t, Layout from, Layout to) {
  if (from == to) return 0;
  TensorType a{t.dtype, t.shape, from}, b{t.dtype, t.shape, to};
  std::string kind = std::string("relayout/") + layoutName(from) + ">" + layoutName(to);
  if (const KernelCost* k = kernelCost(cpu, kind)) {
    CpuCostTerms terms;
    terms.outputs = terms.elements = static_cast<double>(t.elements());
    int64_t inner = t.shape.empty() ? 1 : std::max<int64_t>(t.shape.back(), 1);
    terms.rows = static_cast<double>(t.elements() / inner);
    terms.bytes = static_cast<double>(std::max(a.bytes(), b.bytes()));
    return apply(*k, terms);
  }
  return genericRelayoutCycles(cpu, std::max(a.bytes(), b.bytes()));
}

std::vector<double> cpuLayerCycles(const CpuDesc& cpu, const Graph& g) {
  std::vector<double> cycles(g.nodes.size(), 0.0);
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId t : g.nodes[i].outputs) producer[static_cast<size_t>(t)] = static_cast<int>(i);
  // Per chain root: the fused terms of its nodes, or -1 once a node lacks its entry.
  std::vector<double> fused(g.nodes.size(), 0.0), unfused(g.nodes.size(), 0.0);
  std::vector<char> isRoot(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.accel >= 0) continue;
    double alone = cpuNodeCycles(cpu, g, n);
    if (n.fusedInto < 0) {
      cycles[i] = alone;
      continue;
    }
    size_t root = static_cast<size_t>(producer.at(static_cast<size_t>(n.fusedInto)));
    isRoot[root] = 1;
    unfused[root] += alone;
    CpuCostTerms t = cpuCostTerms(g, n);
    const KernelCost* k = kernelCost(cpu, "fused/" + t.kind);
    if (k == nullptr || fused[root] < 0)
      fused[root] = -1;
    else
      fused[root] += k->element * t.elements + k->byte * t.bytes;
  }
  const KernelCost* chain = kernelCost(cpu, "chain");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!isRoot[i]) continue;
    CpuCostTerms t = cpuCostTerms(g, g.nodes[i]);
    const KernelCost* k = kernelCost(cpu, "fused/" + t.kind);
    if (chain != nullptr && k != nullptr && fused[i] >= 0)
      cycles[i] = chain->call + chain->row * t.rows + k->element * t.elements + k->byte * t.bytes + fused[i];
    else
      cycles[i] += unfused[i];
  }
  return cycles;
}

CpuCostTerms cpuCostTerms(const Graph& g, const Node& n) {
  CpuCostTerms t;
  t.kind = opName(n.op);
  t.macs = t.allMacs = static_cast<double>(nodeMacs(g, n));
  if (n.op == OpKind::Conv2D || n.op == OpKind::QConv2D || n.op == OpKind::AnalogConv2D) {
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
  const Shape& y = g.type(n.outputs.at(0)).shape;
  t.outputs = static_cast<double>(g.type(n.outputs.at(0)).elements());
  int64_t inner = y.empty() ? 1 : std::max<int64_t>(y.back(), 1);
  t.elements = static_cast<double>(elements);
  t.rows = static_cast<double>(g.type(n.outputs.at(0)).elements() / inner);
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
  bool conv = def->kind == OpKind::Conv2D || def->kind == OpKind::QConv2D || def->kind == OpKind::AnalogConv2D;
  if (conv) {
    if (variant == "dw" || variant == "1x1" || variant == "kxk") return std::nullopt;
    return "a conv kind is " + op + "/dw, " + op + "/1x1 or " + op + "/kxk";
  }
  if (def->kind == OpKind::Relayout) {
    size_t gt = variant.find('>');
    auto isLayout = [](const std::string& name) {
      for (Layout l : {Layout::NCHW, Layout::CHW_W16_REV4, Layout::VEC16_REV4, Layout::HWC_C64_REV4})
        if (name == layoutName(l)) return true;
      return false;
    };
    if (gt != std::string::npos && isLayout(variant.substr(0, gt)) && isLayout(variant.substr(gt + 1)))
      return std::nullopt;
    return "a relayout kind is relayout/FROM>TO with two layout names (e.g. relayout/nchw>chw_w16_rev4)";
  }
  if (!variant.empty()) return "'" + op + "' has no variants";
  return std::nullopt;
}

}  // namespace htvm
