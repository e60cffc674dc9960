#include "frontend/onnx/onnx_ops.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "frontend/onnx/onnx_node.h"

namespace htvm {
namespace {

// Attribute values beyond this are garbage (bit flips); bounding them keeps the registry's shape
// arithmetic far from int64 overflow.
constexpr int64_t kMaxAttrValue = int64_t{1} << 31;

using Reason = std::optional<std::string>;

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

bool hasInput(const onnx::NodeProto& node, int i) {
  return i < node.input_size() && !node.input(i).empty();
}

// The IR tensor of input i, or -1 when the optional input is absent.
Result<TensorId> input(ImportContext& ctx, const onnx::NodeProto& node, int i) {
  if (!hasInput(node, i)) return TensorId{-1};
  return ctx.tensor(node.input(i));
}

Node makeNode(OpKind op, const std::string& name, const onnx::NodeProto& src, std::vector<TensorId> inputs) {
  Node n;
  n.name = name;
  n.sourceOp = src.op_type();
  n.op = op;
  n.inputs = std::move(inputs);
  return n;
}

Status emit(ImportContext& ctx, Node n, const std::string& outName) {
  Result<TensorId> r = ctx.emit(std::move(n), outName);
  if (!r.ok()) return r.diag();
  return ok();
}

Reason noCheck(const ImportContext&, const onnx::NodeProto&) { return std::nullopt; }

// --- Conv ---------------------------------------------------------------------------------------

Reason checkConv(const ImportContext&, const onnx::NodeProto& node) {
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return "Conv auto_pad '" + autoPad + "' unknown";
  if (autoPad != "NOTSET" && findAttr(node, "pads"))
    return "Conv with both auto_pad '" + autoPad + "' and explicit pads not supported";
  return std::nullopt;
}

// ONNX's SAME_UPPER/SAME_LOWER: output size ceil(in / stride), the odd pad going to the end
// (UPPER) or the beginning (LOWER). Pads are [top, left, bottom, right].
Ints samePads(const Shape& x, const Shape& w, const Ints& strides, const Ints& dilations, bool upper) {
  Ints pads(4, 0);
  for (size_t i = 0; i < 2; ++i) {
    int64_t in = x[2 + i], s = strides[i], k = (w[2 + i] - 1) * dilations[i] + 1;
    int64_t out = (in + s - 1) / s;
    int64_t total = std::max<int64_t>(0, (out - 1) * s + k - in);
    int64_t small = total / 2, big = total - small;
    pads[i] = upper ? small : big;
    pads[2 + i] = upper ? big : small;
  }
  return pads;
}

Status mapConv(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> x = input(ctx, node, 0), w = input(ctx, node, 1), b = input(ctx, node, 2);
  for (const auto* r : {&x, &w, &b})
    if (!r->ok()) return r->diag();
  const Shape& xs = ctx.graph().type(*x).shape;
  const Shape& ws = ctx.graph().type(*w).shape;
  if (xs.size() != 4 || ws.size() != 4)
    return error() << "only 2-D Conv supported: input " << shapeStr(xs) << " and weights " << shapeStr(ws)
                   << " must both be 4-D";
  if (auto ks = attrInts(node, "kernel_shape"); ks && *ks != Ints{ws[2], ws[3]})
    return error() << "kernel_shape " << shapeStr(*ks) << " does not match weights " << shapeStr(ws);
  Ints strides = attrInts(node, "strides").value_or(Ints{1, 1});
  Ints dilations = attrInts(node, "dilations").value_or(Ints{1, 1});
  Ints pads = attrInts(node, "pads").value_or(Ints{0, 0, 0, 0});
  int64_t group = attrInt(node, "group", 1);
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    return error() << "Conv needs 2 strides, 2 dilations and 4 pads, has " << strides.size() << ", "
                   << dilations.size() << " and " << pads.size();
  for (const Ints* attr : {&strides, &dilations, &pads})
    for (int64_t v : *attr)
      if (v < -kMaxAttrValue || v > kMaxAttrValue) return error() << "Conv attribute value " << v << " out of range";
  for (size_t i = 0; i < 2; ++i)
    if (strides[i] < 1 || dilations[i] < 1)
      return error() << "Conv strides " << shapeStr(strides) << " and dilations " << shapeStr(dilations)
                     << " must be positive";
  if (group < 1 || group > kMaxAttrValue) return error() << "Conv group " << group << " out of range";
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad == "VALID") pads = {0, 0, 0, 0};
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
    pads = samePads(xs, ws, strides, dilations, autoPad == "SAME_UPPER");

  std::vector<TensorId> ins{*x, *w};
  if (*b >= 0) ins.push_back(*b);
  Node n = makeNode(OpKind::Conv2D, name, node, ins);
  n.attrs = {{"strides", strides}, {"pads", pads}, {"dilations", dilations}, {"group", group}};
  return emit(ctx, std::move(n), node.output(0));
}

// --- Gemm, MatMul -------------------------------------------------------------------------------

// A Gemm bias htvm's dense takes: one value per output column, or one value for all.
bool biasFits(const ConstTensor& c, int64_t m) {
  if (c.values.size() == 1 && c.dims.size() <= 2) return true;
  return static_cast<int64_t>(c.values.size()) == m && (c.dims == Shape{m} || c.dims == Shape{1, m});
}

Reason checkGemm(const ImportContext& ctx, const onnx::NodeProto& node) {
  if (attrInt(node, "transA", 0) != 0) return "Gemm with transA=1 not supported";
  if (double alpha = attrFloat(node, "alpha", 1.0); alpha != 1.0)
    return "Gemm with alpha=" + num(alpha) + " not supported (only 1)";
  if (!hasInput(node, 2)) return std::nullopt;
  if (double beta = attrFloat(node, "beta", 1.0); beta != 1.0)
    return "Gemm with beta=" + num(beta) + " not supported (only 1)";
  const ConstTensor* c = ctx.constant(node.input(2));
  if (!c) return "Gemm with a non-constant bias C not supported";
  const ConstTensor* b = ctx.constant(node.input(1));
  if (b && b->dims.size() == 2) {
    int64_t m = attrInt(node, "transB", 0) ? b->dims[0] : b->dims[1];
    if (!biasFits(*c, m))
      return "Gemm bias C of shape " + shapeStr(c->dims) + " not supported (needs " + std::to_string(m) +
             ", 1x" + std::to_string(m) + " or a single value)";
  }
  return std::nullopt;
}

Status mapGemm(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> a = input(ctx, node, 0), b = input(ctx, node, 1);
  if (!a.ok()) return a.diag();
  if (!b.ok()) return b.diag();
  int64_t transB = attrInt(node, "transB", 0) != 0 ? 1 : 0;
  std::vector<TensorId> ins{*a, *b};
  if (hasInput(node, 2)) {
    const Shape& bs = ctx.graph().type(*b).shape;
    if (bs.size() != 2) return error() << "Gemm needs 2-D B, got " << shapeStr(bs);
    const int64_t m = transB ? bs[0] : bs[1];
    const ConstTensor* c = ctx.constant(node.input(2));
    if (!c || !biasFits(*c, m)) return error() << "Gemm bias C does not fit " << m << " outputs";
    if (c->dims == Shape{m}) {
      Result<TensorId> bias = ctx.tensor(node.input(2));
      if (!bias.ok()) return bias.diag();
      ins.push_back(*bias);
    } else {  // [1,M] or a single value: dense wants the bias as a 1-D M vector
      std::vector<double> values = c->values.size() == 1 ? std::vector<double>(static_cast<size_t>(m), c->values[0])
                                                         : c->values;
      ins.push_back(ctx.graph().addConstant(node.input(2) + ".1d", {DType::F32, {m}}, std::move(values)));
    }
  }
  Node n = makeNode(OpKind::Dense, name, node, ins);
  n.attrs = {{"trans_b", transB}};
  return emit(ctx, std::move(n), node.output(0));
}

Reason checkMatMul(const ImportContext& ctx, const onnx::NodeProto& node) {
  const ConstTensor* w = ctx.constant(node.input(1));
  if (!w || w->dims.size() != 2) return "MatMul with a non-constant or non-2-D B not supported (needs 2-D weights)";
  return std::nullopt;
}

Status mapMatMul(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> a = input(ctx, node, 0), b = input(ctx, node, 1);
  if (!a.ok()) return a.diag();
  if (!b.ok()) return b.diag();
  Node n = makeNode(OpKind::Dense, name, node, {*a, *b});
  n.attrs = {{"trans_b", int64_t{0}}};
  return emit(ctx, std::move(n), node.output(0));
}

// --- Elementwise --------------------------------------------------------------------------------

template <OpKind kOp>
Status mapBinary(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> a = input(ctx, node, 0), b = input(ctx, node, 1);
  if (!a.ok()) return a.diag();
  if (!b.ok()) return b.diag();
  return emit(ctx, makeNode(kOp, name, node, {*a, *b}), node.output(0));
}

Reason checkVariadic(const ImportContext&, const onnx::NodeProto& node) {
  if (node.input_size() < 2) return node.op_type() + " with a single input not supported";
  return std::nullopt;
}

// Max/Min of n inputs as a left-to-right chain of n-1 binary nodes; the partial results are
// named after the node ("<node>.0", ...), the last one produces the ONNX output.
template <OpKind kOp>
Status mapVariadic(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> acc = input(ctx, node, 0);
  if (!acc.ok()) return acc.diag();
  for (int i = 1; i < node.input_size(); ++i) {
    Result<TensorId> next = input(ctx, node, i);
    if (!next.ok()) return next.diag();
    bool last = i + 1 == node.input_size();
    std::string part = last ? name : name + "." + std::to_string(i - 1);
    acc = ctx.emit(makeNode(kOp, part, node, {*acc, *next}), last ? node.output(0) : part);
    if (!acc.ok()) return acc.diag();
  }
  return ok();
}

Status mapFloor(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> x = input(ctx, node, 0);
  if (!x.ok()) return x.diag();
  return emit(ctx, makeNode(OpKind::Floor, name, node, {*x}), node.output(0));
}

Status emitClip(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name, double lo, double hi) {
  Result<TensorId> x = input(ctx, node, 0);
  if (!x.ok()) return x.diag();
  Node n = makeNode(OpKind::Clip, name, node, {*x});
  n.attrs = {{"lo", lo}, {"hi", hi}};
  return emit(ctx, std::move(n), node.output(0));
}

Status mapRelu(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  return emitClip(ctx, node, name, 0.0, std::numeric_limits<double>::infinity());
}

// Opset 11 moved Clip's bounds from attributes to optional inputs; htvm needs them constant.
Reason checkClip(const ImportContext& ctx, const onnx::NodeProto& node) {
  if (ctx.opset() < 11) return std::nullopt;
  for (int i : {1, 2}) {
    if (!hasInput(node, i)) continue;
    const ConstTensor* c = ctx.constant(node.input(i));
    const char* which = i == 1 ? "min" : "max";
    if (!c) return std::string("Clip with a non-constant ") + which + " not supported";
    if (c->values.size() != 1) return std::string("Clip ") + which + " must be a single value";
  }
  return std::nullopt;
}

Status mapClip(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  const double inf = std::numeric_limits<double>::infinity();
  double lo = -inf, hi = inf;
  if (ctx.opset() < 11) {
    lo = attrFloat(node, "min", -inf);
    hi = attrFloat(node, "max", inf);
  } else {
    if (hasInput(node, 1)) lo = ctx.constant(node.input(1))->values.at(0);
    if (hasInput(node, 2)) hi = ctx.constant(node.input(2))->values.at(0);
  }
  return emitClip(ctx, node, name, lo, hi);
}

// --- Pooling and shapes -------------------------------------------------------------------------

Status mapGlobalAvgPool(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> x = input(ctx, node, 0);
  if (!x.ok()) return x.diag();
  return emit(ctx, makeNode(OpKind::GlobalAvgPool, name, node, {*x}), node.output(0));
}

Status emitReshape(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name, TensorId x,
                   Ints shape) {
  Node n = makeNode(OpKind::Reshape, name, node, {x});
  n.attrs = {{"shape", std::move(shape)}};
  return emit(ctx, std::move(n), node.output(0));
}

Status mapFlatten(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> x = input(ctx, node, 0);
  if (!x.ok()) return x.diag();
  const Shape& xs = ctx.graph().type(*x).shape;
  const auto rank = static_cast<int64_t>(xs.size());
  int64_t axis = attrInt(node, "axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank)
    return error() << "Flatten axis " << attrInt(node, "axis", 1) << " out of range for input " << shapeStr(xs);
  // The input passed the size limit, so neither product overflows.
  Ints shape{1, 1};
  for (int64_t i = 0; i < rank; ++i) shape[i < axis ? 0 : 1] *= xs[static_cast<size_t>(i)];
  return emitReshape(ctx, node, name, *x, shape);
}

Reason checkReshape(const ImportContext& ctx, const onnx::NodeProto& node) {
  if (!ctx.constant(node.input(1))) return "Reshape with a non-constant shape not supported";
  return std::nullopt;
}

// ONNX Reshape semantics: 0 copies the input dimension at that index (unless allowzero=1), one
// -1 takes whatever size is left.
Status mapReshape(ImportContext& ctx, const onnx::NodeProto& node, const std::string& name) {
  Result<TensorId> x = input(ctx, node, 0);
  if (!x.ok()) return x.diag();
  const Shape& xs = ctx.graph().type(*x).shape;
  const ConstTensor* spec = ctx.constant(node.input(1));
  if (!spec) return error() << "Reshape shape '" << node.input(1) << "' is not a constant";
  Ints shape;
  int inferAt = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec->values.size(); ++i) {
    double v = spec->values[i];
    if (v != std::floor(v) || v < -1 || v > static_cast<double>(kMaxAttrValue))
      return error() << "Reshape shape value " << num(v) << " at index " << i << " out of range";
    auto d = static_cast<int64_t>(v);
    if (d == 0 && attrInt(node, "allowzero", 0) == 0) {
      if (i >= xs.size()) return error() << "Reshape shape copies dimension " << i << " of " << shapeStr(xs) << ", which has none";
      d = xs[i];
    }
    if (d == -1) {
      if (inferAt >= 0) return error() << "Reshape shape has more than one -1";
      inferAt = static_cast<int>(i);
    } else if (d < 1) {
      return error() << "Reshape to a zero dimension at index " << i << " not supported";
    } else if (__builtin_mul_overflow(known, d, &known) || known > kMaxTensorBytes) {
      return error() << "Reshape target shape exceeds the limit of " << kMaxTensorBytes << " elements";
    }
    shape.push_back(d);
  }
  if (inferAt >= 0) {
    int64_t total = numElements(xs);
    if (total % known != 0)
      return error() << "cannot reshape " << shapeStr(xs) << " with -1 in " << shapeStr(shape);
    shape[static_cast<size_t>(inferAt)] = total / known;
  }
  return emitReshape(ctx, node, name, *x, shape);
}

// Identity adds no node: its output names the same IR tensor (constants were aliased when they
// were collected).
Status mapIdentity(ImportContext& ctx, const onnx::NodeProto& node, const std::string&) {
  if (ctx.constant(node.input(0))) return ok();
  Result<TensorId> x = ctx.tensor(node.input(0));
  if (!x.ok()) return x.diag();
  ctx.bind(node.output(0), *x);
  return ok();
}

Status mapConstant(ImportContext&, const onnx::NodeProto&, const std::string&) { return ok(); }

const OnnxOpMapping kOnnxOps[] = {
    {"Conv", -1, checkConv, mapConv},
    {"Gemm", -1, checkGemm, mapGemm},
    {"MatMul", -1, checkMatMul, mapMatMul},
    {"Add", -1, noCheck, mapBinary<OpKind::Add>},
    {"Sub", -1, noCheck, mapBinary<OpKind::Sub>},
    {"Mul", -1, noCheck, mapBinary<OpKind::Mul>},
    {"Div", -1, noCheck, mapBinary<OpKind::Div>},
    {"Max", -1, checkVariadic, mapVariadic<OpKind::Max>},
    {"Min", -1, checkVariadic, mapVariadic<OpKind::Min>},
    {"Floor", -1, noCheck, mapFloor},
    {"Relu", -1, noCheck, mapRelu},
    {"Clip", 1, checkClip, mapClip},
    {"GlobalAveragePool", -1, noCheck, mapGlobalAvgPool},
    {"Flatten", -1, noCheck, mapFlatten},
    {"Reshape", 1, checkReshape, mapReshape},
    // Identity passes any type through; whoever reads its output checks that.
    {"Identity", 0, noCheck, mapIdentity},
    {"Constant", 0, noCheck, mapConstant},
};

}  // namespace

const OnnxOpMapping* findOnnxOp(const std::string& opType) {
  for (const OnnxOpMapping& m : kOnnxOps)
    if (opType == m.opType) return &m;
  return nullptr;
}

}  // namespace htvm
