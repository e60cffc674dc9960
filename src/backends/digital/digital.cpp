// The digital accelerator's backend: conv (groups 1 and depthwise), dense and add jobs on
// CHW_W16_REV4 / VEC16_REV4 activations with weight+bias streams (digital_streams.h).
#include <fmt/format.h>

#include <algorithm>

#include "backends/digital/digital.h"
#include "backends/digital/digital_streams.h"
#include "codegen/c/c_writer.h"
#include "support/diag.h"

namespace htvm {
namespace {

constexpr int64_t kBlock = 16;  // output channels per stream block (conv), outputs per dense tile

std::optional<TileLayer> tileLayer(const Graph& g, const Node& n, const AcceleratorDesc& a) {
  TileLayer l;
  const Patterns& p = a.patterns;
  switch (n.op) {
    case OpKind::QConv2D:
      if (!p.qconv2d) return std::nullopt;
      l.shape = TileShape::Window;
      l.layout = Layout::CHW_W16_REV4;
      l.conv = convDims(g, n);
      l.kMultiple = l.conv.depthwise ? 1 : kBlock;
      l.wMultiple = kBlock;  // W16 rows
      return l;
    case OpKind::QDense:
      if (!p.qdense) return std::nullopt;
      l.shape = TileShape::Vector;
      l.layout = Layout::VEC16_REV4;
      l.kMultiple = kBlock;
      l.denseC = g.type(n.inputs[0]).shape.at(1);
      l.denseK = g.type(n.outputs[0]).shape.at(1);
      return l;
    case OpKind::QAdd: {
      if (!p.qadd) return std::nullopt;
      const TensorType& t = g.type(n.outputs[0]);
      l.shape = TileShape::Flat;
      l.layout = p.qadd->layout;
      l.operands = 2;
      l.addBytes = TensorType{t.dtype, t.shape, p.qadd->layout}.bytes();
      return l;
    }
    default:
      return std::nullopt;
  }
}

JobCycles jobCycles(const TileLayer& l, const TileJob& j, const AcceleratorDesc& a) {
  ModeledCycles m;
  JobCycles r;
  switch (l.shape) {
    case TileShape::Window: {
      ConvDims d = jobConvDims(l, j);
      if (l.conv.depthwise) {
        d.c = d.k = 1;  // one job per channel, each the conv formula with C = 1, K = pe_k
        m = digitalDepthwiseCycles(a, d);
        r.count = j.k;
      } else {
        m = digitalConvCycles(a, d);
      }
      break;
    }
    case TileShape::Vector: m = digitalDenseCycles(a, j.c, j.k); break;
    case TileShape::Flat: m = digitalAddCycles(a, j.addBytes); break;
  }
  r.setup = m.setup;
  r.compute = m.compute;
  r.weights = m.weights;
  return r;
}

int64_t jobWeightBytes(const TileLayer& l, const TileJob& j, const AcceleratorDesc&) {
  switch (l.shape) {
    case TileShape::Window:
      return l.conv.depthwise ? depthwiseBlockBytes(l.conv.kh, l.conv.kw)
                              : convStreamBytes(j.c, j.k, l.conv.kh, l.conv.kw);
    case TileShape::Vector: return denseStreamBytes(j.c, j.k);
    case TileShape::Flat: return 0;
  }
  return 0;
}

// Conv and depthwise tiles point into the layer's one stream (16-channel blocks and channel
// blocks are contiguous); dense tiles have back-to-back streams of their own.
int64_t weightOffset(const TileLayer& l, const TileJob& j, int64_t tileK) {
  switch (l.shape) {
    case TileShape::Window:
      return l.conv.depthwise ? j.k0 * depthwiseBlockBytes(l.conv.kh, l.conv.kw)
                              : j.k0 / kBlock * convStreamBytes(l.conv.c, kBlock, l.conv.kh, l.conv.kw);
    case TileShape::Vector: return tileK > 0 ? j.k0 / tileK * denseStreamBytes(l.denseC, tileK) : 0;
    case TileShape::Flat: return 0;
  }
  return 0;
}

std::optional<std::string> weightsFit(const TileLayer&, int64_t maxWeights,
                                      const AcceleratorDesc& a) {
  if (maxWeights <= a.l1.weightBytes.value) return std::nullopt;
  return "weight stream of one job " + std::to_string(maxWeights) + " B > weight memory " +
         std::to_string(a.l1.weightBytes.value) + " B (input channels are not tiled)";
}

std::optional<HalJob> halJob(OpKind op) {
  switch (op) {
    case OpKind::QConv2D: return HalJob{"htvm_digital_conv_cfg", "htvm_digital_conv"};
    case OpKind::QDense: return HalJob{"htvm_digital_dense_cfg", "htvm_digital_dense"};
    case OpKind::QAdd: return HalJob{"htvm_digital_add_cfg", "htvm_digital_add"};
    default: return std::nullopt;
  }
}

std::string jobInit(const JobText& t) {
  const Node& n = t.n;
  const TileJob& j = t.job;
  int relu = n.attrInt("lo") == 0 ? 1 : 0;
  switch (n.op) {
    case OpKind::QConv2D: {
      const Shape& ws = t.g.type(n.inputs[1]).shape;
      const Ints& str = n.attrInts("strides");
      return fmt::format(
          "{{{}u, {}u, {} + {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
          "{}}}",
          t.in[0], t.out, t.stream, j.weightOffset, j.c, j.k, j.ih, j.iw, j.oh, j.ow, ws[2], ws[3],
          str[0], str[1], j.padT, j.padL, j.padB, j.padR, n.attrInt("group") != 1 ? 1 : 0,
          n.attrInt("shift"), relu);
    }
    case OpKind::QDense:
      return fmt::format("{{{}u, {}u, {} + {}, {}, {}, {}, {}}}", t.in[0], t.out, t.stream,
                         j.weightOffset, j.c, j.k, n.attrInt("shift"), relu);
    case OpKind::QAdd:
      return fmt::format("{{{}u, {}u, {}u, {}u, {}, {}}}", t.in[0], t.in[1], t.out, j.addBytes,
                         n.attrInt("shift"), relu);
    default: break;
  }
  HTVM_CHECK(false) << nodeRef(n) << ": no digital job config for " << opName(n.op);
  return {};
}

std::vector<int8_t> streamOf(const Graph& g, const Node& n, const LayerSchedule& s) {
  switch (n.op) {
    case OpKind::QConv2D: return digitalConvStream(g, n);
    case OpKind::QDense:
      return s.numK > 1 ? digitalDenseTileStreams(g, n, s.tileK) : digitalDenseStream(g, n);
    default: return {};
  }
}

void emitWeights(CWriter& w, const Graph& g, const Node& n, const LayerSchedule& s,
                 const std::string& stream, const std::string&) {
  if (n.op != OpKind::QConv2D && n.op != OpKind::QDense) return;
  std::vector<int8_t> b = streamOf(g, n, s);
  w.byteArray(fmt::format("static const int8_t {}[{}]", stream, b.size()), b);
}

int64_t weightArrayBytes(const Graph& g, const Node& n, const LayerSchedule& s) {
  switch (n.op) {
    case OpKind::QConv2D: {
      ConvDims d = convDims(g, n);
      return d.depthwise ? depthwiseStreamBytes(d.c, d.kh, d.kw)
                         : convStreamBytes(d.c, d.k, d.kh, d.kw);
    }
    case OpKind::QDense: {
      int64_t c = g.type(n.inputs[0]).shape.at(1), k = g.type(n.outputs[0]).shape.at(1);
      if (s.numK <= 1) return denseStreamBytes(c, k);
      int64_t bytes = 0;  // one stream per output tile, back to back
      for (int64_t k0 = 0; k0 < k; k0 += s.tileK) bytes += denseStreamBytes(c, std::min(s.tileK, k - k0));
      return bytes;
    }
    default: return 0;
  }
}

std::vector<int64_t> halParams(const AcceleratorDesc& a) {
  // pe_k, pe_ox, block, fifo, weight fill; the analog fields unused (simd_lanes 1, not 0)
  return {a.param(DigitalParam::PeK),
          a.param(DigitalParam::PeOx),
          a.param(DigitalParam::BlockCycles),
          a.param(DigitalParam::FifoCycles),
          a.param(DigitalParam::WeightFillBytesPerCycle),
          0, 0, 0, 1, 0, 0};
}

std::optional<std::pair<std::string, std::string>> checkParams(const AcceleratorDesc& a) {
  int64_t pe = a.param(DigitalParam::PeK) * a.param(DigitalParam::PeOx);
  if (a.param(DigitalParam::PeakMacsPerCycle) == pe) return std::nullopt;
  return std::make_pair(std::string("peak_macs_per_cycle"),
                        "must equal pe_k * pe_ox = " + std::to_string(pe) + ", got " +
                            std::to_string(a.param(DigitalParam::PeakMacsPerCycle)));
}

AccelBackend make() {
  AccelBackend b;
  b.kind = "digital";
  b.halKind = "HTVM_KIND_DIGITAL";
  b.params = {{"pe_k", true},         {"pe_ox", true},       {"peak_macs_per_cycle", true},
              {"block_cycles", false}, {"fifo_cycles", false}, {"weight_fill_bytes_per_cycle", true}};
  b.patterns = {"qconv2d", "qdense", "qadd"};
  b.checkParams = checkParams;
  b.tileLayer = tileLayer;
  b.jobCycles = jobCycles;
  b.jobWeightBytes = jobWeightBytes;
  b.weightOffset = weightOffset;
  b.weightsFit = weightsFit;
  b.halJob = halJob;
  b.jobInit = jobInit;
  b.emitWeights = emitWeights;
  b.weightArrayBytes = weightArrayBytes;
  b.halParams = halParams;
  b.extraSimBytes = [](const AcceleratorDesc&) -> int64_t { return 0; };
  b.peakMacsPerCycle = [](const AcceleratorDesc& a) { return a.param(DigitalParam::PeakMacsPerCycle); };
  return b;
}

}  // namespace

const AccelBackend& digitalBackend() {
  static const AccelBackend b = make();
  return b;
}

}  // namespace htvm
