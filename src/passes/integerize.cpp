#include "passes/integerize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "ir/op_registry.h"
#include "ir/verify.h"

namespace htvm {
namespace {

constexpr double kExact = 16777216.0;  // 2^24: float32 represents every integer up to here
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Range {
  double lo = -kInf;
  double hi = kInf;
  bool finite() const { return std::isfinite(lo) && std::isfinite(hi); }
  double maxAbs() const { return std::max(std::fabs(lo), std::fabs(hi)); }
};

// What the abstract interpretation knows about one source tensor.
struct Value {
  enum class Kind { Float, Int, Scaled };
  Kind kind = Kind::Float;
  TensorId id = -1;       // tensor in the new graph (for Scaled: the integer numerator)
  Range range;            // Int/Scaled: range of the integers in `id`; Float: bounds if integral
  bool integral = false;  // Float only: every element is an integer
  double divisor = 1.0;   // Scaled: value = fl32(id / divisor)
};

bool isIntegral(double v) { return std::isfinite(v) && std::floor(v) == v; }

// 2^k for integer k with |k| < 64, else nullopt.
std::optional<int> powerOfTwoExponent(double v) {
  if (!(v > 0) || !std::isfinite(v)) return std::nullopt;
  int e = 0;
  double m = std::frexp(v, &e);  // v = m * 2^e, m in [0.5, 1)
  if (m != 0.5) return std::nullopt;
  return e - 1;
}

// floor(fl32(x / n)) == floor(x / n) for integers |x| < 2^24 and a positive integer n: if x/n is
// not an integer its distance to the next integer in either direction is at least 1/n, while the
// float32 rounding error of q = x/n is at most half an ulp. With 2^(m-1) <= |q| < 2^m the half ulp
// is 2^(m-25), and 2^(m-1) <= |q| < 2^24/n gives 2^(m-25) < 1/n: rounding can never reach the next
// integer, so floor is unchanged. If x/n is an integer below 2^24 it is exact.
bool floorDivIsExact(const Range& x) { return x.finite() && x.maxAbs() < kExact; }

class Integerizer {
 public:
  explicit Integerizer(const Graph& src) : src_(src), values_(src.tensors.size()) {}

  Result<IntegerizeResult> run() {
    out_.name = src_.name;
    for (TensorId in : src_.inputs) {
      const Tensor& t = src_.tensor(in);
      if (t.type.dtype != DType::F32)
        return error() << "graph input '" << t.name << "' must be float32";
      Value v;
      v.id = out_.addTensor({t.name, t.type, std::nullopt});
      values_[static_cast<size_t>(in)] = v;
      out_.inputs.push_back(v.id);
      sameValue_[t.name] = v.id;
    }
    for (const Node& n : src_.nodes) {
      Result<Value> v = visit(n);
      if (!v.ok()) return v.diag();
      Value val = v.value();
      if (val.kind == Value::Kind::Float) val = maybeToInt(val, n);
      values_[static_cast<size_t>(n.outputs[0])] = val;
      if (val.kind != Value::Kind::Scaled) sameValue_[src_.tensor(n.outputs[0]).name] = val.id;
    }
    for (TensorId o : src_.outputs) {
      const std::string& name = src_.tensor(o).name;
      if (src_.tensor(o).isConstant()) return error() << "graph output '" << name << "' is a constant";
      Node at;  // the materializing ops are attributed to the output they produce
      at.name = name;
      at.sourceOp = "output";
      for (const Node& n : src_.nodes)
        if (n.outputs[0] == o) at = n;
      TensorId f = asFloat(values_[static_cast<size_t>(o)], at);
      out_.tensor(f).name = name;
      out_.outputs.push_back(f);
      sameValue_[name] = f;
    }
    Status s = verify(out_);
    HTVM_CHECK(s.ok()) << "integerize produced an invalid graph: " << s.diag().message;
    return IntegerizeResult{std::move(out_), std::move(sameValue_)};
  }

 private:
  // ---- values and constants ----

  bool isConst(TensorId id) const { return id >= 0 && src_.tensor(id).isConstant(); }
  const std::vector<double>& constData(TensorId id) const { return *src_.tensor(id).data; }

  bool constIntegral(TensorId id) const {
    for (double v : constData(id))
      if (!isIntegral(v) || std::fabs(v) > kExact) return false;
    return true;
  }

  Range constRange(TensorId id) const {
    const auto& d = constData(id);
    Range r{kInf, -kInf};
    for (double v : d) r = {std::min(r.lo, v), std::max(r.hi, v)};
    return r;
  }

  std::optional<double> scalarConst(TensorId id) const {
    if (!isConst(id) || constData(id).size() != 1) return std::nullopt;
    return constData(id)[0];
  }

  TensorId intConst(TensorId id, std::optional<DType> forced = std::nullopt) {
    const Tensor& t = src_.tensor(id);
    Range r = constRange(id);
    DType dt = forced ? *forced : smallestIntType(static_cast<int64_t>(r.lo), static_cast<int64_t>(r.hi));
    auto key = std::make_pair(id, static_cast<int>(dt));
    auto it = intConsts_.find(key);
    if (it != intConsts_.end()) return it->second;
    TensorId nid = out_.addConstant(t.name, {dt, t.type.shape}, *t.data);
    intConsts_[key] = nid;
    return nid;
  }

  TensorId floatConst(TensorId id) {
    auto it = floatConsts_.find(id);
    if (it != floatConsts_.end()) return it->second;
    const Tensor& t = src_.tensor(id);
    TensorId nid = out_.addConstant(t.name, {DType::F32, t.type.shape}, *t.data);
    floatConsts_[id] = nid;
    return nid;
  }

  TensorId scalarF32(double v, const std::string& name) {
    return out_.addConstant(name, {DType::F32, {1}}, {static_cast<double>(static_cast<float>(v))});
  }

  TensorId scalarInt(double v, const std::string& name) {
    int64_t i = static_cast<int64_t>(v);
    return out_.addConstant(name, {smallestIntType(i, i), {1}}, {v});
  }

  Value valueOf(TensorId id) const { return values_.at(static_cast<size_t>(id)); }

  // The value of a source input as an Int, if it is one (constants included).
  std::optional<Value> asInt(TensorId id) {
    if (isConst(id)) {
      if (!constIntegral(id)) return std::nullopt;
      Value v;
      v.kind = Value::Kind::Int;
      v.range = constRange(id);
      v.id = intConst(id);
      return v;
    }
    Value v = valueOf(id);
    if (v.kind != Value::Kind::Int) return std::nullopt;
    return v;
  }

  // ---- emission ----

  TensorId emit(const Node& src, OpKind op, std::vector<TensorId> inputs,
                std::map<std::string, AttrValue> attrs, DType dtype, const std::string& name) {
    Node n;
    n.name = src.name;
    n.sourceOp = src.sourceOp;
    n.op = op;
    n.inputs = std::move(inputs);
    n.attrs = std::move(attrs);
    Result<Shape> shape = OpRegistry::builtin().get(op).shape(out_, n);
    HTVM_CHECK(shape.ok()) << nodeRef(src) << ": " << shape.diag().message;
    n.outputs = {out_.addTensor({name, {dtype, shape.value()}, std::nullopt})};
    out_.addNode(std::move(n));
    return out_.nodes.back().outputs[0];
  }

  const std::string& outName(const Node& n) const { return src_.tensor(n.outputs[0]).name; }

  Value makeInt(TensorId id, Range r) {
    Value v;
    v.kind = Value::Kind::Int;
    v.id = id;
    v.range = r;
    return v;
  }

  DType intTypeFor(const Range& r) const {
    return smallestIntType(static_cast<int64_t>(r.lo), static_cast<int64_t>(r.hi));
  }

  Status checkExact(const Node& n, const Range& r, const char* what) const {
    if (r.finite() && r.maxAbs() <= kExact) return ok();
    return error() << nodeRef(n) << ": " << what << " can reach " << static_cast<int64_t>(r.maxAbs())
                   << " in magnitude, above 2^24 = 16777216 where float32 stops being exact; "
                      "integer and float results could differ, so the model cannot be integerized";
  }

  // Materializes any value as a float32 tensor with exactly the float graph's values.
  TensorId asFloat(const Value& v, const Node& at) {
    if (v.kind == Value::Kind::Float) return v.id;
    TensorId f = emit(at, OpKind::Cast, {v.id}, {}, DType::F32, out_.tensor(v.id).name + ".f32");
    if (v.kind == Value::Kind::Int) return f;
    TensorId d = scalarF32(v.divisor, out_.tensor(v.id).name + ".divisor");
    return emit(at, OpKind::Div, {f, d}, {}, DType::F32, out_.tensor(v.id).name + ".scaled");
  }

  TensorId floatInput(TensorId id, const Node& at) {
    if (isConst(id)) return floatConst(id);
    return asFloat(valueOf(id), at);
  }

  // A float result that is integral and bounded within 2^24 continues as an integer tensor.
  Value maybeToInt(const Value& v, const Node& n) {
    if (!v.integral || !v.range.finite() || v.range.maxAbs() > kExact) return v;
    TensorId id = emit(n, OpKind::Cast, {v.id}, {}, intTypeFor(v.range), outName(n));
    out_.tensor(v.id).name = outName(n) + ".f32";
    return makeInt(id, v.range);
  }

  // Generic fallback: the op in float32, exactly as ONNX evaluates it, with integrality tracking.
  Value floatOp(const Node& n) {
    std::vector<TensorId> ins;
    std::vector<Value> vs;
    for (TensorId i : n.inputs) {
      ins.push_back(i < 0 ? -1 : floatInput(i, n));
      if (i >= 0) vs.push_back(isConst(i) ? constValue(i) : valueOf(i));
    }
    Value r;
    r.id = emit(n, n.op, ins, n.attrs, DType::F32, outName(n));
    auto both = [&] { return vs.size() == 2 && isIntegralValue(vs[0]) && isIntegralValue(vs[1]); };
    switch (n.op) {
      case OpKind::Floor:
        r.integral = true;
        r.range = {std::floor(vs[0].range.lo), std::floor(vs[0].range.hi)};
        break;
      case OpKind::Max:
      case OpKind::Min:
        if (both()) {
          r.integral = true;
          r.range = n.op == OpKind::Max
                        ? Range{std::max(vs[0].range.lo, vs[1].range.lo), std::max(vs[0].range.hi, vs[1].range.hi)}
                        : Range{std::min(vs[0].range.lo, vs[1].range.lo), std::min(vs[0].range.hi, vs[1].range.hi)};
        }
        break;
      case OpKind::Clip: {
        double lo = n.attrFloat("lo"), hi = n.attrFloat("hi");
        if (isIntegralValue(vs[0]) && (isIntegral(lo) || std::isinf(lo)) && (isIntegral(hi) || std::isinf(hi))) {
          r.integral = true;
          r.range = {std::min(std::max(vs[0].range.lo, lo), hi), std::max(std::min(vs[0].range.hi, hi), lo)};
        }
        break;
      }
      case OpKind::Reshape:
        r.integral = isIntegralValue(vs[0]);
        r.range = vs[0].range;
        break;
      default:
        break;  // Add/Mul/... of integral floats are handled by the integer path before we get here
    }
    return r;
  }

  Value constValue(TensorId id) const {
    Value v;
    v.integral = constIntegral(id);
    v.range = constRange(id);
    return v;
  }

  static bool isIntegralValue(const Value& v) {
    return v.kind == Value::Kind::Int || (v.kind == Value::Kind::Float && v.integral);
  }

  // ---- per-op rules ----

  Result<Value> visit(const Node& n) {
    switch (n.op) {
      case OpKind::Conv2D:
      case OpKind::Dense: return visitLinear(n);
      case OpKind::Add:
      case OpKind::Sub:
      case OpKind::Mul: return visitArith(n);
      case OpKind::Max:
      case OpKind::Min: return visitMaxMin(n);
      case OpKind::Clip: return visitClip(n);
      case OpKind::Div: return visitDiv(n);
      case OpKind::Floor: return visitFloor(n);
      case OpKind::GlobalAvgPool: return visitAvgPool(n);
      case OpKind::Reshape: return visitReshape(n);
      default:
        return error() << nodeRef(n) << ": op " << opName(n.op)
                       << " is not expected in a float graph and cannot be integerized";
    }
  }

  Result<Value> visitLinear(const Node& n) {
    const char* kind = n.op == OpKind::Conv2D ? "Conv" : "Gemm";
    std::optional<Value> x = asInt(n.inputs[0]);
    if (!x || isConst(n.inputs[0]))
      return error() << nodeRef(n) << ": input '" << src_.tensor(n.inputs[0]).name
                     << "' is not integer-valued (expected a quantized activation); " << kind
                     << " on float data is not supported";
    TensorId w = n.inputs[1];
    if (!isConst(w) || !constIntegral(w))
      return error() << nodeRef(n) << ": weights '" << src_.tensor(w).name
                     << "' must be constant integers (Quantlib export)";
    TensorId b = n.inputs.size() > 2 ? n.inputs[2] : -1;
    if (b >= 0 && (!isConst(b) || !constIntegral(b)))
      return error() << nodeRef(n) << ": bias '" << src_.tensor(b).name << "' must be constant integers";
    // Zero padding adds zeros to the input, so the range always includes 0.
    Range xr{std::min(x->range.lo, 0.0), std::max(x->range.hi, 0.0)};
    const auto& wd = constData(w);
    const Shape& ws = src_.type(w).shape;
    int64_t outputs = n.op == OpKind::Conv2D || n.attrInt("trans_b") ? ws[0] : ws[1];
    int64_t fan = static_cast<int64_t>(wd.size()) / outputs;
    Range out{kInf, -kInf};
    double worst = 0;
    for (int64_t m = 0; m < outputs; ++m) {
      double bias = b >= 0 ? constData(b)[static_cast<size_t>(m)] : 0.0;
      double lo = bias, hi = bias, mag = std::fabs(bias);
      for (int64_t k = 0; k < fan; ++k) {
        size_t idx = n.op == OpKind::Dense && !n.attrInt("trans_b") ? static_cast<size_t>(k * outputs + m)
                                                                     : static_cast<size_t>(m * fan + k);
        double wv = wd[idx];
        lo += std::min(wv * xr.lo, wv * xr.hi);
        hi += std::max(wv * xr.lo, wv * xr.hi);
        mag += std::fabs(wv) * xr.maxAbs();
      }
      out = {std::min(out.lo, lo), std::max(out.hi, hi)};
      worst = std::max(worst, mag);
    }
    // Every partial sum, in any order, is bounded by `worst`.
    HTVM_TRY(checkExact(n, Range{-worst, worst}, "the accumulator"));
    std::vector<TensorId> ins{x->id, intConst(w)};
    if (b >= 0) ins.push_back(intConst(b, DType::I32));
    TensorId id = emit(n, n.op, ins, n.attrs, DType::I32, outName(n));
    return makeInt(id, out);
  }

  Result<Value> visitArith(const Node& n) {
    std::optional<Value> a = asInt(n.inputs[0]), b = asInt(n.inputs[1]);
    if (!a || !b) return floatOp(n);
    Range r;
    if (n.op == OpKind::Add) r = {a->range.lo + b->range.lo, a->range.hi + b->range.hi};
    else if (n.op == OpKind::Sub) r = {a->range.lo - b->range.hi, a->range.hi - b->range.lo};
    else {
      double c[4] = {a->range.lo * b->range.lo, a->range.lo * b->range.hi, a->range.hi * b->range.lo,
                     a->range.hi * b->range.hi};
      r = {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
    }
    HTVM_TRY(checkExact(n, r, "the result"));
    return makeInt(emit(n, n.op, {a->id, b->id}, {}, intTypeFor(r), outName(n)), r);
  }

  Value clipInt(const Node& n, const Value& x, double lo, double hi) {
    Range r{std::min(std::max(x.range.lo, lo), hi), std::max(std::min(x.range.hi, hi), lo)};
    std::map<std::string, AttrValue> attrs{{"lo", lo}, {"hi", hi}};
    return makeInt(emit(n, OpKind::Clip, {x.id}, attrs, intTypeFor(r), outName(n)), r);
  }

  Result<Value> visitMaxMin(const Node& n) {
    // Max/Min against an integral scalar is a clip.
    for (int side = 0; side < 2; ++side) {
      std::optional<double> c = scalarConst(n.inputs[static_cast<size_t>(1 - side)]);
      TensorId other = n.inputs[static_cast<size_t>(side)];
      if (!c || !isIntegral(*c) || isConst(other)) continue;
      if (src_.type(other).shape != src_.type(n.outputs[0]).shape) continue;
      std::optional<Value> x = asInt(other);
      if (!x) break;
      return n.op == OpKind::Max ? clipInt(n, *x, *c, kInf) : clipInt(n, *x, -kInf, *c);
    }
    std::optional<Value> a = asInt(n.inputs[0]), b = asInt(n.inputs[1]);
    if (!a || !b) return floatOp(n);
    Range r = n.op == OpKind::Max
                  ? Range{std::max(a->range.lo, b->range.lo), std::max(a->range.hi, b->range.hi)}
                  : Range{std::min(a->range.lo, b->range.lo), std::min(a->range.hi, b->range.hi)};
    return makeInt(emit(n, n.op, {a->id, b->id}, {}, intTypeFor(r), outName(n)), r);
  }

  Result<Value> visitClip(const Node& n) {
    double lo = n.attrFloat("lo"), hi = n.attrFloat("hi");
    std::optional<Value> x = asInt(n.inputs[0]);
    bool intBounds = (isIntegral(lo) || lo == -kInf) && (isIntegral(hi) || hi == kInf);
    if (!x || !intBounds || isConst(n.inputs[0])) return floatOp(n);
    return clipInt(n, *x, lo, hi);
  }

  Result<Value> visitDiv(const Node& n) {
    std::optional<double> d = scalarConst(n.inputs[1]);
    std::optional<Value> x = isConst(n.inputs[0]) ? std::nullopt : asInt(n.inputs[0]);
    if (!d || !x || !(*d > 0) || !std::isfinite(*d)) return floatOp(n);
    double divisor = static_cast<double>(static_cast<float>(*d));
    std::optional<int> e = powerOfTwoExponent(divisor);
    if (e && *e <= 0) {
      // Division by 2^-k is an exact multiplication by 2^k in float32.
      double f = std::ldexp(1.0, -*e);
      Range r{x->range.lo * f, x->range.hi * f};
      HTVM_TRY(checkExact(n, r, "the result"));
      if (f == 1.0) return *x;
      TensorId k = scalarInt(f, outName(n) + ".factor");
      return makeInt(emit(n, OpKind::Mul, {x->id, k}, {}, intTypeFor(r), outName(n)), r);
    }
    Value v = *x;
    v.kind = Value::Kind::Scaled;
    v.divisor = divisor;
    return v;
  }

  Result<Value> visitFloor(const Node& n) {
    if (isConst(n.inputs[0])) return floatOp(n);
    Value x = valueOf(n.inputs[0]);
    if (x.kind == Value::Kind::Int) return x;  // floor of an integer is itself
    if (x.kind == Value::Kind::Float) return floatOp(n);
    double d = x.divisor;
    std::optional<int> e = powerOfTwoExponent(d);
    Range r;
    if (e && *e > 0) {
      r = {std::floor(x.range.lo / d), std::floor(x.range.hi / d)};
      return makeInt(emit(n, OpKind::ShiftRight, {x.id}, {{"shift", int64_t{*e}}}, intTypeFor(r), outName(n)), r);
    }
    if (isIntegral(d) && floorDivIsExact(x.range)) {
      r = {std::floor(x.range.lo / d), std::floor(x.range.hi / d)};
      return makeInt(emit(n, OpKind::FloorDiv, {x.id}, {{"divisor", static_cast<int64_t>(d)}},
                          intTypeFor(r), outName(n)),
                     r);
    }
    // floor(fl32(x)/fl32(d)) is monotone in x, so the range follows from the end points.
    auto q = [&](double v) { return std::floor(static_cast<double>(static_cast<float>(v) / static_cast<float>(d))); };
    r = {q(x.range.lo), q(x.range.hi)};
    return makeInt(emit(n, OpKind::FloorDivF32, {x.id}, {{"divisor", d}}, intTypeFor(r), outName(n)), r);
  }

  Result<Value> visitAvgPool(const Node& n) {
    std::optional<Value> x = isConst(n.inputs[0]) ? std::nullopt : asInt(n.inputs[0]);
    if (!x) return floatOp(n);
    const Shape& s = src_.type(n.inputs[0]).shape;
    double count = static_cast<double>(s[2] * s[3]);
    Range r{x->range.lo * count, x->range.hi * count};
    // The float sum is exact in any order while every partial sum stays within 2^24.
    HTVM_TRY(checkExact(n, Range{-x->range.maxAbs() * count, x->range.maxAbs() * count}, "the pooling sum"));
    Value v = makeInt(emit(n, OpKind::GlobalSum, {x->id}, {}, DType::I32, outName(n) + ".sum"), r);
    if (count == 1.0) return v;
    v.kind = Value::Kind::Scaled;
    v.divisor = count;
    return v;
  }

  Result<Value> visitReshape(const Node& n) {
    if (isConst(n.inputs[0])) return floatOp(n);
    Value x = valueOf(n.inputs[0]);
    if (x.kind == Value::Kind::Float) return floatOp(n);
    Value v = x;
    std::string name = x.kind == Value::Kind::Scaled ? outName(n) + ".num" : outName(n);
    v.id = emit(n, OpKind::Reshape, {x.id}, n.attrs, out_.type(x.id).dtype, name);
    return v;
  }

  const Graph& src_;
  Graph out_;
  std::vector<Value> values_;
  std::map<std::string, TensorId> sameValue_;
  std::map<std::pair<TensorId, int>, TensorId> intConsts_;
  std::map<TensorId, TensorId> floatConsts_;
};

}  // namespace

Result<IntegerizeResult> integerize(const Graph& floatGraph) { return Integerizer(floatGraph).run(); }

}  // namespace htvm
