// Job cycles and stream sizes of the digital accelerator. See digital.h and digital_streams.h.
#include <algorithm>

#include "backends/digital/digital.h"
#include "backends/digital/digital_streams.h"

namespace htvm {
namespace {

// Fixed by the weight-stream formats (16 output channels per block, 16-byte dense bias slots) and
// by the cycle-model page's dense and add formulas; not PE-array parameters.
constexpr int64_t kStreamBlock = 16;
constexpr int64_t kBiasBytesPerBlock = 64;   // 16 x int32
constexpr int64_t kDenseBiasSlotBytes = 16;  // 128 bits per output channel
constexpr int64_t kDenseTile = 16;           // ceil(C/16)*ceil(K/16)*16
constexpr int64_t kAddBytesPerCycle = 16;    // ceil(bytes/16)

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t m) { return ceilDiv(a, m) * m; }

int64_t fill(const AcceleratorDesc& a) { return a.param(DigitalParam::WeightFillBytesPerCycle); }

}  // namespace

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

int64_t digitalConvComputeCycles(const AcceleratorDesc& a, int64_t c, int64_t k, int64_t oy,
                                 int64_t ox, int64_t fy, int64_t fx, int64_t padP) {
  int64_t peK = a.param(DigitalParam::PeK), peOx = a.param(DigitalParam::PeOx);
  int64_t fifo = a.param(DigitalParam::FifoCycles), block = a.param(DigitalParam::BlockCycles);
  int64_t kp = roundUp(k, peK), oxp = roundUp(ox, peOx);
  int64_t pe = peK * peOx;
  int64_t total = 0;
  for (int64_t i = 0; i <= padP; ++i) {
    int64_t rows = fy - i;  // kernel rows left at a border row that loses i padded rows
    if (rows < 1) continue;
    int64_t n = i == 0 ? kp * std::max<int64_t>(oy - 2 * padP, 0) * oxp : 2 * kp * oxp;
    total += ceilDiv(n, pe) * (c * rows * fx + fifo * c * rows + block);
  }
  return total;
}

ModeledCycles digitalConvCycles(const AcceleratorDesc& a, const ConvDims& d) {
  int64_t padP = std::max(d.padT, d.padB);
  return oneJob(a.jobSetupCycles.value,
                digitalConvComputeCycles(a, d.c, d.k, d.oh, d.ow, d.kh, d.kw, padP),
                ceilDiv(convStreamBytes(d.c, d.k, d.kh, d.kw), fill(a)));
}

ModeledCycles digitalDepthwiseCycles(const AcceleratorDesc& a, const ConvDims& d) {
  int64_t padP = std::max(d.padT, d.padB);
  ModeledCycles one = oneJob(
      a.jobSetupCycles.value,
      digitalConvComputeCycles(a, 1, a.param(DigitalParam::PeK), d.oh, d.ow, d.kh, d.kw, padP),
      ceilDiv(depthwiseBlockBytes(d.kh, d.kw), fill(a)));
  ModeledCycles all;
  for (int64_t ch = 0; ch < d.c; ++ch) all += one;
  return all;
}

ModeledCycles digitalDenseCycles(const AcceleratorDesc& a, int64_t c, int64_t k) {
  return oneJob(a.jobSetupCycles.value,
                ceilDiv(c, kDenseTile) * ceilDiv(k, kDenseTile) * kDenseTile,
                ceilDiv(denseStreamBytes(c, k), fill(a)));
}

ModeledCycles digitalAddCycles(const AcceleratorDesc& a, int64_t bytes) {
  return oneJob(a.jobSetupCycles.value,
                ceilDiv(bytes, kAddBytesPerCycle) + a.param(DigitalParam::BlockCycles), 0);
}

}  // namespace htvm
