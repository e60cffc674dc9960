// The ONNX frontend on the nine shared Quantlib models and on small models built here, one per
// mapping rule. Expected values come from the ONNX files themselves (read with protobuf in the
// test) or from the ONNX operator spec, never from the importer.
#include "frontend/onnx/onnx_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <fstream>
#include <map>
#include <sstream>

#include "frontend/onnx/onnx_tensor.h"
#include "ir/verify.h"
#include "onnx_model_builder.h"

namespace htvm {
namespace {

using testing::ModelBuilder;
using testing::iota;
using testing::setFloat;
using testing::setInt;
using testing::setInts;
using testing::setString;

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

onnx::ModelProto parseModel(const std::string& path) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(readBytes(path))) << path;
  return m;
}

Shape protoShape(const onnx::ValueInfoProto& v) {
  Shape s;
  for (const auto& d : v.type().tensor_type().shape().dim()) s.push_back(d.dim_value());
  return s;
}

const Node* findNode(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

int countOps(const Graph& g, OpKind k) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == k;
  return c;
}

Graph importOk(const ModelBuilder& b) {
  Result<Graph> r = importOnnxBytes(b.bytes(), "test.onnx");
  if (!r.ok()) ADD_FAILURE() << r.diag().text();
  return r.ok() ? std::move(r).value() : Graph{};
}

// --- The shared Quantlib models -----------------------------------------------------------------

class RealModel : public ::testing::TestWithParam<const char*> {};

TEST_P(RealModel, ImportsVerifiesAndKeepsEveryComputeNode) {
  const std::string path = std::string(HTVM_SHARED_MODELS) + GetParam();
  onnx::ModelProto proto = parseModel(path);
  Result<Graph> r = importOnnx(path);
  ASSERT_TRUE(r.ok()) << r.diag().text();
  const Graph& g = r.value();
  EXPECT_TRUE(verify(g).ok());

  std::map<std::string, int> onnxOps;
  for (const auto& n : proto.graph().node()) ++onnxOps[n.op_type()];
  EXPECT_EQ(countOps(g, OpKind::Conv2D), onnxOps["Conv"]);
  EXPECT_EQ(countOps(g, OpKind::Dense), onnxOps["Gemm"] + onnxOps["MatMul"]);
  EXPECT_EQ(countOps(g, OpKind::Floor), onnxOps["Floor"]);
  EXPECT_EQ(countOps(g, OpKind::Div), onnxOps["Div"]);
  EXPECT_EQ(countOps(g, OpKind::Add), onnxOps["Add"]);
  EXPECT_EQ(countOps(g, OpKind::GlobalAvgPool), onnxOps["GlobalAveragePool"]);
  EXPECT_EQ(countOps(g, OpKind::Reshape), onnxOps["Flatten"] + onnxOps["Reshape"]);

  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.type(g.inputs[0]).shape, protoShape(proto.graph().input(0)));
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.type(g.outputs[0]).shape, protoShape(proto.graph().output(0)));
  for (TensorId t : g.inputs) EXPECT_EQ(g.type(t).dtype, DType::F32);

  // Every IR node carries its ONNX node's name and op type.
  std::map<std::string, std::string> onnxNames;
  for (const auto& n : proto.graph().node()) onnxNames[n.name()] = n.op_type();
  for (const Node& n : g.nodes) {
    ASSERT_TRUE(onnxNames.count(n.name)) << n.name;
    EXPECT_EQ(n.sourceOp, onnxNames[n.name]);
  }
}

INSTANTIATE_TEST_SUITE_P(Quantlib, RealModel,
                         ::testing::Values("/resnet8/ResNet_QL_NOANNOTATION.onnx",
                                           "/resnet8/analog/ResNet_QL_NOANNOTATION.onnx",
                                           "/dscnn/DSCNN_QL_NOANNOTATION.onnx",
                                           "/dscnn/analog/DSCNN_QL_NOANNOTATION.onnx",
                                           "/mobilenetv1/MobileNet_QL_NOANNOTATION.onnx",
                                           "/mobilenetv1/analog/MobileNet_QL_NOANNOTATION.onnx",
                                           "/resnet20/ResNet_QL_NOANNOTATION.onnx",
                                           "/resnet20/analog/ResNet_QL_NOANNOTATION.onnx",
                                           "/dae/DAE_QL_NOANNOTATION.onnx"));

TEST(RealModels, ResNet8ShapesFirstConvAndWeights) {
  const std::string path = std::string(HTVM_SHARED_MODELS) + "/resnet8/ResNet_QL_NOANNOTATION.onnx";
  onnx::ModelProto proto = parseModel(path);
  Result<Graph> r = importOnnx(path);
  ASSERT_TRUE(r.ok()) << r.diag().text();
  const Graph& g = r.value();
  EXPECT_EQ(g.type(g.inputs[0]).shape, (Shape{1, 3, 32, 32}));
  EXPECT_EQ(g.type(g.outputs[0]).shape, (Shape{1, 12}));

  const onnx::NodeProto* conv = nullptr;
  for (const auto& n : proto.graph().node())
    if (!conv && n.op_type() == "Conv") conv = &n;
  ASSERT_NE(conv, nullptr);
  const Node* c = findNode(g, conv->name());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->op, OpKind::Conv2D);
  std::map<std::string, Ints> attrs;
  for (const auto& a : conv->attribute()) attrs[a.name()] = Ints(a.ints().begin(), a.ints().end());
  EXPECT_EQ(c->attrInts("strides"), attrs["strides"]);
  EXPECT_EQ(c->attrInts("pads"), attrs["pads"]);
  EXPECT_EQ(c->attrInts("dilations"), attrs["dilations"]);
  EXPECT_EQ(c->attrInts("strides"), (Ints{1, 1}));
  EXPECT_EQ(c->attrInts("pads"), (Ints{1, 1, 1, 1}));
  EXPECT_EQ(c->attrInt("group"), 1);
  EXPECT_EQ(g.type(c->outputs[0]).shape, (Shape{1, 16, 32, 32}));

  // Weights and bias are f32 constants holding the file's raw_data exactly.
  ASSERT_EQ(c->inputs.size(), 3u);
  const Tensor& w = g.tensor(c->inputs[1]);
  ASSERT_TRUE(w.isConstant());
  EXPECT_EQ(w.name, conv->input(1));
  EXPECT_EQ(w.type, (TensorType{DType::F32, {16, 3, 3, 3}}));
  const onnx::TensorProto* winit = nullptr;
  for (const auto& t : proto.graph().initializer())
    if (t.name() == conv->input(1)) winit = &t;
  ASSERT_NE(winit, nullptr);
  ASSERT_EQ(winit->raw_data().size(), w.data->size() * sizeof(float));
  for (size_t i = 0; i < w.data->size(); ++i) {
    float f;
    std::memcpy(&f, winit->raw_data().data() + i * sizeof(float), sizeof(float));
    ASSERT_EQ((*w.data)[i], static_cast<double>(f)) << "weight " << i;
  }
  EXPECT_EQ((*w.data)[0], 4.0);
  EXPECT_EQ((*w.data)[2], -30.0);
  EXPECT_EQ(g.tensor(c->inputs[2]).type.shape, (Shape{16}));
}

TEST(RealModels, DscnnFirstConvAndFlatten) {
  Result<Graph> r = importOnnx(std::string(HTVM_SHARED_MODELS) + "/dscnn/DSCNN_QL_NOANNOTATION.onnx");
  ASSERT_TRUE(r.ok()) << r.diag().text();
  const Graph& g = r.value();
  const Node* c = findNode(g, "/EpsQConv2dEpsDianaIntegeriser[9]/Conv");
  ASSERT_NE(c, nullptr);
  // 10x4 kernel, stride 2, pads [5,1,5,1] on 1x1x10x49: (10+10-10)/2+1 = 6, (49+2-4)/2+1 = 24.
  EXPECT_EQ(c->attrInts("pads"), (Ints{5, 1, 5, 1}));
  EXPECT_EQ(c->attrInts("strides"), (Ints{2, 2}));
  EXPECT_EQ(g.type(c->outputs[0]).shape, (Shape{1, 64, 6, 24}));
  const Node* flat = findNode(g, "/net.29/Flatten");
  ASSERT_NE(flat, nullptr);
  EXPECT_EQ(flat->op, OpKind::Reshape);
  EXPECT_EQ(flat->attrInts("shape"), (Ints{1, 64}));
  // Depthwise convs keep their group.
  const Node* dw = findNode(g, "/EpsQConv2dEpsDianaIntegeriser[8]/Conv");
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->attrInt("group"), 64);
}

// --- Conv ---------------------------------------------------------------------------------------

ModelBuilder convModel(const std::string& autoPad, int64_t size, int64_t stride) {
  ModelBuilder b;
  b.input("x", {1, 1, size, size}).output("y", 4).init("w", {2, 1, 3, 3}, iota(18));
  auto& n = b.node("Conv", {"x", "w"}, {"y"}, "conv");
  if (!autoPad.empty()) setString(n, "auto_pad", autoPad);
  setInts(n, "strides", {stride, stride});
  return b;
}

TEST(ConvMapping, DefaultsFollowTheOnnxSpec) {
  ModelBuilder b;
  b.input("x", {1, 1, 6, 6}).output("y", 4).init("w", {2, 1, 3, 3}, iota(18));
  b.node("Conv", {"x", "w"}, {"y"}, "conv");
  Graph g = importOk(b);
  const Node* c = findNode(g, "conv");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->sourceOp, "Conv");
  EXPECT_EQ(c->inputs.size(), 2u);
  EXPECT_EQ(c->attrInts("strides"), (Ints{1, 1}));
  EXPECT_EQ(c->attrInts("pads"), (Ints{0, 0, 0, 0}));
  EXPECT_EQ(c->attrInts("dilations"), (Ints{1, 1}));
  EXPECT_EQ(c->attrInt("group"), 1);
  EXPECT_EQ(g.type(c->outputs[0]).shape, (Shape{1, 2, 4, 4}));
}

TEST(ConvMapping, AutoPadBecomesExplicitPads) {
  // 6 wide, stride 2, kernel 3: output ceil(6/2) = 3 needs (3-1)*2+3-6 = 1 pad; UPPER puts it at
  // the end (bottom/right), LOWER at the beginning (top/left).
  Graph upper = importOk(convModel("SAME_UPPER", 6, 2));
  ASSERT_FALSE(upper.nodes.empty());
  EXPECT_EQ(upper.nodes[0].attrInts("pads"), (Ints{0, 0, 1, 1}));
  EXPECT_EQ(upper.type(upper.outputs[0]).shape, (Shape{1, 2, 3, 3}));
  Graph lower = importOk(convModel("SAME_LOWER", 6, 2));
  ASSERT_FALSE(lower.nodes.empty());
  EXPECT_EQ(lower.nodes[0].attrInts("pads"), (Ints{1, 1, 0, 0}));
  // 5 wide, stride 1: total pad 2, split evenly.
  Graph same = importOk(convModel("SAME_UPPER", 5, 1));
  ASSERT_FALSE(same.nodes.empty());
  EXPECT_EQ(same.nodes[0].attrInts("pads"), (Ints{1, 1, 1, 1}));
  EXPECT_EQ(same.type(same.outputs[0]).shape, (Shape{1, 2, 5, 5}));
  Graph valid = importOk(convModel("VALID", 6, 2));
  ASSERT_FALSE(valid.nodes.empty());
  EXPECT_EQ(valid.nodes[0].attrInts("pads"), (Ints{0, 0, 0, 0}));
  EXPECT_EQ(valid.type(valid.outputs[0]).shape, (Shape{1, 2, 2, 2}));
}

TEST(ConvMapping, KeepsBiasGroupDilationsAndAsymmetricPads) {
  ModelBuilder b;
  b.input("x", {1, 4, 9, 9}).output("y", 4).init("w", {4, 1, 3, 3}, iota(36)).init("b", {4}, {1, 2, 3, 4});
  auto& n = b.node("Conv", {"x", "w", "b"}, {"y"}, "dw");
  setInt(n, "group", 4);
  setInts(n, "dilations", {2, 1});
  setInts(n, "pads", {0, 1, 2, 3});
  setInts(n, "kernel_shape", {3, 3});
  Graph g = importOk(b);
  ASSERT_EQ(g.nodes.size(), 1u);
  const Node& c = g.nodes[0];
  EXPECT_EQ(c.attrInt("group"), 4);
  EXPECT_EQ(c.attrInts("dilations"), (Ints{2, 1}));
  EXPECT_EQ(c.attrInts("pads"), (Ints{0, 1, 2, 3}));
  ASSERT_EQ(c.inputs.size(), 3u);
  EXPECT_EQ(*g.tensor(c.inputs[2]).data, (std::vector<double>{1, 2, 3, 4}));
  // H: 9+0+2 - (2*2+1) + 1 = 7; W: 9+1+3 - 3 + 1 = 11.
  EXPECT_EQ(g.type(g.outputs[0]).shape, (Shape{1, 4, 7, 11}));
}

// --- Gemm / MatMul ------------------------------------------------------------------------------

TEST(GemmMapping, RowBiasIsReshapedToOneDimension) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y", 2).init("w", {3, 4}, iota(12)).init("c", {1, 3}, {7, 8, 9});
  setInt(b.node("Gemm", {"x", "w", "c"}, {"y"}, "fc"), "transB", 1);
  Graph g = importOk(b);
  ASSERT_EQ(g.nodes.size(), 1u);
  const Node& d = g.nodes[0];
  EXPECT_EQ(d.op, OpKind::Dense);
  EXPECT_EQ(d.attrInt("trans_b"), 1);
  ASSERT_EQ(d.inputs.size(), 3u);
  EXPECT_EQ(g.type(d.inputs[2]).shape, (Shape{3}));
  EXPECT_EQ(*g.tensor(d.inputs[2]).data, (std::vector<double>{7, 8, 9}));
  EXPECT_EQ(g.type(g.outputs[0]).shape, (Shape{1, 3}));
}

TEST(GemmMapping, ScalarBiasIsBroadcastAndTransBDefaultsToZero) {
  ModelBuilder b;
  b.input("x", {2, 4}).output("y", 2).init("w", {4, 3}, iota(12)).init("c", {}, {0.5f});
  b.node("Gemm", {"x", "w", "c"}, {"y"}, "fc");
  Graph g = importOk(b);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].attrInt("trans_b"), 0);
  EXPECT_EQ(*g.tensor(g.nodes[0].inputs[2]).data, (std::vector<double>{0.5, 0.5, 0.5}));
  EXPECT_EQ(g.type(g.outputs[0]).shape, (Shape{2, 3}));
}

TEST(MatMulMapping, ConstantWeightsBecomeDenseWithoutBias) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y", 2).init("w", {4, 5}, iota(20));
  b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  Graph g = importOk(b);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Dense);
  EXPECT_EQ(g.nodes[0].attrInt("trans_b"), 0);
  EXPECT_EQ(g.nodes[0].inputs.size(), 2u);
  EXPECT_EQ(g.type(g.outputs[0]).shape, (Shape{1, 5}));
}

// --- Elementwise --------------------------------------------------------------------------------

TEST(ElementwiseMapping, VariadicMaxBecomesAChainAndBinaryOpsBroadcast) {
  ModelBuilder b;
  b.input("x", {1, 2, 3, 3}).input("z", {1, 2, 3, 3}).output("y", 4);
  b.init("k", {1, 2, 1, 1}, {1, 2});
  b.node("Max", {"x", "k", "z"}, {"m"}, "max3");
  b.node("Sub", {"m", "k"}, {"s"}, "sub");
  b.node("Mul", {"s", "k"}, {"p"}, "mul");
  b.node("Div", {"p", "k"}, {"d"}, "div");
  b.node("Min", {"d", "k"}, {"y"}, "min");
  Graph g = importOk(b);
  ASSERT_EQ(g.nodes.size(), 6u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Max);
  EXPECT_EQ(g.nodes[1].op, OpKind::Max);
  EXPECT_EQ(g.nodes[1].name, "max3");
  EXPECT_EQ(g.nodes[1].inputs[0], g.nodes[0].outputs[0]);
  EXPECT_EQ(g.tensor(g.nodes[1].outputs[0]).name, "m");
  EXPECT_EQ(g.nodes[2].op, OpKind::Sub);
  EXPECT_EQ(g.nodes[3].op, OpKind::Mul);
  EXPECT_EQ(g.nodes[4].op, OpKind::Div);
  EXPECT_EQ(g.nodes[5].op, OpKind::Min);
  EXPECT_EQ(g.type(g.outputs[0]).shape, (Shape{1, 2, 3, 3}));
}

TEST(ElementwiseMapping, ReluAndClipBecomeClipWithBounds) {
  const double inf = std::numeric_limits<double>::infinity();
  ModelBuilder b13(13);
  b13.input("x", {1, 4}).output("y", 2).output("z", 2).init("lo", {}, {-3.0f});
  b13.node("Relu", {"x"}, {"r"}, "relu");
  b13.node("Clip", {"r", "lo"}, {"y"}, "clip_lo");  // max absent: +inf
  b13.node("Clip", {"x", "", "lo"}, {"z"}, "clip_hi");
  Graph g = importOk(b13);
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Clip);
  EXPECT_EQ(g.nodes[0].attrFloat("lo"), 0.0);
  EXPECT_EQ(g.nodes[0].attrFloat("hi"), inf);
  EXPECT_EQ(g.nodes[1].attrFloat("lo"), -3.0);
  EXPECT_EQ(g.nodes[1].attrFloat("hi"), inf);
  EXPECT_EQ(g.nodes[2].attrFloat("lo"), -inf);
  EXPECT_EQ(g.nodes[2].attrFloat("hi"), -3.0);
  EXPECT_FALSE(g.findTensor("lo").has_value()) << "Clip bounds are read, not turned into tensors";

  ModelBuilder b10(10);
  b10.input("x", {1, 4}).output("y", 2);
  auto& c = b10.node("Clip", {"x"}, {"y"}, "clip10");
  setFloat(c, "min", -128.0f);
  setFloat(c, "max", 127.0f);
  Graph g10 = importOk(b10);
  ASSERT_EQ(g10.nodes.size(), 1u);
  EXPECT_EQ(g10.nodes[0].attrFloat("lo"), -128.0);
  EXPECT_EQ(g10.nodes[0].attrFloat("hi"), 127.0);
}

// --- Shapes, Identity, Constant -----------------------------------------------------------------

TEST(ShapeMapping, ReshapeCopiesZeroInfersMinusOneAndReadsTheShapeConstant) {
  ModelBuilder b;
  b.input("x", {2, 4, 2, 3}).output("y", 3).output("f", 2).initInt64("shape", {3}, {0, -1, 3});
  b.node("Reshape", {"x", "shape"}, {"y"}, "reshape");
  setInt(b.node("Flatten", {"x"}, {"f"}, "flatten"), "axis", 2);
  Graph g = importOk(b);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Reshape);
  EXPECT_EQ(g.nodes[0].attrInts("shape"), (Ints{2, 8, 3}));
  EXPECT_EQ(g.nodes[1].op, OpKind::Reshape);
  EXPECT_EQ(g.nodes[1].attrInts("shape"), (Ints{8, 6}));
  EXPECT_FALSE(g.findTensor("shape").has_value()) << "shape operands are read, not turned into tensors";
}

TEST(ShapeMapping, GlobalAveragePoolIdentityAndConstant) {
  ModelBuilder b;
  b.input("x", {1, 3, 4, 4}).output("y", 4);
  auto& k = b.node("Constant", {}, {"k"}, "const");
  auto* a = k.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_float_data(2.0f);
  b.node("Identity", {"x"}, {"xi"}, "id");
  b.node("GlobalAveragePool", {"xi"}, {"p"}, "gap");
  b.node("Identity", {"k"}, {"ki"}, "");
  b.node("Mul", {"p", "ki"}, {"y"}, "");
  Graph g = importOk(b);
  ASSERT_EQ(g.nodes.size(), 2u) << "Identity and Constant add no nodes";
  EXPECT_EQ(g.nodes[0].op, OpKind::GlobalAvgPool);
  EXPECT_EQ(g.nodes[0].inputs[0], g.inputs[0]);
  EXPECT_EQ(g.type(g.nodes[0].outputs[0]).shape, (Shape{1, 3, 1, 1}));
  EXPECT_EQ(g.nodes[1].name, "Mul_4") << "unnamed nodes are named <OpType>_<index>";
  const Tensor& two = g.tensor(g.nodes[1].inputs[1]);
  ASSERT_TRUE(two.isConstant());
  EXPECT_EQ(*two.data, (std::vector<double>{2.0}));
  EXPECT_EQ(two.type.shape, Shape{});
}

TEST(ShapeMapping, InitializerListedAsGraphInputIsAConstant) {
  // IR version 3 style: every initializer is also a graph input.
  ModelBuilder b;
  b.proto().set_ir_version(3);
  b.input("x", {1, 4}).input("k", {1, 4}).output("y", 2).init("k", {1, 4}, {1, 2, 3, 4});
  b.node("Add", {"x", "k"}, {"y"}, "add");
  Graph g = importOk(b);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.tensor(g.inputs[0]).name, "x");
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_TRUE(g.tensor(g.nodes[0].inputs[1]).isConstant());
  EXPECT_EQ(*g.tensor(g.nodes[0].inputs[1]).data, (std::vector<double>{1, 2, 3, 4}));
}

// --- Initializer decoding -----------------------------------------------------------------------

template <typename T>
std::string rawOf(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

onnx::TensorProto tensorProto(int32_t type, std::vector<int64_t> dims) {
  onnx::TensorProto t;
  t.set_name("t");
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  return t;
}

TEST(InitializerDecoding, RawDataOfEverySupportedType) {
  auto decode = [](onnx::TensorProto t) {
    Result<ConstTensor> r = decodeTensor(t, "initializer 't'");
    if (!r.ok()) ADD_FAILURE() << r.diag().text();
    return r.ok() ? r.value().values : std::vector<double>{};
  };
  onnx::TensorProto t = tensorProto(onnx::TensorProto::FLOAT, {2});
  t.set_raw_data(rawOf(std::vector<float>{1.5f, -2.25f}));
  EXPECT_EQ(decode(t), (std::vector<double>{1.5, -2.25}));
  t = tensorProto(onnx::TensorProto::DOUBLE, {2});
  t.set_raw_data(rawOf(std::vector<double>{0.1, -3.0}));
  EXPECT_EQ(decode(t), (std::vector<double>{0.1, -3.0}));
  t = tensorProto(onnx::TensorProto::INT32, {2});
  t.set_raw_data(rawOf(std::vector<int32_t>{-70000, 5}));
  EXPECT_EQ(decode(t), (std::vector<double>{-70000, 5}));
  t = tensorProto(onnx::TensorProto::INT64, {1, 2});
  t.set_raw_data(rawOf(std::vector<int64_t>{-1, int64_t{1} << 40}));
  EXPECT_EQ(decode(t), (std::vector<double>{-1, 1099511627776.0}));
  t = tensorProto(onnx::TensorProto::INT8, {3});
  t.set_raw_data(rawOf(std::vector<int8_t>{-128, 0, 127}));
  EXPECT_EQ(decode(t), (std::vector<double>{-128, 0, 127}));
  t = tensorProto(onnx::TensorProto::UINT8, {2});
  t.set_raw_data(rawOf(std::vector<uint8_t>{0, 255}));
  EXPECT_EQ(decode(t), (std::vector<double>{0, 255}));
}

TEST(InitializerDecoding, TypedFieldsOfEverySupportedType) {
  auto decode = [](const onnx::TensorProto& t) {
    Result<ConstTensor> r = decodeTensor(t, "initializer 't'");
    if (!r.ok()) ADD_FAILURE() << r.diag().text();
    return r.ok() ? r.value().values : std::vector<double>{};
  };
  onnx::TensorProto t = tensorProto(onnx::TensorProto::FLOAT, {2});
  t.add_float_data(0.25f);
  t.add_float_data(-1.0f);
  EXPECT_EQ(decode(t), (std::vector<double>{0.25, -1.0}));
  t = tensorProto(onnx::TensorProto::DOUBLE, {1});
  t.add_double_data(1e-3);
  EXPECT_EQ(decode(t), (std::vector<double>{1e-3}));
  t = tensorProto(onnx::TensorProto::INT64, {});
  t.add_int64_data(-42);
  EXPECT_EQ(decode(t), (std::vector<double>{-42}));
  for (int32_t type : {onnx::TensorProto::INT32, onnx::TensorProto::INT8, onnx::TensorProto::UINT8}) {
    t = tensorProto(type, {2});
    t.add_int32_data(7);
    t.add_int32_data(100);
    EXPECT_EQ(decode(t), (std::vector<double>{7, 100})) << onnxTypeName(type);
  }
}

TEST(InitializerDecoding, RejectsOtherTypesAndMismatchedSizes) {
  onnx::TensorProto half = tensorProto(onnx::TensorProto::FLOAT16, {2});
  half.set_raw_data(std::string(4, '\0'));
  Result<ConstTensor> r = decodeTensor(half, "initializer 'h'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(),
            "initializer 'h' has element type float16; supported are float32, double, int32, int64, int8 and uint8");

  onnx::TensorProto shortRaw = tensorProto(onnx::TensorProto::FLOAT, {2, 3});
  shortRaw.set_raw_data(std::string(20, '\0'));
  r = decodeTensor(shortRaw, "initializer 'w'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), "initializer 'w' of shape 2x3 and type float32 needs 24 bytes of raw_data, has 20");

  onnx::TensorProto fewValues = tensorProto(onnx::TensorProto::INT64, {4});
  fewValues.add_int64_data(1);
  r = decodeTensor(fewValues, "initializer 's'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), "initializer 's' of shape 4 needs 4 values, has 1");

  onnx::TensorProto negative = tensorProto(onnx::TensorProto::FLOAT, {3, -1});
  r = decodeTensor(negative, "initializer 'n'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), "initializer 'n' has dimension -1 at index 1; dimensions must be positive");

  onnx::TensorProto external = tensorProto(onnx::TensorProto::FLOAT, {1});
  external.set_data_location(onnx::TensorProto::EXTERNAL);
  r = decodeTensor(external, "initializer 'e'");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().text().find("external file"), std::string::npos);
}

TEST(InitializerDecoding, HugeDimsFailBeforeAnyAllocation) {
  // 2^62 * 4 elements overflow int64; 1x3x100000x100000 floats is 120 GB.
  onnx::TensorProto t = tensorProto(onnx::TensorProto::FLOAT, {int64_t{1} << 62, 4});
  Result<ConstTensor> r = decodeTensor(t, "initializer 'big'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), "initializer 'big' of shape 4611686018427387904x4 needs more than 2^63 bytes, more "
                              "than the limit of 2147483648 bytes");
  t = tensorProto(onnx::TensorProto::FLOAT, {1, 3, 100000, 100000});
  r = decodeTensor(t, "initializer 'big'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), "initializer 'big' of shape 1x3x100000x100000 needs 120000000000 bytes, more than "
                              "the limit of 2147483648 bytes");
}

}  // namespace
}  // namespace htvm
