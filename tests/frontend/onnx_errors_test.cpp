// Every way an ONNX file can be wrong for htvm, each pinned to its message: unreadable files,
// non-ONNX and damaged bytes, models the ONNX checker or shape inference rejects, unsupported
// nodes (all listed in one message), and shapes or types htvm cannot take. Damaged copies of a
// real model must import or fail with a message, never crash or hang.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "frontend/onnx/onnx_import.h"
#include "ir/verify.h"
#include "onnx_model_builder.h"

namespace htvm {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::ModelBuilder;
using testing::iota;
using testing::setInt;
using testing::setFloat;
using testing::setString;

const std::string kResNet8 = std::string(HTVM_SHARED_MODELS) + "/resnet8/ResNet_QL_NOANNOTATION.onnx";

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string tempFile(const std::string& name, const std::string& contents) {
  std::string path = ::testing::TempDir() + "htvm_frontend_" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

std::string importError(const std::string& bytes) {
  Result<Graph> r = importOnnxBytes(bytes, "bad.onnx");
  if (r.ok()) {
    ADD_FAILURE() << "import succeeded unexpectedly";
    return "";
  }
  return r.diag().text();
}

std::string importError(const ModelBuilder& b) { return importError(b.bytes()); }

// --- Files and bytes ----------------------------------------------------------------------------

TEST(FileErrors, MissingFileDirectoryAndEmptyFile) {
  Result<Graph> r = importOnnx("/nonexistent/dir/model.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), "/nonexistent/dir/model.onnx: no such file");

  std::string dir = ::testing::TempDir();
  r = importOnnx(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), dir + ": is a directory, not an ONNX file");

  std::string empty = tempFile("empty.onnx", "");
  r = importOnnx(empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().text(), empty + ": file is empty (0 bytes), not an ONNX model");
}

TEST(FileErrors, TextFileIsNotAnOnnxModel) {
  std::string text = tempFile("notes.onnx", "This is a text file, not a model.\nSecond line: 1, 2, 3\n");
  Result<Graph> r = importOnnx(text);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.diag().text(), StartsWith(text + ": not an ONNX model"));
  EXPECT_THAT(importError("{\"model\": \"json\"}"), StartsWith("bad.onnx: not an ONNX model"));
  EXPECT_THAT(importError(std::string("\x08\x07\x12\x04test", 8)), HasSubstr("not an ONNX model: no graph"));
}

TEST(FileErrors, TruncatedCopiesOfARealModel) {
  const std::string bytes = readBytes(kResNet8);
  ASSERT_GT(bytes.size(), 100000u);
  for (size_t cut : {size_t{3}, size_t{40}, bytes.size() / 4, bytes.size() / 2, bytes.size() * 9 / 10,
                     bytes.size() - 1}) {
    std::string path = tempFile("cut.onnx", bytes.substr(0, cut));
    Result<Graph> r = importOnnx(path);
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_THAT(r.diag().text(), StartsWith(path + ": truncated ONNX model")) << "cut at " << cut;
  }
}

// A file cut inside a varint (a field's value or its length) has no byte count to report; the
// message says where it ends instead. Bytes by hand: 0x08 is field 1 (ir_version), wire type 0,
// with no value byte; 0x3a is field 7 (graph), wire type 2, and 0x80 starts a length varint
// whose continuation bit promises a byte that is missing.
TEST(FileErrors, TruncationInsideAVarintNamesTheField) {
  EXPECT_EQ(importError(std::string("\x08", 1)),
            "bad.onnx: truncated ONNX model: file ends inside field 'ir_version' at byte 0");
  EXPECT_EQ(importError(std::string("\x08\x07\x3a\x80", 4)),
            "bad.onnx: truncated ONNX model: file ends inside field 'graph' at byte 2");
  // A complete length larger than what follows keeps the byte counts: 0x3a 0x05 announces 5
  // bytes of graph and 2 follow.
  EXPECT_EQ(importError(std::string("\x3a\x05\x00\x00", 4)),
            "bad.onnx: truncated ONNX model: field 'graph' at byte 0 needs 5 bytes but the file has 2 "
            "left");
}

// Bit flips land mostly in weights (which import fine) and sometimes in structure (a Diag). Either
// outcome is acceptable; a crash, hang or exception is not.
void expectImportOrDiag(const std::string& bytes, const std::string& what) {
  Result<Graph> r = importOnnxBytes(bytes, "flipped.onnx");
  if (r.ok()) {
    EXPECT_TRUE(verify(r.value()).ok()) << what;
  } else {
    EXPECT_THAT(r.diag().text(), StartsWith("flipped.onnx: ")) << what;
    EXPECT_GT(r.diag().text().size(), std::string("flipped.onnx: ").size()) << what;
  }
}

TEST(FileErrors, BitFlippedRealModelImportsOrFailsCleanly) {
  const std::string bytes = readBytes(kResNet8);
  std::mt19937 rng(1234);
  int failures = 0;
  for (int trial = 0; trial < 60; ++trial) {
    std::string copy = bytes;
    int flips = 1 + trial % 8;
    for (int f = 0; f < flips; ++f) {
      size_t at = std::uniform_int_distribution<size_t>(0, copy.size() - 1)(rng);
      copy[at] = static_cast<char>(copy[at] ^ (1 << (rng() % 8)));
    }
    expectImportOrDiag(copy, "trial " + std::to_string(trial));
    failures += importOnnxBytes(copy, "x").ok() ? 0 : 1;
  }
  // The first bytes are all structure: flipping the graph field's tag cannot go unnoticed.
  std::string header = bytes;
  for (size_t at = 0; at < 64; ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      header[at] = static_cast<char>(bytes[at] ^ (1 << bit));
      expectImportOrDiag(header, "byte " + std::to_string(at) + " bit " + std::to_string(bit));
      header[at] = bytes[at];
    }
  }
  RecordProperty("failed_trials", failures);
}

ModelBuilder smallConvNet() {
  ModelBuilder b;
  b.input("x", {1, 2, 6, 6}).output("y", 2);
  b.init("w", {3, 2, 3, 3}, iota(54)).init("b", {3}, {1, 2, 3}).init("k", {}, {4.0f});
  b.init("fw", {2, 48}, iota(96)).init("fb", {2}, {0.5f, -0.5f});
  b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  b.node("Div", {"c", "k"}, {"d"}, "div");
  b.node("Floor", {"d"}, {"f"}, "floor");
  b.node("Flatten", {"f"}, {"flat"}, "flatten");
  setInt(b.node("Gemm", {"flat", "fw", "fb"}, {"y"}, "fc"), "transB", 1);
  return b;
}

TEST(FileErrors, EveryBitFlipOfASmallModelImportsOrFailsCleanly) {
  // Few weights here, so most flips hit names, dims, attributes, types and field tags.
  const std::string bytes = smallConvNet().bytes();
  ASSERT_TRUE(importOnnxBytes(bytes, "small.onnx").ok());
  std::string copy = bytes;
  for (size_t at = 0; at < copy.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      copy[at] = static_cast<char>(bytes[at] ^ (1 << bit));
      expectImportOrDiag(copy, "byte " + std::to_string(at) + " bit " + std::to_string(bit));
      copy[at] = bytes[at];
    }
  }
}

// --- ONNX checker and shape inference -----------------------------------------------------------

TEST(ModelErrors, CheckerFailureCarriesTheCheckersMessage) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y", 2);
  b.node("NoSuchOp", {"x"}, {"y"}, "mystery");
  EXPECT_THAT(importError(b), AllOf(StartsWith("bad.onnx: onnx checker failed: "), HasSubstr("NoSuchOp")));
}

void declare(onnx::ValueInfoProto* vi, const std::string& name, const std::vector<int64_t>& dims) {
  vi->set_name(name);
  vi->clear_type();
  auto* t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
}

TEST(ModelErrors, DeclaredShapesMustMatchTheGraph) {
  // The file declares 'r' as 1x5 while Relu of a 1x4 input makes it 1x4.
  ModelBuilder b;
  b.input("x", {1, 4}).output("y", 2);
  declare(b.graph().add_value_info(), "r", {1, 5});
  b.node("Relu", {"x"}, {"r"}, "relu");
  b.node("Floor", {"r"}, {"y"}, "floor");
  EXPECT_EQ(importError(b), "bad.onnx: node 'relu' (Relu): the model declares 1x5 for 'r' but htvm's clip rule gives 1x4");

  ModelBuilder out;
  out.input("x", {1, 4}).output("y", 2);
  declare(out.graph().mutable_output(0), "y", {4, 1});
  out.node("Floor", {"x"}, {"y"}, "floor");
  EXPECT_EQ(importError(out), "bad.onnx: node 'floor' (Floor): the model declares 4x1 for 'y' but htvm's floor rule gives 1x4");

  // A graph output that passes a graph input through, declared with another rank (a bit flip
  // that once crashed ONNX shape inference).
  ModelBuilder pass;
  pass.input("x", {1, 2, 6, 6}).output("x", 2).init("w", {3, 2, 3, 3}, iota(54));
  pass.node("Conv", {"x", "w"}, {"c"}, "conv");
  EXPECT_EQ(importError(pass), "bad.onnx: the model declares ?x? for 'x' but htvm has 1x2x6x6");
}

TEST(ModelErrors, BroadcastMismatchNamesTheNode) {
  ModelBuilder b;
  b.input("x", {1, 3}).input("z", {1, 4}).output("y", 2);
  b.node("Add", {"x", "z"}, {"y"}, "bad_add");
  EXPECT_EQ(importError(b),
            "bad.onnx: node 'bad_add' (Add): add: shapes 1x3 and 1x4 do not broadcast (dimension 1: 3 vs 4)");
}

TEST(ModelErrors, ConvWithMismatchedChannelsNamesTheNode) {
  ModelBuilder b;
  b.input("x", {1, 3, 8, 8}).output("y", 4).init("w", {4, 2, 3, 3}, iota(72));
  b.node("Conv", {"x", "w"}, {"y"}, "conv_bad");
  EXPECT_EQ(importError(b),
            "bad.onnx: node 'conv_bad' (Conv): conv2d: weights expect 2 input channels, input has 3");
}

TEST(ModelErrors, DanglingInputNamesNodeAndValue) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y", 2);
  b.node("Add", {"x", "ghost"}, {"y"}, "adder");
  EXPECT_EQ(importError(b),
            "bad.onnx: node 'adder' (Add): input 'ghost' is not produced by any node, initializer or graph input");
}

TEST(ModelErrors, CycleNamesBothNodes) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y", 2);
  b.node("Add", {"x", "y"}, {"a"}, "first");
  b.node("Relu", {"a"}, {"y"}, "second");
  EXPECT_EQ(importError(b),
            "bad.onnx: node 'first' (Add): input 'y' is produced by later node 'second' (Relu): the graph has "
            "a cycle or is not topologically sorted");
}

TEST(ModelErrors, ValueDefinedTwice) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y", 2);
  b.node("Relu", {"x"}, {"y"}, "r1");
  b.node("Relu", {"x"}, {"y"}, "r2");
  EXPECT_EQ(importError(b),
            "bad.onnx: value 'y' is defined twice: by node 'r1' (Relu) and by node 'r2' (Relu)");
}

TEST(ModelErrors, NoInputsOrNoOutputs) {
  ModelBuilder none;
  none.input("x", {1, 4});
  none.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_EQ(importError(none), "bad.onnx: graph has no outputs");

  ModelBuilder onlyInit;
  onlyInit.output("y", 1).init("w", {2}, {1, 2});
  onlyInit.node("Relu", {"w"}, {"y"}, "r");
  EXPECT_EQ(importError(onlyInit), "bad.onnx: graph has no inputs (other than initializers)");
}

TEST(ModelErrors, OpsetBeforeSevenIsRejected) {
  ModelBuilder b(6);
  b.input("x", {1, 4}).output("y", 2);
  b.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_THAT(importError(b), HasSubstr("opset 6 of the default ONNX domain is not supported (need 7 or later)"));
}

TEST(ModelErrors, OpsetImportedTwiceOrNewerThanOnnxKnows) {
  // A bit flip can turn another domain's import into a second default-domain import, which ONNX
  // would silently prefer.
  ModelBuilder twice;
  twice.input("x", {1, 4}).output("y", 2);
  twice.proto().add_opset_import()->set_version(1);
  twice.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_EQ(importError(twice), "bad.onnx: model imports the default ONNX domain twice (opsets 13 and 1)");

  ModelBuilder future(99);
  future.input("x", {1, 4}).output("y", 2);
  future.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_EQ(importError(future),
            "bad.onnx: opset 99 of the default ONNX domain is newer than the ONNX library knows (up to 17)");
}

// --- Unsupported nodes --------------------------------------------------------------------------

TEST(Unsupported, SoftmaxAndLstmAreListedTogether) {
  ModelBuilder b;
  b.input("x", {1, 1, 4}).output("y", 4);
  b.init("W", {1, 8, 4}, iota(32)).init("R", {1, 8, 2}, iota(16));
  b.node("Relu", {"x"}, {"r"}, "fine_relu");
  b.node("Softmax", {"r"}, {"s"}, "my_softmax");
  setInt(b.node("LSTM", {"s", "W", "R"}, {"y"}, "my_lstm"), "hidden_size", 2);
  EXPECT_EQ(importError(b),
            "bad.onnx: 2 of 3 nodes not supported:\n"
            "  node 'my_softmax' (Softmax): op not supported\n"
            "  node 'my_lstm' (LSTM): op not supported");
}

TEST(Unsupported, AttributeAndOperandReasonsAreListedTogether) {
  ModelBuilder b;
  b.input("x", {2, 4}).input("v", {4, 2}).input("img", {1, 1, 5, 5}).output("y", 2).output("z", 2).output("m", 4);
  b.output("q", 2);
  b.init("w", {2, 4}, iota(8)).init("wc", {1, 1, 3, 3}, iota(9));
  setInt(b.node("Gemm", {"w", "v"}, {"y"}, "gemm_ta"), "transA", 1);
  setFloat(b.node("Gemm", {"x", "v"}, {"ga"}, "gemm_alpha"), "alpha", 0.5f);
  b.node("MatMul", {"x", "v"}, {"z"}, "matmul_dyn");
  setString(b.node("Conv", {"img", "wc"}, {"c"}, "conv_xyz"), "auto_pad", "XYZ");
  b.node("Max", {"c"}, {"m"}, "max_one");
  b.node("Relu", {"ga"}, {"q"}, "ok_relu");
  EXPECT_EQ(importError(b),
            "bad.onnx: 5 of 6 nodes not supported:\n"
            "  node 'gemm_ta' (Gemm): Gemm with transA=1 not supported\n"
            "  node 'gemm_alpha' (Gemm): Gemm with alpha=0.5 not supported (only 1)\n"
            "  node 'matmul_dyn' (MatMul): MatMul with a non-constant or non-2-D B not supported (needs 2-D "
            "weights)\n"
            "  node 'conv_xyz' (Conv): Conv auto_pad 'XYZ' unknown\n"
            "  node 'max_one' (Max): Max with a single input not supported");
}

TEST(Unsupported, CustomDomainAndIntegerComputation) {
  ModelBuilder b;
  b.proto().add_opset_import()->set_domain("com.example");
  b.proto().mutable_opset_import(1)->set_version(1);
  b.input("x", {1, 4}).output("y", 2).output("n", 1);
  b.initInt64("i", {2}, {1, 2});
  b.node("Custom", {"x"}, {"y"}, "custom").set_domain("com.example");
  b.node("Add", {"i", "i"}, {"n"}, "int_add");
  EXPECT_EQ(importError(b),
            "bad.onnx: 2 of 2 nodes not supported:\n"
            "  node 'custom' (Custom): op domain 'com.example' not supported\n"
            "  node 'int_add' (Add): input 'i' is int64; only float32 tensors are supported");
}

TEST(Unsupported, OperandsThatMustBeConstant) {
  ModelBuilder b;
  b.input("x", {1, 2, 4, 4}).input("s", {2}).input("lo", {}).output("y", 2).output("c", 4).output("p", 4);
  b.init("w", {1, 2, 3, 3}, iota(18));
  b.node("Reshape", {"x", "s"}, {"y"}, "dyn_reshape");
  b.node("Clip", {"x", "lo"}, {"c"}, "dyn_clip");
  auto& conv = b.node("Conv", {"x", "w"}, {"p"}, "pad_twice");
  setString(conv, "auto_pad", "SAME_UPPER");
  testing::setInts(conv, "pads", {1, 1, 1, 1});
  EXPECT_EQ(importError(b),
            "bad.onnx: 3 of 3 nodes not supported:\n"
            "  node 'dyn_reshape' (Reshape): Reshape with a non-constant shape not supported\n"
            "  node 'dyn_clip' (Clip): Clip with a non-constant min not supported\n"
            "  node 'pad_twice' (Conv): Conv with both auto_pad 'SAME_UPPER' and explicit pads not supported");
}

TEST(Unsupported, GemmBiasThatIsNotPerColumn) {
  ModelBuilder b;
  b.input("x", {2, 4}).output("y", 2).init("w", {4, 3}, iota(12)).init("c", {2, 3}, iota(6));
  b.node("Gemm", {"x", "w", "c"}, {"y"}, "fc");
  EXPECT_THAT(importError(b),
              HasSubstr("node 'fc' (Gemm): Gemm bias C of shape 2x3 not supported (needs 3, 1x3 or a single value)"));
}

// --- Inputs, shapes, initializers ---------------------------------------------------------------

TEST(ShapeErrors, SymbolicBatchDimension) {
  ModelBuilder b;
  b.input("images", {-1, 3, 8, 8}).output("y", 4);
  b.node("Relu", {"images"}, {"y"}, "r");
  EXPECT_EQ(importError(b), "bad.onnx: graph input 'images' dimension 0 is symbolic ('N'); htvm needs static shapes");
}

TEST(ShapeErrors, UnsetDimensionAndZeroDimension) {
  ModelBuilder unset;
  unset.input("x", {1, 4}).output("y", 3);
  unset.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim();
  unset.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_EQ(importError(unset), "bad.onnx: graph input 'x' dimension 2 is unknown; htvm needs static shapes");

  ModelBuilder zero;
  zero.input("x", {1, 0, 4}).output("y", 3);
  zero.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_EQ(importError(zero), "bad.onnx: graph input 'x' has dimension 0 at index 1; dimensions must be positive");
}

TEST(ShapeErrors, AbsurdInputSizeIsRejectedByName) {
  ModelBuilder b;
  b.input("huge", {1, 3, 100000, 100000}).output("y", 4);
  b.node("Relu", {"huge"}, {"y"}, "r");
  EXPECT_EQ(importError(b),
            "bad.onnx: graph input 'huge' of shape 1x3x100000x100000 needs 120000000000 bytes, more than the "
            "limit of 2147483648 bytes");
}

TEST(ShapeErrors, AbsurdIntermediateSizeIsRejectedByName) {
  // A small input and a 100000x100000 weight matrix stored in 4 bytes: the size check must come
  // before anything reads or allocates the data.
  ModelBuilder b;
  b.input("x", {1, 100000}).output("y", 2);
  b.initializer("w", {100000, 100000}, onnx::TensorProto::FLOAT).set_raw_data("abcd");
  b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  EXPECT_EQ(importError(b),
            "bad.onnx: initializer 'w' of shape 100000x100000 needs 40000000000 bytes, more than the limit of "
            "2147483648 bytes");
}

TEST(ShapeErrors, AbsurdNodeOutputIsRejectedByName) {
  ModelBuilder b;
  b.input("x", {1, 1, 4, 4}).output("y", 4).init("w", {1, 1, 1, 1}, {1.0f});
  testing::setInts(b.node("Conv", {"x", "w"}, {"y"}, "pad_huge"), "pads", {30000, 30000, 30000, 30000});
  EXPECT_EQ(importError(b),
            "bad.onnx: node 'pad_huge' (Conv): output 'y' of shape 1x1x60004x60004 needs 14401920064 bytes, more "
            "than the limit of 2147483648 bytes");
}

TEST(ShapeErrors, NonFloatInput) {
  ModelBuilder b;
  b.input("tokens", {1, 4}, onnx::TensorProto::INT64).output("y", 2);
  b.node("Identity", {"tokens"}, {"y"}, "id");
  EXPECT_EQ(importError(b), "bad.onnx: graph input 'tokens' has element type int64; only float32 inputs are supported");
}

TEST(InitializerErrors, Float16AndSizeMismatchNameTheInitializer) {
  ModelBuilder half;
  half.input("x", {1, 2}).output("y", 2);
  half.initializer("h", {2}, onnx::TensorProto::FLOAT16).set_raw_data(std::string(4, '\0'));
  half.node("Relu", {"x"}, {"y"}, "r");
  EXPECT_EQ(importError(half),
            "bad.onnx: initializer 'h' has element type float16; supported are float32, double, int32, int64, "
            "int8 and uint8");

  ModelBuilder cut = smallConvNet();
  cut.graph().mutable_initializer(0)->mutable_raw_data()->resize(100);
  EXPECT_EQ(importError(cut),
            "bad.onnx: initializer 'w' of shape 3x2x3x3 and type float32 needs 216 bytes of raw_data, has 100");
}

TEST(InitializerErrors, KernelShapeMustMatchWeights) {
  ModelBuilder b;
  b.input("x", {1, 1, 6, 6}).output("y", 4).init("w", {1, 1, 3, 3}, iota(9));
  testing::setInts(b.node("Conv", {"x", "w"}, {"y"}, "conv_ks"), "kernel_shape", {5, 5});
  EXPECT_EQ(importError(b), "bad.onnx: node 'conv_ks' (Conv): kernel_shape 5x5 does not match weights 1x1x3x3");
}

}  // namespace
}  // namespace htvm
