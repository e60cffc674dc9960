#include "frontend/onnx/onnx_graph_check.h"

#include <map>
#include <set>

#include "frontend/onnx/onnx_node.h"

namespace htvm {

Status checkGraphStructure(const onnx::GraphProto& g) {
  std::set<std::string> initializers;
  for (const auto& t : g.initializer()) initializers.insert(t.name());
  int realInputs = 0;
  for (const auto& in : g.input()) realInputs += initializers.count(in.name()) ? 0 : 1;
  if (realInputs == 0) return error() << "graph has no inputs (other than initializers)";
  if (g.output_size() == 0) return error() << "graph has no outputs";

  // Who defines each value: "graph input", "initializer" or a node reference.
  std::map<std::string, std::string> definedBy;
  auto define = [&](const std::string& name, const std::string& by) -> Status {
    auto [it, fresh] = definedBy.emplace(name, by);
    if (!fresh && !(it->second == "initializer" && by == "graph input") &&
        !(it->second == "graph input" && by == "initializer"))
      return error() << "value '" << name << "' is defined twice: by " << it->second << " and by " << by;
    return ok();
  };
  for (const auto& t : g.initializer()) HTVM_TRY(define(t.name(), "initializer"));
  for (const auto& in : g.input()) HTVM_TRY(define(in.name(), "graph input"));

  // Producer of every node output, to tell a cycle (produced later) from a dangling input.
  std::map<std::string, int> producer;
  for (int i = 0; i < g.node_size(); ++i)
    for (const std::string& out : g.node(i).output())
      if (!out.empty()) producer.emplace(out, i);

  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& node = g.node(i);
    for (const std::string& in : node.input()) {
      if (in.empty() || definedBy.count(in)) continue;  // "" marks an absent optional input
      auto p = producer.find(in);
      if (p == producer.end())
        return error() << onnxNodeRef(node, i) << ": input '" << in
                       << "' is not produced by any node, initializer or graph input";
      return error() << onnxNodeRef(node, i) << ": input '" << in << "' is produced by later "
                     << onnxNodeRef(g.node(p->second), p->second)
                     << ": the graph has a cycle or is not topologically sorted";
    }
    for (const std::string& out : node.output())
      if (!out.empty()) HTVM_TRY(define(out, onnxNodeRef(node, i)));
  }
  for (const auto& out : g.output())
    if (!definedBy.count(out.name()))
      return error() << "graph output '" << out.name() << "' is not produced by any node";
  return ok();
}

}  // namespace htvm
