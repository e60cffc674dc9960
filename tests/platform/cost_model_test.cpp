// Cost model against numbers computed by hand from docs/ACCELERATOR_FORMATS.md with DIANA's
// parameters (pe 16x16, block 23, fifo 2, weight fill 16 B/cycle, job setup 150, DMA 70 + 16
// B/cycle in 32 B granules; analog mvm 16, 64 SIMD lanes, 6 stages).
#include "platform/cost_model.h"

#include <gtest/gtest.h>

#include "platform_test_util.h"
#include "support/graph_builder.h"

namespace htvm {
namespace {

class CostModel : public ::testing::Test {
 protected:
  Platform p = testing::diana();
  const AcceleratorDesc& dig() const { return p.accelerators.at(0); }
  const AcceleratorDesc& ana() const { return p.accelerators.at(1); }
};

ConvDims dims(int64_t c, int64_t k, int64_t ih, int64_t oh, int64_t ks, int64_t pad,
              bool dw = false) {
  ConvDims d;
  d.c = c;
  d.k = k;
  d.ih = d.iw = ih;
  d.oh = d.ow = oh;
  d.kh = d.kw = ks;
  d.padT = d.padL = d.padB = d.padR = pad;
  d.depthwise = dw;
  return d;
}

TEST_F(CostModel, StreamBytes) {
  EXPECT_EQ(convStreamBytes(16, 32, 3, 3), 2 * (16 * 16 * 9 + 64));  // 4736
  EXPECT_EQ(convStreamBytes(3, 17, 1, 1), 2 * (16 * 3 + 64));        // Kp = 32
  EXPECT_EQ(depthwiseBlockBytes(3, 3), 208);
  EXPECT_EQ(depthwiseStreamBytes(8, 3, 3), 8 * 208);
  EXPECT_EQ(denseStreamBytes(64, 10), 16 * 64 + 16 * 16);          // 1280
  EXPECT_EQ(denseStreamBytes(20, 20), 32 * 32 + 16 * 32);          // 1536
  EXPECT_EQ(analogWeightLoadBytes(ana(), 144), 288 * 64);  // 18432
  EXPECT_EQ(analogWeightLoadBytes(ana(), 145), 320 * 64);  // 2*145 = 290 -> 320 bit-rows
}

TEST_F(CostModel, Dma) {
  EXPECT_EQ(dmaCallCycles(dig().dma, 0), 70);
  EXPECT_EQ(dmaCallCycles(dig().dma, 1), 72);  // one 32 B granule
  EXPECT_EQ(dmaCallCycles(dig().dma, 32), 72);
  EXPECT_EQ(dmaCallCycles(dig().dma, 33), 74);
  EXPECT_EQ(dmaCallCycles(dig().dma, 4096), 326);
  EXPECT_EQ(dmaCallCycles(dig().dma, 100), 78);  // 128 B after granule rounding
  // Whole tensors in their storage layouts, one call each.
  TensorType planes{DType::I8, {1, 16, 8, 8}, Layout::CHW_W16_REV4};  // 16 x 8 rows x 16 B
  EXPECT_EQ(dmaCallCycles(dig().dma, planes.bytes()), 70 + 2048 / 16);
  TensorType pixels{DType::I8, {1, 3, 2, 2}, Layout::HWC_C64_REV4};  // 4 px x 64 B
  EXPECT_EQ(dmaCallCycles(ana().dma, pixels.bytes()), 70 + 256 / 16);
}

TEST_F(CostModel, DigitalConv) {
  // C16 K32 16x16 3x3 pad 1: P = 1. p=0: N0 = 32*14*16 = 7168 -> 28 blocks * (144 + 96 + 23) =
  // 7364; p=1: N1 = 2*32*16 = 1024 -> 4 * (96 + 64 + 23) = 732.
  EXPECT_EQ(digitalConvComputeCycles(dig(), 16, 32, 16, 16, 3, 3, 1), 8096);
  ModeledCycles c = digitalConvCycles(dig(), dims(16, 32, 16, 16, 3, 1));
  EXPECT_EQ(c.setup, 150);
  EXPECT_EQ(c.compute, 8096);
  EXPECT_EQ(c.weights, 4736 / 16);
  EXPECT_EQ(c.jobs, 1);
  EXPECT_EQ(c.total(), 8542);
  // C3 K8 10x10 5x5 pad 2 (Kp 16, OXp 16, P 2): 6*128 + 2*107 + 2*86.
  EXPECT_EQ(digitalConvComputeCycles(dig(), 3, 8, 10, 10, 5, 5, 2), 768 + 214 + 172);
  // Terms with FY - p < 1 are skipped: 1x1 kernel, P = 1 leaves only p = 0 (N0 = 16*2*16 = 512).
  EXPECT_EQ(digitalConvComputeCycles(dig(), 4, 16, 4, 4, 1, 1, 1), 2 * (4 + 8 + 23));
  // OY - 2P < 0 gives N0 = 0; p = 1, 2 each 2 blocks.
  EXPECT_EQ(digitalConvComputeCycles(dig(), 1, 16, 1, 1, 5, 5, 2),
            2 * (20 + 8 + 23) + 2 * (15 + 6 + 23));
  // Asymmetric pads: P = max(top, bottom).
  ConvDims d = dims(16, 32, 16, 16, 3, 0);
  d.padB = 1;
  d.oh = 15;
  EXPECT_EQ(digitalConvCycles(dig(), d).compute,
            digitalConvComputeCycles(dig(), 16, 32, 15, 16, 3, 3, 1));
}

TEST_F(CostModel, DigitalDepthwise) {
  // Per channel job: C1 K16 8x8 3x3 pad 1: 6 * (9 + 6 + 23) + 2 * (6 + 4 + 23) = 294; block 208 B
  // = 13.
  ModeledCycles c = digitalDepthwiseCycles(dig(), dims(8, 8, 8, 8, 3, 1, true));
  EXPECT_EQ(c.jobs, 8);
  EXPECT_EQ(c.setup, 8 * 150);
  EXPECT_EQ(c.compute, 8 * 294);
  EXPECT_EQ(c.weights, 8 * 13);
  EXPECT_EQ(c.total(), 8 * 457);
}

TEST_F(CostModel, DigitalDenseAndAdd) {
  ModeledCycles d = digitalDenseCycles(dig(), 64, 10);
  EXPECT_EQ(d.compute, 4 * 1 * 16);
  EXPECT_EQ(d.weights, 1280 / 16);
  EXPECT_EQ(d.total(), 150 + 64 + 80);
  ModeledCycles a = digitalAddCycles(dig(), 2048);
  EXPECT_EQ(a.compute, 128 + 23);
  EXPECT_EQ(a.weights, 0);
  EXPECT_EQ(a.total(), 301);
}

TEST_F(CostModel, Analog) {
  ModeledCycles w = analogWeightLoadCycles(ana(), 144);
  EXPECT_EQ(w.weights, 18432 / 16);
  EXPECT_EQ(w.setup, 150);
  EXPECT_EQ(w.jobs, 1);
  // 8x8 outputs, K 32: 64 passes * (16 + ceil(32/64)) + 6 stages.
  ModeledCycles c = analogConvCycles(ana(), dims(16, 32, 8, 8, 3, 1));
  EXPECT_EQ(c.compute, 64 * 17 + 6);
  EXPECT_EQ(c.total(), 150 + 1094);
  EXPECT_EQ(analogConvCycles(ana(), dims(16, 130, 8, 8, 3, 1)).compute, 64 * (16 + 3) + 6);
}

// A conv node built by hand: its MACs and the CPU estimate without calibrated kernels.
TEST_F(CostModel, NodeMacsAndUncalibratedCpuEstimate) {
  testing::GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 16, 16, 16}});
  TensorId w = b.filled("w", {DType::I8, {32, 16, 3, 3}}, 1);
  TensorId bias = b.filled("b", {DType::I32, {32}}, 0);
  b.node("conv", OpKind::QConv2D, {x, w, bias}, {DType::I8, {1, 32, 16, 16}},
         testing::withRequant(testing::convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 1), 8, -128, 127));
  const Graph& g = b.g;
  EXPECT_EQ(nodeMacs(g, g.nodes[0]), 32 * 16 * 16 * 16 * 9);
  CpuDesc cpu;
  cpu.cost.cyclesPerMac.value = 2.5;
  cpu.cost.cyclesPerElement.value = 10;
  cpu.cost.relayoutCyclesPerByte.value = 4;
  // 1179648 MACs (padded taps counted) and 8192 output elements.
  EXPECT_DOUBLE_EQ(cpuNodeCycles(cpu, g, g.nodes[0]), 1179648.0 * 2.5 + 8192.0 * 10);
  // An uncalibrated relayout costs the bytes of its larger side: 16x16 rows padded to 16 columns
  // stay 4096 bytes, 64 channels padded from 16 quadruple them.
  TensorType t{DType::I8, {1, 16, 16, 16}};
  EXPECT_DOUBLE_EQ(cpuRelayoutCycles(cpu, t, Layout::NCHW, Layout::CHW_W16_REV4), 4096.0 * 4);
  EXPECT_DOUBLE_EQ(cpuRelayoutCycles(cpu, t, Layout::HWC_C64_REV4, Layout::NCHW), 16384.0 * 4);
  EXPECT_DOUBLE_EQ(cpuRelayoutCycles(cpu, t, Layout::NCHW, Layout::NCHW), 0);
}

// The terms of a 3x3 pad-1 conv on a 4x4 image, counted by hand: per spatial axis the outputs
// 0..3 see 2, 3, 3, 2 valid taps (10), so 100 valid tap pairs per output plane, times 2 input
// channels and 3 output channels: 600 products (nodeMacs counts 16 * 9 * 2 * 3 = 864). A register
// block holds 4 outputs of a row: 150 weight loads. 48 outputs in 12 rows of 4.
TEST_F(CostModel, ConvTermsCountValidTapsAndRegisterBlocks) {
  testing::GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 2, 4, 4}});
  TensorId w = b.filled("w", {DType::I8, {3, 2, 3, 3}}, 1);
  TensorId bias = b.filled("b", {DType::I32, {3}}, 0);
  b.node("conv", OpKind::QConv2D, {x, w, bias}, {DType::I8, {1, 3, 4, 4}},
         testing::withRequant(testing::convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 1), 8, -128, 127));
  const Graph& g = b.g;
  CpuCostTerms t = cpuCostTerms(g, g.nodes[0]);
  EXPECT_EQ(t.kind, "qconv2d/kxk");
  EXPECT_EQ(t.macs, 600);
  EXPECT_EQ(t.allMacs, 864);
  EXPECT_EQ(t.blockLoads, 150);
  EXPECT_EQ(t.outputs, 48);
  EXPECT_EQ(t.rows, 12);
  CpuDesc cpu;
  cpu.cost.kernels["qconv2d/kxk"] = {10, 2, 1, 3, 0, 5, 0};
  EXPECT_DOUBLE_EQ(cpuNodeCycles(cpu, g, g.nodes[0]), 10 + 2 * 600 + 150 + 3 * 48 + 5 * 12);
}

TEST_F(CostModel, KernelKindsNameTheKernelVariant) {
  testing::GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 8, 4, 4}});
  TensorId dw = b.node("dw", OpKind::QConv2D, {x, b.filled("wd", {DType::I8, {8, 1, 3, 3}}, 1)},
                       {DType::I8, {1, 8, 4, 4}},
                       testing::withRequant(testing::convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 8), 8, -128, 127));
  TensorId pw = b.node("pw", OpKind::QConv2D, {dw, b.filled("wp", {DType::I8, {4, 8, 1, 1}}, 1)},
                       {DType::I8, {1, 4, 4, 4}},
                       testing::withRequant(testing::convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), 8, -128, 127));
  b.node("to_acc", OpKind::Relayout, {pw}, {DType::I8, {1, 4, 4, 4}, Layout::CHW_W16_REV4});
  const Graph& g = b.g;
  EXPECT_EQ(cpuCostTerms(g, g.nodes[0]).kind, "qconv2d/dw");
  EXPECT_EQ(cpuCostTerms(g, g.nodes[1]).kind, "qconv2d/1x1");
  // A 1x1 stride-1 unpadded conv blocks along the whole plane: 4 outputs per block, not 4 per row.
  EXPECT_EQ(cpuCostTerms(g, g.nodes[1]).blockLoads, 4 * 4 * 4 * 8 / 4.0);
  EXPECT_EQ(cpuCostTerms(g, g.nodes[2]).kind, "relayout/nchw>chw_w16_rev4");
  for (const char* ok : {"qconv2d/dw", "analog_conv2d/1x1", "relayout/hwc_c64_rev4>nchw", "add",
                         "fused/quantize_f32", "fused/relayout/nchw>vec16_rev4", "chain"})
    EXPECT_EQ(checkCostKind(ok), std::nullopt) << ok;
  EXPECT_EQ(checkCostKind("conv"), "'conv' is no op name");
  EXPECT_EQ(checkCostKind("qconv2d"), "a conv kind is qconv2d/dw, qconv2d/1x1 or qconv2d/kxk");
  EXPECT_NE(checkCostKind("relayout/nchw>chw16"), std::nullopt);
  EXPECT_EQ(checkCostKind("add/fast"), "'add' has no variants");
}

// x -> add(x, x) -> clip, fused into one loop rooted at the clip: with the chain and fused entries
// the root costs 7 per call + 1 per row + 2 per add element + 3 per clip element, the member 0;
// without the clip's fused entry the chain costs its nodes alone.
TEST_F(CostModel, ChainRootCostsTheWholeLoop) {
  testing::GraphBuilder b;
  TensorId x = b.input("x", {DType::I8, {1, 2, 3, 8}});
  TensorId s = b.node("add", OpKind::Add, {x, x}, DType::I8);
  TensorId y = b.node("clip", OpKind::Clip, {s}, DType::I8, {{"lo", 0.0}, {"hi", 9.0}});
  Graph g = b.output(y);
  g.nodes[0].fusedInto = y;
  CpuDesc cpu;
  cpu.cost.cyclesPerElement.value = 10;
  cpu.cost.kernels["chain"] = {7, 0, 0, 0, 0, 1, 0};
  cpu.cost.kernels["fused/add"] = {0, 0, 0, 0, 2, 0, 0};
  std::vector<double> alone = cpuLayerCycles(cpu, g);
  EXPECT_EQ(alone, (std::vector<double>{0, 48.0 * 10 + 48.0 * 10})) << "no fused/clip entry";
  cpu.cost.kernels["fused/clip"] = {0, 0, 0, 0, 3, 0, 0};
  EXPECT_EQ(cpuLayerCycles(cpu, g), (std::vector<double>{0, 7 + 6 + 2.0 * 48 + 3.0 * 48}));
}

}  // namespace
}  // namespace htvm
