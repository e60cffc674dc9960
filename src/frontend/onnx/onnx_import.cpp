// The graph walk: constants and real graph inputs first, then every node checked against the op
// table (all unsupported nodes go into one message), then every node mapped in file order, the
// graph outputs bound, the shapes cross-checked with ONNX shape inference, and the result
// verified. Each message gets the file name in front here.
#include "frontend/onnx/onnx_import.h"

#include <onnx/defs/schema.h>

#include "frontend/onnx/onnx_context.h"
#include "frontend/onnx/onnx_load.h"
#include "frontend/onnx/onnx_node.h"
#include "frontend/onnx/onnx_ops.h"
#include "frontend/onnx/onnx_shape_check.h"
#include "ir/verify.h"

namespace htvm {
namespace {

// The opset of the default domain; ONNX would silently take the last of several imports.
Result<int64_t> defaultOpset(const onnx::ModelProto& m) {
  std::optional<int64_t> opset;
  for (const auto& o : m.opset_import()) {
    if (!o.domain().empty() && o.domain() != "ai.onnx") continue;
    if (opset)
      return error() << "model imports the default ONNX domain twice (opsets " << *opset << " and " << o.version()
                     << ")";
    opset = o.version();
  }
  if (!opset) return error() << "model imports no opset of the default ONNX domain";
  // The mapping assumes numpy broadcasting (opset 7 on).
  if (*opset < 7) return error() << "opset " << *opset << " of the default ONNX domain is not supported (need 7 or later)";
  // The checker lets a newer opset through, but ONNX has no schemas for it to infer shapes with.
  const auto& known = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  if (auto it = known.find(""); it != known.end() && *opset > it->second.second)
    return error() << "opset " << *opset << " of the default ONNX domain is newer than the ONNX library knows (up to "
                   << it->second.second << ")";
  return *opset;
}

// Why a node cannot be imported, or nullopt. Also records the element type of the node's outputs:
// every mapped op keeps its first input's type, so the walk knows all types before mapping.
std::optional<std::string> whyUnsupported(ImportContext& ctx, const onnx::NodeProto& node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return "op domain '" + node.domain() + "' not supported";
  const OnnxOpMapping* m = findOnnxOp(node.op_type());
  if (!m) return std::string("op not supported");
  std::optional<int32_t> type = node.input_size() > 0 ? ctx.elemType(node.input(0)) : std::nullopt;
  if (type)
    for (const std::string& out : node.output()) ctx.setElemType(out, *type);
  const int data = m->dataInputs < 0 ? node.input_size() : std::min(m->dataInputs, node.input_size());
  for (int i = 0; i < data; ++i) {
    std::optional<int32_t> t = node.input(i).empty() ? std::nullopt : ctx.elemType(node.input(i));
    if (t && *t != onnx::TensorProto::FLOAT)
      return "input '" + node.input(i) + "' is " + onnxTypeName(*t) + "; only float32 tensors are supported";
  }
  return m->check(ctx, node);
}

Status addGraphInputs(ImportContext& ctx, const onnx::GraphProto& g) {
  for (const auto& in : g.input()) {
    if (ctx.constant(in.name())) continue;  // an initializer listed as input (IR version < 4)
    const std::string what = "graph input '" + in.name() + "'";
    if (!in.type().has_tensor_type()) return error() << what << " is not a tensor";
    int32_t elem = in.type().tensor_type().elem_type();
    if (elem != onnx::TensorProto::FLOAT)
      return error() << what << " has element type " << onnxTypeName(elem) << "; only float32 inputs are supported";
    Result<Shape> shape = staticShape(in.type(), what);
    if (!shape.ok()) return shape.diag();
    TensorId id = ctx.graph().addTensor({in.name(), {DType::F32, shape.value()}, std::nullopt});
    ctx.graph().inputs.push_back(id);
    ctx.bind(in.name(), id);
    ctx.setElemType(in.name(), elem);
  }
  return ok();
}

Result<Graph> importModel(onnx::ModelProto& model) {
  const onnx::GraphProto& g = model.graph();
  Result<int64_t> opset = defaultOpset(model);
  if (!opset.ok()) return opset.diag();
  ImportContext ctx(opset.value());
  ctx.graph().name = g.name();
  HTVM_TRY(ctx.collectConstants(g));
  HTVM_TRY(addGraphInputs(ctx, g));

  std::string unsupported;
  int numUnsupported = 0;
  for (int i = 0; i < g.node_size(); ++i) {
    if (auto why = whyUnsupported(ctx, g.node(i))) {
      unsupported += "\n  " + onnxNodeRef(g.node(i), i) + ": " + *why;
      ++numUnsupported;
    }
  }
  if (numUnsupported > 0)
    return error() << numUnsupported << " of " << g.node_size() << " nodes not supported:" << unsupported;

  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& node = g.node(i);
    Status s = findOnnxOp(node.op_type())->map(ctx, node, onnxNodeName(node, i));
    if (!s.ok()) return error() << onnxNodeRef(node, i) << ": " << s.diag().message;
  }
  for (const auto& out : g.output()) {
    Result<TensorId> id = ctx.tensor(out.name());
    if (!id.ok()) return error() << "graph output '" << out.name() << "': " << id.diag().message;
    ctx.graph().outputs.push_back(*id);
  }
  HTVM_TRY(crossCheckShapes(model, ctx.graph(), ctx.values()));
  Graph graph = std::move(ctx.graph());
  Status v = verify(graph);
  if (!v.ok()) return error() << "imported graph fails verification: " << v.diag().message;
  return graph;
}

}  // namespace

Result<Graph> importOnnxBytes(const std::string& bytes, const std::string& displayName) {
  Result<onnx::ModelProto> model = loadModel(bytes);
  Result<Graph> graph = model.ok() ? importModel(model.value()) : Result<Graph>(model.diag());
  if (!graph.ok()) return graph.diag().in(displayName);
  if (graph->name.empty()) graph->name = displayName;
  return graph;
}

Result<Graph> importOnnx(const std::string& path) {
  Result<std::string> bytes = readFileBytes(path);
  if (!bytes.ok()) return bytes.diag().in(path);
  return importOnnxBytes(bytes.value(), path);
}

}  // namespace htvm
