// Accelerator weight streams: bytes worked out by hand from docs/ACCELERATOR_FORMATS.md.
#include "backends/analog/analog.h"
#include "backends/digital/digital_streams.h"

#include <gtest/gtest.h>

namespace htvm {
namespace {

Node layer(Graph& g, OpKind op, Shape ws, std::vector<double> w, std::vector<double> b,
           std::map<std::string, AttrValue> attrs) {
  Node n;
  n.name = "layer";
  n.op = op;
  n.inputs = {-1, g.addConstant("w", {DType::I8, ws}, std::move(w))};
  if (!b.empty()) {
    int64_t k = static_cast<int64_t>(b.size());
    n.inputs.push_back(g.addConstant("b", {DType::I32, {k}}, std::move(b)));
  }
  n.attrs = std::move(attrs);
  return n;
}

TEST(AccelStreams, ConvBlockHoldsWeightsThenBiasBytePlanesWordReversed) {
  Graph g;
  Node n = layer(g, OpKind::QConv2D, {2, 1, 1, 1}, {3, -4}, {258, -1}, {{"group", int64_t{1}}});
  std::vector<int8_t> s = digitalConvStream(g, n);
  ASSERT_EQ(s.size(), 80u);  // one block: 16 weights + 64 bias bytes
  // plain[0..3] = {3, -4, 0, 0} stored reversed
  EXPECT_EQ(s[0], 0);
  EXPECT_EQ(s[2], -4);
  EXPECT_EQ(s[3], 3);
  // bias byte 0 plane: {0x02, 0xff, 0, 0} -> reversed
  EXPECT_EQ(s[18], -1);
  EXPECT_EQ(s[19], 2);
  // bias byte 1 plane: {0x01, 0xff, ...}
  EXPECT_EQ(s[34], -1);
  EXPECT_EQ(s[35], 1);
  // bias byte 3 plane: {0x00, 0xff, ...}
  EXPECT_EQ(s[66], -1);
  EXPECT_EQ(s[67], 0);
}

TEST(AccelStreams, ConvWithMoreThanSixteenOutputsUsesTwoBlocks) {
  Graph g;
  std::vector<double> w(17 * 2, 1.0);
  Node n = layer(g, OpKind::QConv2D, {17, 2, 1, 1}, w, {}, {{"group", int64_t{1}}});
  EXPECT_EQ(digitalConvStream(g, n).size(), 2u * (16 * 2 + 64));
}

TEST(AccelStreams, DepthwiseHasOneBlockPerChannelWithTheWeightInSlotZero) {
  Graph g;
  Node n = layer(g, OpKind::QConv2D, {2, 1, 1, 1}, {5, -6}, {1, 2}, {{"group", int64_t{2}}});
  std::vector<int8_t> s = digitalConvStream(g, n);
  ASSERT_EQ(s.size(), 160u);
  EXPECT_EQ(s[3], 5);    // channel 0 slot 0
  EXPECT_EQ(s[19], 1);   // channel 0 bias byte 0
  EXPECT_EQ(s[83], -6);  // channel 1 block starts at 80
  EXPECT_EQ(s[99], 2);
  for (int i : {0, 1, 2, 4, 80, 81, 82}) EXPECT_EQ(s[static_cast<size_t>(i)], 0) << i;
}

TEST(AccelStreams, DenseBlocksThenOneWideBiasSlotPerOutput) {
  for (int64_t tb : {1, 0}) {
    Graph g;
    std::vector<double> w = tb ? std::vector<double>{1, 2, 3, 4, 5, 6} : std::vector<double>{1, 4, 2, 5, 3, 6};
    Shape ws = tb ? Shape{2, 3} : Shape{3, 2};
    Node n = layer(g, OpKind::QDense, ws, w, {7, -8}, {{"trans_b", tb}});
    std::vector<int8_t> s = digitalDenseStream(g, n);
    ASSERT_EQ(s.size(), 512u) << "trans_b " << tb;
    EXPECT_EQ(s[1], 3);
    EXPECT_EQ(s[3], 1);
    EXPECT_EQ(s[17], 6);
    EXPECT_EQ(s[19], 4);
    EXPECT_EQ(s[259], 7);
    EXPECT_EQ(s[272], -1);
    EXPECT_EQ(s[275], -8);
  }
}

TEST(AccelStreams, AnalogArrayIsRowsOfInputTapsByOutputChannels) {
  Graph g;
  Node n = layer(g, OpKind::AnalogConv2D, {2, 1, 1, 2}, {1, -1, 0, 1}, {}, {});
  EXPECT_EQ(analogArray(g, n), (std::vector<int8_t>{1, 0, -1, 1}));
}

}  // namespace
}  // namespace htvm
