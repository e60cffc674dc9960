#include "passes/fuse_input_quant.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "ir/op_registry.h"
#include "ir/verify.h"
#include "passes/fusion_index.h"

namespace htvm {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The exponent e with v == 2^e exactly, if v is a power of two that float32 holds exactly.
std::optional<int> powerOfTwoExponent(double v) {
  if (!(v > 0) || !std::isfinite(v) || static_cast<double>(static_cast<float>(v)) != v)
    return std::nullopt;
  int e = 0;
  const double m = std::frexp(v, &e);  // v = m * 2^e, m in [0.5, 1)
  if (m != 0.5) return std::nullopt;
  return e - 1;
}

// One clamp step of the chain: v -> max(v, c) / min(v, c) / clip(v, lo, hi).
struct ClipStep {
  OpKind op;
  double lo = -kInf, hi = kInf;  // max: lo = c; min: hi = c
  bool constFirst = false;       // max/min(c, v): a NaN v gives c (std::max/std::min semantics)
  double apply(double v) const { return std::min(std::max(v, lo), hi); }
};

class Fuser {
 public:
  explicit Fuser(Graph& g)
      : g_(g), ix_(g) {}

  FuseInputQuantStats run() {
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      if (!ix_.claimed[i] && (g_.nodes[i].op == OpKind::Div || g_.nodes[i].op == OpKind::Mul)) fuse(i);
    stats_.nodesRemoved = ix_.compact(g_);
    return stats_;
  }

 private:
  const Node& node(size_t i) const { return g_.nodes[i]; }
  TensorId out(size_t i) const { return g_.nodes[i].outputs[0]; }
  bool isF32(TensorId t) const { return g_.type(t).dtype == DType::F32; }

  // The single-element f32 constant `t` holds, if it is one.
  std::optional<double> scalarConst(TensorId t) const {
    const Tensor& c = g_.tensor(t);
    if (!c.isConstant() || c.type.dtype != DType::F32 || c.type.elements() != 1) return std::nullopt;
    return (*c.data)[0];
  }

  // The node reading `t` if `t` is an intermediate that only it reads (once), on the CPU, and it
  // is an `op`.
  std::optional<size_t> soleReader(TensorId t, std::initializer_list<OpKind> ops) const {
    const size_t ti = static_cast<size_t>(t);
    if (ix_.uses[ti] != 1 || ix_.isOutput[ti] || ix_.reader[ti] < 0) return std::nullopt;
    const size_t r = static_cast<size_t>(ix_.reader[ti]);
    if (ix_.claimed[r] || node(r).accel >= 0) return std::nullopt;
    if (std::find(ops.begin(), ops.end(), node(r).op) == ops.end()) return std::nullopt;
    return r;
  }

  // An elementwise f32 step reading `t` that keeps its shape.
  bool keepsF32Shape(size_t n, TensorId t) const {
    return isF32(out(n)) && g_.type(out(n)).shape == g_.type(t).shape;
  }

  // k of x / 2^-k or x * 2^k at node `i` (x is then *x).
  std::optional<int> scaleExponent(size_t i, TensorId* x) const {
    const Node& n = node(i);
    if (n.accel >= 0 || n.inputs[0] == n.inputs[1]) return std::nullopt;
    if (n.op == OpKind::Div) {
      std::optional<double> c = scalarConst(n.inputs[1]);
      std::optional<int> e = c ? powerOfTwoExponent(*c) : std::nullopt;
      if (!e || *e > 0 || *e < -149) return std::nullopt;
      *x = n.inputs[0];
      return -*e;
    }
    for (size_t s = 0; s < 2; ++s) {  // mul: the constant on either side
      std::optional<double> c = scalarConst(n.inputs[s]);
      std::optional<int> e = c ? powerOfTwoExponent(*c) : std::nullopt;
      if (!e || *e < 0 || *e > 127) continue;
      *x = n.inputs[1 - s];
      return *e;
    }
    return std::nullopt;
  }

  // The clamp step of max/min/clip node `n` reading `t`, if its constants are finite integers.
  std::optional<ClipStep> clipStep(size_t n, TensorId t) const {
    const Node& c = node(n);
    if (!keepsF32Shape(n, t)) return std::nullopt;
    auto integral = [](double v) { return std::isfinite(v) && std::floor(v) == v; };
    ClipStep s{c.op};
    if (c.op == OpKind::Clip) {
      s.lo = c.attrFloat("lo");
      s.hi = c.attrFloat("hi");
      // The float clip kernels compare with the bounds rounded to float32.
      for (double v : {s.lo, s.hi})
        if (!integral(v) || static_cast<double>(static_cast<float>(v)) != v) return std::nullopt;
      return s;
    }
    if (c.inputs[0] == c.inputs[1]) return std::nullopt;
    s.constFirst = c.inputs[1] == t;
    std::optional<double> v = scalarConst(c.inputs[s.constFirst ? 0 : 1]);
    if (!v || !integral(*v)) return std::nullopt;
    (c.op == OpKind::Max ? s.lo : s.hi) = *v;
    return s;
  }

  void fuse(size_t root) {
    TensorId x = -1;
    std::optional<int> k = scaleExponent(root, &x);
    if (!k || !isF32(x) || !keepsF32Shape(root, x)) return;
    std::vector<size_t> chain;
    std::optional<size_t> fl = soleReader(out(root), {OpKind::Floor});
    if (!fl || !keepsF32Shape(*fl, x)) return;
    chain.push_back(*fl);
    TensorId cur = out(*fl);
    std::vector<ClipStep> steps;
    std::optional<size_t> next;
    while ((next = soleReader(cur, {OpKind::Max, OpKind::Min, OpKind::Clip}))) {
      std::optional<ClipStep> s = clipStep(*next, cur);
      if (!s) return;
      steps.push_back(*s);
      chain.push_back(*next);
      cur = out(*next);
    }
    std::optional<size_t> cast = soleReader(cur, {OpKind::Cast});
    if (!cast) return;
    const DType to = g_.type(out(*cast)).dtype;
    if (!isInteger(to) || g_.type(out(*cast)).shape != g_.type(x).shape) return;
    chain.push_back(*cast);
    const double dmin = static_cast<double>(dtypeMin(to)), dmax = static_cast<double>(dtypeMax(to));
    for (const ClipStep& s : steps)
      for (double b : {s.lo, s.hi})
        if (std::isfinite(b) && (b < dmin || b > dmax)) return;

    // Images of -inf, +inf and NaN under the clamps (NaN: nullopt until a step replaces it).
    double lo = -kInf, hi = kInf;
    std::optional<double> nan;
    for (const ClipStep& s : steps) {
      lo = s.apply(lo);
      hi = s.apply(hi);
      if (nan) nan = s.apply(*nan);
      else if (s.constFirst) nan = s.op == OpKind::Max ? s.lo : s.hi;
    }
    lo = std::clamp(lo, dmin, dmax);  // a missing bound: saturate to the dtype
    hi = std::clamp(hi, dmin, dmax);
    const double nanValue = nan ? *nan : std::clamp(0.0, lo, hi);

    Node f;
    f.op = OpKind::QuantizeF32;
    f.name = node(root).name;
    f.sourceOp = node(root).sourceOp;
    f.accel = -1;
    f.inputs = {x};
    f.outputs = {out(*cast)};
    f.attrs["k"] = int64_t{*k};
    f.attrs["lo"] = static_cast<int64_t>(lo);
    f.attrs["hi"] = static_cast<int64_t>(hi);
    f.attrs["nan"] = static_cast<int64_t>(nanValue);
    g_.nodes[root] = std::move(f);
    for (size_t n : chain) ix_.claimed[n] = 1;
    ++stats_.fused;
  }

  Graph& g_;
  FusionIndex ix_;
  FuseInputQuantStats stats_;
};

}  // namespace

Result<FuseInputQuantStats> fuseInputQuant(Graph& g) {
  HTVM_TRY(verify(g));
  FuseInputQuantStats stats = Fuser(g).run();
  Status s = verify(g);
  HTVM_CHECK(s.ok()) << "fuseInputQuant produced an invalid graph: " << s.diag().message;
  return stats;
}

}  // namespace htvm
