#include "ir/print.h"

#include <sstream>

#include "ir/op_registry.h"

namespace htvm {
namespace {

void printAttr(std::ostream& os, const AttrValue& v) {
  if (auto i = std::get_if<int64_t>(&v)) os << *i;
  else if (auto d = std::get_if<double>(&v)) os << *d;
  else if (auto s = std::get_if<std::string>(&v)) os << '"' << *s << '"';
  else {
    os << '[';
    const Ints& is = std::get<Ints>(v);
    for (size_t k = 0; k < is.size(); ++k) os << (k ? "," : "") << is[k];
    os << ']';
  }
}

std::string ref(const Graph& g, TensorId id) {
  if (id < 0) return "_";
  const Tensor& t = g.tensor(id);
  return "%" + std::to_string(id) + (t.isConstant() ? "c" : "");
}

}  // namespace

std::string printGraph(const Graph& g) {
  std::ostringstream os;
  os << "graph " << g.name << "(";
  for (size_t i = 0; i < g.inputs.size(); ++i)
    os << (i ? ", " : "") << ref(g, g.inputs[i]) << ":" << g.type(g.inputs[i]).str();
  os << ")\n";
  for (const Node& n : g.nodes) {
    os << "  " << ref(g, n.outputs[0]) << ":" << g.type(n.outputs[0]).str() << " = " << opName(n.op) << "(";
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      os << (i ? ", " : "") << ref(g, n.inputs[i]);
      if (n.inputs[i] >= 0 && g.tensor(n.inputs[i]).isConstant()) os << ":" << g.type(n.inputs[i]).str();
    }
    os << ")";
    if (!n.attrs.empty()) {
      os << " {";
      bool first = true;
      for (const auto& [k, v] : n.attrs) {
        os << (first ? "" : ", ") << k << "=";
        printAttr(os, v);
        first = false;
      }
      os << "}";
    }
    os << "  # '" << n.name << "'\n";
  }
  os << "  return";
  for (TensorId o : g.outputs) os << " " << ref(g, o) << ":" << g.type(o).str();
  os << "\n";
  return os.str();
}

}  // namespace htvm
