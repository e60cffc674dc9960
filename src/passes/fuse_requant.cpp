#include "passes/fuse_requant.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "ir/op_registry.h"
#include "ir/verify.h"
#include "passes/fusion_index.h"

namespace htvm {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMaxShift = 62;  // what shift_right accepts

// The clamp x -> min(max(x, lo), hi) that a sequence of clips computes, as the images of -inf and
// +inf (always lo <= hi).
struct Bounds {
  double lo = -kInf;
  double hi = kInf;
};

double clamp(double v, double lo, double hi) { return std::min(std::max(v, lo), hi); }

// Bounds of `clip` applied after `b`: a composition of clamps is the clamp between the images of
// -inf and +inf, because it is monotone, constant outside and the identity on any overlap.
Bounds then(const Bounds& b, const Node& clip) {
  const double lo = clip.attrFloat("lo"), hi = clip.attrFloat("hi");
  return {clamp(b.lo, lo, hi), clamp(b.hi, lo, hi)};
}

// An integer clip bound must be an integer or infinite; a float bound must not be NaN.
bool usableBounds(const Node& clip, bool integer) {
  for (double v : {clip.attrFloat("lo"), clip.attrFloat("hi")}) {
    if (std::isnan(v)) return false;
    if (integer && !std::isinf(v) && std::floor(v) != v) return false;
  }
  return true;
}

// Closes a (possibly one-sided) clamp with the range of the chain's output dtype, which by the
// type contract already holds every value the chain produces.
std::pair<int64_t, int64_t> closeBounds(const Bounds& b, DType out) {
  const double lo = static_cast<double>(dtypeMin(out)), hi = static_cast<double>(dtypeMax(out));
  return {static_cast<int64_t>(clamp(b.lo, lo, hi)), static_cast<int64_t>(clamp(b.hi, lo, hi))};
}

// [shift_right] -> clip+ after a linear op: what the fused requant needs.
struct Tail {
  int64_t shift = 0;
  Bounds bounds;
  std::vector<size_t> nodes;  // matched nodes, in chain order
  TensorId out = -1;          // the last clip's output
};

// Range of the values seen by add().
struct LinearRange {
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  void add(int64_t v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool fits(DType t) const { return lo >= dtypeMin(t) && hi <= dtypeMax(t); }
};

class Fuser {
 public:
  explicit Fuser(Graph& g)
      : g_(g), ix_(g), producer_(g.producers()) {}

  FuseRequantStats run() {
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (ix_.claimed[i]) continue;
      switch (g_.nodes[i].op) {
        case OpKind::Conv2D:
          if (!fuseAnalog(i)) fuseLinear(i);
          break;
        case OpKind::Dense: fuseLinear(i); break;
        case OpKind::Add: fuseAdd(i); break;
        default: break;
      }
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      if (!ix_.claimed[i] && g_.nodes[i].op == OpKind::Clip) mergeClips(i);
    stats_.nodesRemoved = ix_.compact(g_);
    return stats_;
  }

 private:
  // The node reading `t` if `t` is an intermediate that only it reads (once), and it is an `op`.
  std::optional<size_t> soleReader(TensorId t, OpKind op) const {
    const size_t ti = static_cast<size_t>(t);
    if (ix_.uses[ti] != 1 || ix_.isOutput[ti] || ix_.reader[ti] < 0) return std::nullopt;
    const size_t r = static_cast<size_t>(ix_.reader[ti]);
    if (ix_.claimed[r] || g_.nodes[r].op != op) return std::nullopt;
    return r;
  }

  DType dtype(TensorId t) const { return g_.type(t).dtype; }
  bool isI8(TensorId t) const { return t >= 0 && dtype(t) == DType::I8; }
  const Node& node(size_t i) const { return g_.nodes[i]; }
  TensorId out(size_t i) const { return g_.nodes[i].outputs[0]; }

  // Consecutive single-use clips from `t` (at least one), composed.
  std::optional<Tail> clips(TensorId t, Tail tail) const {
    TensorId cur = t;
    while (std::optional<size_t> c = soleReader(cur, OpKind::Clip)) {
      if (!usableBounds(node(*c), true)) break;
      tail.bounds = then(tail.bounds, node(*c));
      tail.nodes.push_back(*c);
      cur = out(*c);
    }
    if (cur == t) return std::nullopt;
    tail.out = cur;
    return tail;
  }

  // [shift_right] -> clip+ reading `t`.
  std::optional<Tail> requantTail(TensorId t) const {
    Tail tail;
    if (std::optional<size_t> s = soleReader(t, OpKind::ShiftRight)) {
      tail.shift = node(*s).attrInt("shift");
      if (tail.shift < 0 || tail.shift > kMaxShift) return std::nullopt;
      tail.nodes.push_back(*s);
      t = out(*s);
    }
    return clips(t, tail);
  }

  // Replaces node `root` by `fused` (same position, so topological order holds: the fused node
  // reads only what the root read or new constants) and drops the chain's other nodes.
  void replace(size_t root, Node fused, const std::vector<size_t>& absorbed) {
    fused.name = node(root).name;
    fused.sourceOp = node(root).sourceOp;
    fused.accel = node(root).accel;
    g_.nodes[root] = std::move(fused);
    for (size_t k : absorbed) ix_.claimed[k] = 1;
  }

  static void setRequant(Node& n, int64_t shift, std::pair<int64_t, int64_t> lohi) {
    n.attrs["shift"] = shift;
    n.attrs["lo"] = lohi.first;
    n.attrs["hi"] = lohi.second;
  }

  // conv2d/dense(i8, i8 [, bias]) -> [shift_right] -> clip+.
  bool fuseLinear(size_t i) {
    const Node& n = node(i);
    if (!isI8(n.inputs[0]) || !isI8(n.inputs[1])) return false;
    if (n.inputs.size() > 2 && n.inputs[2] >= 0 && !isInteger(dtype(n.inputs[2]))) return false;
    std::optional<Tail> tail = requantTail(out(i));
    if (!tail) return false;
    Node f;
    f.op = n.op == OpKind::Conv2D ? OpKind::QConv2D : OpKind::QDense;
    f.inputs = n.inputs;
    f.outputs = {tail->out};
    f.attrs = n.attrs;
    setRequant(f, tail->shift, closeBounds(tail->bounds, dtype(tail->out)));
    ++(f.op == OpKind::QConv2D ? stats_.qconv2d : stats_.qdense);
    replace(i, std::move(f), tail->nodes);
    return true;
  }

  // add(i8, i8) with equal shapes -> [shift_right] -> clip+.
  bool fuseAdd(size_t i) {
    const Node& n = node(i);
    if (!isI8(n.inputs[0]) || !isI8(n.inputs[1])) return false;
    if (g_.type(n.inputs[0]).shape != g_.type(n.inputs[1]).shape) return false;
    std::optional<Tail> tail = requantTail(out(i));
    if (!tail) return false;
    Node f;
    f.op = OpKind::QAdd;
    f.inputs = n.inputs;
    f.outputs = {tail->out};
    setRequant(f, tail->shift, closeBounds(tail->bounds, dtype(tail->out)));
    ++stats_.qadd;
    replace(i, std::move(f), tail->nodes);
    return true;
  }

  // Values of constant `c` per channel of a [N, K, H, W] result, if `c` broadcasts along the
  // channel axis only (shape [1,K,1,1], [K,1,1], a single element, ...).
  std::optional<std::vector<int64_t>> perChannel(TensorId c, const Shape& outShape) const {
    const Tensor& t = g_.tensor(c);
    if (!t.isConstant() || !isInteger(t.type.dtype) || outShape.size() != 4) return std::nullopt;
    const Shape& s = t.type.shape;
    if (s.size() > outShape.size()) return std::nullopt;
    const size_t offset = outShape.size() - s.size();
    bool alongChannels = false;
    for (size_t k = 0; k < s.size(); ++k) {
      if (s[k] == 1) continue;
      if (k + offset != 1 || s[k] != outShape[1]) return std::nullopt;
      alongChannels = true;
    }
    std::vector<int64_t> v(static_cast<size_t>(outShape[1]));
    for (size_t m = 0; m < v.size(); ++m)
      v[m] = static_cast<int64_t>((*t.data)[alongChannels ? m : 0]);
    return v;
  }

  // Per-channel constant operand of binary node `b` whose other operand is `t` (either order); the
  // result must keep t's shape.
  std::optional<std::vector<int64_t>> constOperand(size_t b, TensorId t) const {
    const Node& n = node(b);
    if (n.inputs[0] == n.inputs[1]) return std::nullopt;
    TensorId c = n.inputs[0] == t ? n.inputs[1] : n.inputs[0];
    if (g_.type(out(b)).shape != g_.type(t).shape) return std::nullopt;
    return perChannel(c, g_.type(t).shape);
  }

  TensorId perChannelConstant(const std::string& name, const std::vector<int64_t>& v) {
    bool fits16 = std::all_of(v.begin(), v.end(), [](int64_t e) {
      return e >= dtypeMin(DType::I16) && e <= dtypeMax(DType::I16);
    });
    std::vector<double> d(v.begin(), v.end());
    return g_.addConstant(
        name, {fits16 ? DType::I16 : DType::I32, {static_cast<int64_t>(v.size())}}, std::move(d));
  }

  // conv2d(i8, i8) -> floor_div_f32 -> clip+ [-> mul(k) -> add(l) -> [shift_right] -> clip+].
  bool fuseAnalog(size_t i) {
    const Node& conv = node(i);
    if (!isI8(conv.inputs[0]) || !isI8(conv.inputs[1])) return false;
    if (conv.inputs.size() > 2 && conv.inputs[2] >= 0) return false;
    std::optional<size_t> div = soleReader(out(i), OpKind::FloorDivF32);
    if (!div) return false;
    const double gain = node(*div).attrFloat("divisor");
    if (!std::isfinite(gain) || !(gain > 0)) return false;
    std::optional<Tail> adc = clips(out(*div), Tail{});
    if (!adc) return false;
    adc->nodes.insert(adc->nodes.begin(), *div);
    const std::pair<int64_t, int64_t> adcRange = closeBounds(adc->bounds, dtype(adc->out));
    const int64_t K = g_.type(out(i)).shape[1];

    Node f;
    f.op = OpKind::AnalogConv2D;
    f.attrs = conv.attrs;
    f.attrs["gain"] = gain;
    f.attrs["adc_lo"] = adcRange.first;
    f.attrs["adc_hi"] = adcRange.second;
    std::vector<int64_t> bnK(static_cast<size_t>(K), 1), bnL(static_cast<size_t>(K), 0);
    std::vector<size_t> absorbed = adc->nodes;
    TensorId result = adc->out;
    std::optional<Tail> tail = bnTail(adc->out, adcRange, bnK, bnL, absorbed);
    if (tail) {
      result = tail->out;
      setRequant(f, tail->shift, closeBounds(tail->bounds, dtype(tail->out)));
      ++stats_.analogConv2d;
    } else {  // identity BN: the mul/add (if any) stay as they are
      setRequant(f, 0, adcRange);
      ++stats_.analogConv2dPartial;
    }
    const std::string base = conv.name;
    const std::vector<TensorId> xw{conv.inputs[0], conv.inputs[1]};
    f.inputs = {xw[0], xw[1], perChannelConstant(base + ".bn_k", bnK),
                perChannelConstant(base + ".bn_l", bnL)};
    f.outputs = {result};
    replace(i, std::move(f), absorbed);
    return true;
  }

  // mul(per-channel k) -> add(per-channel l) -> [shift_right] -> clip+ after the ADC clips; on a
  // match fills k, l and `absorbed`. Not matched if a * k[c] + l[c] over the ADC range could leave
  // int32 or the dtypes of the unfused mul/add outputs.
  std::optional<Tail> bnTail(TensorId a, std::pair<int64_t, int64_t> adc, std::vector<int64_t>& k,
                             std::vector<int64_t>& l, std::vector<size_t>& absorbed) const {
    std::optional<size_t> mul = soleReader(a, OpKind::Mul);
    if (!mul) return std::nullopt;
    std::optional<std::vector<int64_t>> kv = constOperand(*mul, a);
    if (!kv) return std::nullopt;
    std::optional<size_t> add = soleReader(out(*mul), OpKind::Add);
    if (!add) return std::nullopt;
    std::optional<std::vector<int64_t>> lv = constOperand(*add, out(*mul));
    if (!lv) return std::nullopt;
    LinearRange prod, sum;
    for (size_t c = 0; c < kv->size(); ++c)
      for (int64_t v : {adc.first, adc.second}) {
        prod.add(v * (*kv)[c]);  // |v| < 2^31 and |k| < 2^31: exact in int64
        sum.add(v * (*kv)[c] + (*lv)[c]);
      }
    if (!prod.fits(dtype(out(*mul))) || !prod.fits(DType::I32)) return std::nullopt;
    if (!sum.fits(dtype(out(*add))) || !sum.fits(DType::I32)) return std::nullopt;
    std::optional<Tail> tail = requantTail(out(*add));
    if (!tail) return std::nullopt;
    k = *kv;
    l = *lv;
    absorbed.push_back(*mul);
    absorbed.push_back(*add);
    absorbed.insert(absorbed.end(), tail->nodes.begin(), tail->nodes.end());
    return tail;
  }

  // clip(clip(x)) -> clip(x) when the inner result has no other reader.
  void mergeClips(size_t i) {
    const TensorId in = g_.nodes[i].inputs[0];
    // producer_ predates the fusions: a tensor now produced by a fused node still names the
    // (claimed) last clip of its chain, which correctly rules out a merge.
    const int p = producer_[static_cast<size_t>(in)];
    if (p < 0 || ix_.claimed[static_cast<size_t>(p)]) return;
    const Node& inner = node(static_cast<size_t>(p));
    if (inner.op != OpKind::Clip || soleReader(in, OpKind::Clip) != i) return;
    const bool integer = isInteger(dtype(in));
    if (!usableBounds(inner, integer) || !usableBounds(node(i), integer)) return;
    Bounds b = then(then(Bounds{}, inner), node(i));
    Node& outer = g_.nodes[i];
    outer.inputs[0] = inner.inputs[0];
    outer.attrs["lo"] = b.lo;
    outer.attrs["hi"] = b.hi;
    if (ix_.reader[static_cast<size_t>(inner.inputs[0])] == p)
      ix_.reader[static_cast<size_t>(inner.inputs[0])] = static_cast<int>(i);
    ix_.claimed[static_cast<size_t>(p)] = 1;
    ++stats_.clipMerges;
  }

  Graph& g_;
  FusionIndex ix_;
  std::vector<int> producer_;
  FuseRequantStats stats_;
};

}  // namespace

Result<FuseRequantStats> fuseRequant(Graph& g) {
  HTVM_TRY(verify(g));
  FuseRequantStats stats = Fuser(g).run();
  Status s = verify(g);
  HTVM_CHECK(s.ok()) << "fuseRequant produced an invalid graph: " << s.diag().message;
  return stats;
}

}  // namespace htvm
