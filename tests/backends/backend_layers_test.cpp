// The built-in backends shape real nodes for tiling the way tests/support/test_layers.h (which the
// tiler and simulator tests build their layers from) says they do, and each kind claims exactly
// the ops of its patterns.
#include <gtest/gtest.h>

#include "backends/analog/analog.h"
#include "backends/digital/digital_streams.h"
#include "partition/fused_layers.h"
#include "platform/platform_test_util.h"
#include "support/test_layers.h"
#include "tiling/tile_geometry.h"

namespace htvm {
namespace {

using testing::GraphBuilder;
using testing::TestLayer;
using testing::TestOp;

const Platform& diana() {
  static const Platform p = testing::diana();
  return p;
}

void expectSameShape(const TileLayer& got, TestOp op) {
  TestLayer want;
  testing::setOp(want, op);
  SCOPED_TRACE(testing::testOpName(op));
  EXPECT_EQ(got.shape, want.shape);
  EXPECT_EQ(got.layout, want.layout);
  EXPECT_EQ(got.preload, want.preload);
  EXPECT_EQ(got.operands, want.operands);
  if (want.shape != TileShape::Flat) {
    EXPECT_EQ(got.kMultiple, want.kMultiple);
  }
  if (want.shape == TileShape::Window) {
    EXPECT_EQ(got.wMultiple, want.wMultiple);
    EXPECT_EQ(got.conv.depthwise, want.conv.depthwise);
  }
}

TEST(BackendLayers, DigitalAndAnalogShapeTheirOpsAsTheTestLayersSay) {
  GraphBuilder b;
  TensorId x = testing::act(b, "x", {1, 16, 8, 8});
  testing::ConvSpec dw;
  dw.group = 16;
  TensorId c = testing::qconv(b, "conv", x, testing::ConvSpec{});
  TensorId d = testing::qconv(b, "dw", c, dw);
  TensorId s = testing::qadd(b, "add", c, d);
  TensorId a = testing::analogConv(b, "aconv", s, testing::ConvSpec{});
  TensorId v = testing::act(b, "v", {1, 40});
  b.output(a);
  b.output(testing::qdense(b, "fc", v, 24));
  const Graph& g = b.g;
  const AcceleratorDesc& digital = diana().accelerators.at(0);
  const AcceleratorDesc& analog = diana().accelerators.at(1);
  const TestOp want[] = {TestOp::Conv, TestOp::Depthwise, TestOp::Add, TestOp::AnalogConv,
                         TestOp::Dense};
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::optional<TileLayer> dl = tileLayerOf(g, n, digital), al = tileLayerOf(g, n, analog);
    if (want[i] == TestOp::AnalogConv) {
      EXPECT_FALSE(dl.has_value()) << n.name;
      ASSERT_TRUE(al.has_value()) << n.name;
      expectSameShape(*al, want[i]);
    } else {
      EXPECT_FALSE(al.has_value()) << n.name;
      ASSERT_TRUE(dl.has_value()) << n.name;
      expectSameShape(*dl, want[i]);
    }
  }
}

// The plan records weight bytes from the backends' size rules; the arrays codegen prints come from
// the encoders. Both must agree for every op, tiled dense included.
TEST(BackendLayers, WeightSizeRulesMatchTheEncodedArrays) {
  GraphBuilder b;
  TensorId x = testing::act(b, "x", {1, 16, 8, 8});
  testing::ConvSpec conv, dw;
  conv.k = 40;  // three 16-channel blocks, the last one partial
  dw.group = dw.k = 40;
  TensorId c = testing::qconv(b, "conv", x, conv);
  TensorId d = testing::qconv(b, "dw", c, dw);
  testing::ConvSpec ac;
  ac.k = 24;
  ac.weightValue = 1;
  b.output(testing::analogConv(b, "aconv", d, ac));
  b.output(testing::qdense(b, "fc", testing::act(b, "v", {1, 40}), 50));
  const Graph& g = b.g;
  const AcceleratorDesc& digital = diana().accelerators.at(0);
  const AcceleratorDesc& analog = diana().accelerators.at(1);
  LayerSchedule whole, tiled;
  tiled.numK = 4;
  tiled.tileK = 16;  // 50 outputs as 16 + 16 + 16 + 2
  auto bytes = [&](const AcceleratorDesc& a, size_t i, const LayerSchedule& s) {
    return a.backend->weightArrayBytes(g, g.nodes[i], s);
  };
  EXPECT_EQ(bytes(digital, 0, whole), static_cast<int64_t>(digitalConvStream(g, g.nodes[0]).size()));
  EXPECT_EQ(bytes(digital, 1, whole), static_cast<int64_t>(digitalConvStream(g, g.nodes[1]).size()));
  int64_t analogBytes = static_cast<int64_t>(analogArray(g, g.nodes[2]).size()) + 2 * 2 * 24;
  EXPECT_EQ(bytes(analog, 2, whole), analogBytes);
  EXPECT_EQ(bytes(digital, 3, whole), static_cast<int64_t>(digitalDenseStream(g, g.nodes[3]).size()));
  EXPECT_EQ(bytes(digital, 3, tiled),
            static_cast<int64_t>(digitalDenseTileStreams(g, g.nodes[3], 16).size()));
}

}  // namespace
}  // namespace htvm
