// run(): verify, load and validate inputs and constants, then execute the nodes in their (already
// topological) order through the kernel table.
#include "interp/interpreter.h"

#include <cmath>

#include "interp/kernels.h"
#include "ir/verify.h"

namespace htvm::interp {
namespace {

// Every kernel relies on its operands being valid values of their dtype (that is what makes the
// double -> float / int64 conversions exact and int64 accumulation overflow-free), so values that
// enter from outside — graph inputs and constants — are checked once here.
Status checkValues(const Tensor& t, const Buffer& b, const char* what) {
  DType dt = t.type.dtype;
  for (size_t i = 0; i < b.size(); ++i) {
    double v = b[i];
    if (dt == DType::F32) {
      if (!std::isnan(v) && static_cast<double>(static_cast<float>(v)) != v)
        return error() << what << " '" << t.name << "' element " << i << " value " << v
                       << " is not a float32 value";
    } else if (!(std::floor(v) == v && v >= static_cast<double>(dtypeMin(dt)) &&
                 v <= static_cast<double>(dtypeMax(dt)))) {
      return error() << what << " '" << t.name << "' element " << i << " value " << v
                     << " is not an integer in range of " << dtypeName(dt);
    }
  }
  return ok();
}

}  // namespace

Result<std::vector<Buffer>> run(const Graph& g, const std::vector<Buffer>& inputs) {
  HTVM_TRY(verify(g));
  if (inputs.size() != g.inputs.size())
    return error() << "graph '" << g.name << "' has " << g.inputs.size() << " inputs, got "
                   << inputs.size() << " buffers";

  std::vector<Buffer> values(g.tensors.size());
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Tensor& t = g.tensor(g.inputs[i]);
    if (static_cast<int64_t>(inputs[i].size()) != t.type.elements())
      return error() << "input " << i << " '" << t.name << "' of type " << t.type.str() << " needs "
                     << t.type.elements() << " values, got " << inputs[i].size();
    HTVM_TRY(checkValues(t, inputs[i], "input"));
    values[static_cast<size_t>(g.inputs[i])] = inputs[i];
  }
  for (size_t id = 0; id < g.tensors.size(); ++id) {
    const Tensor& t = g.tensors[id];
    if (!t.isConstant()) continue;
    HTVM_TRY(checkValues(t, *t.data, "constant"));
    values[id] = *t.data;
  }

  for (const Node& n : g.nodes) {
    Kernel k = kernelFor(n.op);
    HTVM_CHECK(k != nullptr) << "no interpreter kernel for " << opName(n.op);
    Buffer out;
    HTVM_TRY(k(KernelArgs{g, n, values}, out));
    const TensorType& ot = g.type(n.outputs[0]);
    HTVM_CHECK(static_cast<int64_t>(out.size()) == ot.elements())
        << nodeRef(n) << ": kernel produced " << out.size() << " values for " << ot.str();
    values[static_cast<size_t>(n.outputs[0])] = std::move(out);
  }
  return values;
}

}  // namespace htvm::interp
