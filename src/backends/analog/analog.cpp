// The analog core's backend: an AnalogConv2D runs as one array load (hoisted before the tile
// loop) and one conv job per spatial tile on HWC_C64_REV4 activations; the array holds all
// output channels, so they are never tiled.
#include <fmt/format.h>

#include "backends/analog/analog.h"
#include "codegen/c/c_syntax.h"
#include "codegen/c/c_writer.h"
#include "support/diag.h"

namespace htvm {
namespace {

constexpr int64_t kAnalogRowGroup = 32;  // bit-rows loaded in groups of 32

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t arrayRowsOf(const TileLayer& l) { return l.conv.c * l.conv.kh * l.conv.kw; }

std::optional<TileLayer> tileLayer(const Graph& g, const Node& n, const AcceleratorDesc& a) {
  if (n.op != OpKind::AnalogConv2D || !a.patterns.analogConv2d) return std::nullopt;
  TileLayer l;
  l.shape = TileShape::Window;
  l.layout = Layout::HWC_C64_REV4;
  l.conv = convDims(g, n);
  l.kMultiple = 0;  // the array holds every output channel
  l.wMultiple = 1;  // pixels are whole 64-byte lines
  l.preload = true;
  return l;
}

JobCycles toJob(const ModeledCycles& m) {
  JobCycles r;
  r.setup = m.setup;
  r.compute = m.compute;
  r.weights = m.weights;
  return r;
}

JobCycles jobCycles(const TileLayer& l, const TileJob& j, const AcceleratorDesc& a) {
  return toJob(analogConvCycles(a, jobConvDims(l, j)));
}

int64_t jobWeightBytes(const TileLayer& l, const TileJob&, const AcceleratorDesc& a) {
  return analogWeightLoadBytes(a, arrayRowsOf(l));
}

std::optional<std::string> weightsFit(const TileLayer& l, int64_t, const AcceleratorDesc& a) {
  int64_t rows = arrayRowsOf(l), ar = a.param(AnalogParam::ArrayRows),
          ac = a.param(AnalogParam::ArrayCols);
  if (rows <= ar && l.conv.k <= ac) return std::nullopt;
  return "weights " + std::to_string(rows) + "x" + std::to_string(l.conv.k) + " exceed the " +
         std::to_string(ar) + "x" + std::to_string(ac) + " array";
}

void extraRules(const Graph& g, const Node& n, const AcceleratorDesc& a,
                std::vector<std::string>& f) {
  ConvDims d = convDims(g, n);
  int64_t rows = d.c * d.kh * d.kw;
  int64_t ar = a.param(AnalogParam::ArrayRows), ac = a.param(AnalogParam::ArrayCols);
  if (rows > ar)
    f.push_back("rows C*kh*kw = " + std::to_string(d.c) + "*" + std::to_string(d.kh) + "*" +
                std::to_string(d.kw) + " = " + std::to_string(rows) + " > array rows " +
                std::to_string(ar));
  if (d.k > ac)
    f.push_back("cols K = " + std::to_string(d.k) + " > array cols " + std::to_string(ac));
}

std::optional<HalJob> halJob(OpKind op) {
  if (op == OpKind::AnalogConv2D) return HalJob{"htvm_analog_conv_cfg", "htvm_analog_conv"};
  return std::nullopt;
}

std::string jobInit(const JobText& t) {
  const Node& n = t.n;
  const TileJob& j = t.job;
  HTVM_CHECK(n.op == OpKind::AnalogConv2D) << nodeRef(n) << ": no analog job config for "
                                           << opName(n.op);
  const Shape& ws = t.g.type(n.inputs[1]).shape;
  const Ints& str = n.attrInts("strides");
  return fmt::format(
      "{{{}u, {}u, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, "
      "{}_bn_k, {}_bn_l, {}, {}, {}}}",
      t.in[0], t.out, ws[1], ws[0], j.ih, j.iw, j.oh, j.ow, ws[2], ws[3], str[0], str[1], j.padT,
      j.padL, j.padB, j.padR, floatLiteral(static_cast<float>(n.attrFloat("gain"))),
      n.attrInt("adc_lo"), n.attrInt("adc_hi"), t.layer, t.layer, n.attrInt("shift"),
      n.attrInt("lo"), n.attrInt("hi"));
}

void emitWeights(CWriter& w, const Graph& g, const Node& n, const LayerSchedule&,
                 const std::string& stream, const std::string& layer) {
  std::vector<int8_t> b = analogArray(g, n);
  w.byteArray(fmt::format("static const int8_t {}[{}]", stream, b.size()), b);
  for (int part = 0; part < 2; ++part) {
    const std::vector<double>& v = *g.tensor(n.inputs[2 + static_cast<size_t>(part)]).data;
    std::string vals;
    for (double d : v) vals += fmt::format("{},", static_cast<int64_t>(d));
    w.line("static const int16_t {}_{}[{}] = {{{}}};", layer, part ? "bn_l" : "bn_k", v.size(),
           vals);
  }
}

int64_t weightArrayBytes(const Graph& g, const Node& n, const LayerSchedule&) {
  int64_t bytes = g.type(n.inputs[1]).elements();  // one ternary byte per array cell
  for (size_t k = 2; k < 4; ++k) bytes += 2 * g.type(n.inputs[k]).elements();  // int16 BN
  return bytes;
}

std::string preloadCall(const Graph& g, const Node& n, int accel, const std::string& stream) {
  const Shape& ws = g.type(n.inputs[1]).shape;
  return fmt::format("htvm_analog_load_weights({}u, {}, {}, {})", accel, stream,
                     ws[1] * ws[2] * ws[3], ws[0]);
}

std::vector<int64_t> halParams(const AcceleratorDesc& a) {
  // the digital fields unused; weight fill, array, mvm, simd, activation line
  return {0,
          0,
          0,
          0,
          a.param(AnalogParam::WeightFillBytesPerCycle),
          a.param(AnalogParam::ArrayRows),
          a.param(AnalogParam::ArrayCols),
          a.param(AnalogParam::MvmCycles),
          a.param(AnalogParam::SimdLanes),
          a.param(AnalogParam::SimdStages),
          a.param(AnalogParam::ActLineBytes)};
}

AccelBackend make() {
  AccelBackend b;
  b.kind = "analog";
  b.halKind = "HTVM_KIND_ANALOG";
  b.params = {{"array_rows", true},  {"array_cols", true},  {"input_bits", true},
              {"output_bits", true}, {"mvm_cycles", false}, {"simd_lanes", true},
              {"simd_stages", false}, {"weight_fill_bytes_per_cycle", true},
              {"act_line_bytes", true}};
  b.patterns = {"analog_conv2d"};
  b.extraRules = extraRules;
  b.tileLayer = tileLayer;
  b.jobCycles = jobCycles;
  b.jobWeightBytes = jobWeightBytes;
  b.weightOffset = [](const TileLayer&, const TileJob&, int64_t) -> int64_t { return 0; };
  b.weightsFit = weightsFit;
  b.preloadCycles = [](const TileLayer& l, const AcceleratorDesc& a) {
    return toJob(analogWeightLoadCycles(a, arrayRowsOf(l)));
  };
  b.halJob = halJob;
  b.jobInit = jobInit;
  b.emitWeights = emitWeights;
  b.weightArrayBytes = weightArrayBytes;
  b.preloadCall = preloadCall;
  b.halParams = halParams;
  b.extraSimBytes = [](const AcceleratorDesc& a) {
    return a.param(AnalogParam::ArrayRows) * a.param(AnalogParam::ArrayCols);
  };
  b.peakMacsPerCycle = [](const AcceleratorDesc&) -> int64_t { return 0; };
  return b;
}

}  // namespace

const AccelBackend& analogBackend() {
  static const AccelBackend b = make();
  return b;
}

int64_t analogWeightLoadBytes(const AcceleratorDesc& a, int64_t rows) {
  int64_t bitRows = ceilDiv(2 * rows, kAnalogRowGroup) * kAnalogRowGroup;
  return bitRows * a.param(AnalogParam::ArrayCols) / 8;
}

ModeledCycles analogWeightLoadCycles(const AcceleratorDesc& a, int64_t rows) {
  return oneJob(a.jobSetupCycles.value, 0,
                ceilDiv(analogWeightLoadBytes(a, rows), a.param(AnalogParam::WeightFillBytesPerCycle)));
}

ModeledCycles analogConvCycles(const AcceleratorDesc& a, const ConvDims& d) {
  int64_t passes = d.oh * d.ow;
  return oneJob(a.jobSetupCycles.value,
                passes * (a.param(AnalogParam::MvmCycles) +
                          ceilDiv(d.k, a.param(AnalogParam::SimdLanes))) +
                    a.param(AnalogParam::SimdStages),
                0);
}

std::vector<int8_t> analogArray(const Graph& g, const Node& n) {
  const Shape& ws = g.type(n.inputs[1]).shape;  // K, C, Kh, Kw
  HTVM_CHECK(g.tensor(n.inputs[1]).isConstant()) << nodeRef(n) << ": analog weights not constant";
  const std::vector<double>& w = *g.tensor(n.inputs[1]).data;
  int64_t k = ws[0], c = ws[1], kh = ws[2], kw = ws[3];
  std::vector<int8_t> a(static_cast<size_t>(c * kh * kw * k));
  for (int64_t o = 0; o < k; ++o)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t row = (ci * kh + y) * kw + x;
          a[static_cast<size_t>(row * k + o)] = static_cast<int8_t>(
              static_cast<int32_t>(w[static_cast<size_t>(((o * c + ci) * kh + y) * kw + x)]));
        }
  return a;
}

}  // namespace htvm
