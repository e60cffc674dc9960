#include "passes/insert_relayout.h"

#include <map>

#include "ir/layout.h"
#include "ir/op_registry.h"
#include "ir/verify.h"

namespace htvm {

Result<RelayoutStats> insertRelayouts(Graph& g, const LayoutQuery& activationLayout) {
  RelayoutStats stats;
  // Layout each tensor is produced in.
  for (const Node& n : g.nodes) {
    Layout l = activationLayout(g, n, -1);
    TensorType& t = g.tensor(n.outputs[0]).type;
    if (l != Layout::NCHW && !layoutApplies(t, l))
      return error() << nodeRef(n) << ": output " << t.str() << " cannot be stored as " << layoutName(l);
    t.layout = l;
  }
  std::vector<Node> out;
  out.reserve(g.nodes.size());
  std::map<std::pair<TensorId, Layout>, TensorId> converted;
  // Converted copies are emitted right after their producer; graph inputs convert up front.
  std::map<TensorId, std::vector<Node>> pendingAfter;
  std::vector<Node> upFront;

  auto convert = [&](TensorId t, Layout want, const Node& consumer) -> Result<TensorId> {
    auto key = std::make_pair(t, want);
    if (auto it = converted.find(key); it != converted.end()) return it->second;
    TensorType type = g.type(t);
    if (!layoutApplies(type, want))
      return error() << nodeRef(consumer) << ": input " << type.str() << " cannot be stored as " << layoutName(want);
    type.layout = want;
    Tensor copy{g.tensor(t).name + "." + layoutName(want), type, std::nullopt};
    TensorId id = g.addTensor(std::move(copy));
    Node r;
    r.name = g.tensor(t).name + "." + layoutName(want);
    r.sourceOp = "relayout";
    r.op = OpKind::Relayout;
    r.inputs = {t};
    r.outputs = {id};
    bool isInput = std::find(g.inputs.begin(), g.inputs.end(), t) != g.inputs.end();
    (isInput ? upFront : pendingAfter[t]).push_back(std::move(r));
    converted[key] = id;
    ++stats.inserted;
    return id;
  };

  for (Node& n : g.nodes) {
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      TensorId t = n.inputs[i];
      if (t < 0 || g.tensor(t).isConstant()) continue;
      Layout want = activationLayout(g, n, static_cast<int>(i));
      if (want == g.type(t).layout) continue;
      Result<TensorId> c = convert(t, want, n);
      if (!c.ok()) return c.diag();
      n.inputs[i] = c.value();
    }
  }
  // Graph outputs are read by the caller in NCHW.
  for (TensorId& o : g.outputs) {
    if (g.type(o).layout == Layout::NCHW) continue;
    Node caller;
    caller.name = g.tensor(o).name;
    caller.sourceOp = "output";
    Result<TensorId> c = convert(o, Layout::NCHW, caller);
    if (!c.ok()) return c.diag();
    std::string name = g.tensor(o).name;
    g.tensor(o).name = name + ".accel";
    g.tensor(c.value()).name = name;
    o = c.value();
  }
  for (Node& r : upFront) out.push_back(std::move(r));
  for (Node& n : g.nodes) {
    TensorId produced = n.outputs[0];
    out.push_back(std::move(n));
    if (auto it = pendingAfter.find(produced); it != pendingAfter.end())
      for (Node& r : it->second) out.push_back(std::move(r));
  }
  g.nodes = std::move(out);
  Status s = verify(g);
  HTVM_CHECK(s.ok()) << "insertRelayouts broke the graph: " << s.diag().message;
  return stats;
}

}  // namespace htvm
