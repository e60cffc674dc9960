#include "ir/op_registry.h"

namespace htvm {

const OpRegistry& OpRegistry::builtin() {
  static const OpRegistry reg = [] {
    OpRegistry r;
    r.defs_.resize(static_cast<size_t>(OpKind::kCount));
    addConvOps(r);
    addElementwiseOps(r);
    addShapeOps(r);
    addFusedOps(r);
    for (size_t i = 0; i < r.defs_.size(); ++i)
      HTVM_CHECK(r.defs_[i].kind == static_cast<OpKind>(i)) << "op kind " << i << " not registered";
    return r;
  }();
  return reg;
}

void OpRegistry::add(OpDef def, OpProps props) {
  def.props = props;
  size_t i = static_cast<size_t>(def.kind);
  HTVM_CHECK(i < defs_.size() && defs_[i].kind == OpKind::kCount) << "op registered twice: " << def.name;
  defs_[i] = std::move(def);
}

const OpDef& OpRegistry::get(OpKind k) const { return defs_.at(static_cast<size_t>(k)); }

const char* opName(OpKind k) { return OpRegistry::builtin().get(k).name.c_str(); }

const OpProps& opProps(OpKind k) { return OpRegistry::builtin().get(k).props; }

int64_t nodeMacs(const Graph& g, const Node& n) {
  MacFn f = opProps(n.op).macs;
  return f ? f(g, n) : 0;
}

Result<Shape> broadcastShapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      return error() << "shapes " << shapeStr(a) << " and " << shapeStr(b)
                     << " do not broadcast (dimension " << i << ": " << da << " vs " << db << ")";
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::string nodeRef(const Node& n) {
  return "node '" + n.name + "' (" + (n.sourceOp.empty() ? opName(n.op) : n.sourceOp) + ")";
}

}  // namespace htvm
