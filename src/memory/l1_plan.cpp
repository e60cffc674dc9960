#include "memory/l1_plan.h"

#include "ir/op_registry.h"

namespace htvm {
namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

}  // namespace

Result<L1Plan> planL1(const Graph& g, const L1Limits& limits) {
  L1Plan plan;
  plan.layers.resize(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.accel < 0) continue;
    size_t a = static_cast<size_t>(n.accel);
    HTVM_CHECK(a < limits.activationBytes.size()) << nodeRef(n) << ": unknown accelerator " << n.accel;
    L1LayerPlan& lp = plan.layers[i];
    lp.accel = n.accel;
    int64_t end = 0;
    auto place = [&](TensorId t) {
      L1Buffer b{t, roundUp(end, limits.alignment), roundUp(g.type(t).bytes(), limits.granuleBytes[a])};
      end = b.offset + b.bytes;
      return b;
    };
    for (TensorId t : n.inputs)
      if (t >= 0 && !g.tensor(t).isConstant()) lp.inputs.push_back(place(t));
    lp.output = place(n.outputs[0]);
    lp.used = end;
    if (end > limits.activationBytes[a])
      return error() << nodeRef(n) << ": needs " << end << " B of L1 but accelerator " << n.accel << " has "
                     << limits.activationBytes[a] << " B";
  }
  return plan;
}

bool l1PlanIsValid(const L1Plan& p, const L1Limits& limits) {
  for (const L1LayerPlan& lp : p.layers) {
    if (lp.accel < 0) continue;
    std::vector<L1Buffer> all = lp.inputs;
    all.push_back(lp.output);
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].offset < 0 || all[i].offset + all[i].bytes > limits.activationBytes[static_cast<size_t>(lp.accel)])
        return false;
      for (size_t j = i + 1; j < all.size(); ++j)
        if (all[i].offset < all[j].offset + all[j].bytes && all[j].offset < all[i].offset + all[i].bytes) return false;
    }
  }
  return true;
}

}  // namespace htvm
