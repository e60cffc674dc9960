// Legality rules of the fused patterns (HTVM's checks, DIANA.md section 5), driven by the
// constraint structs of the platform file. Checks run in a fixed order (types, layout, requant,
// geometry, operands) and every failure is reported in that order.
#include "partition/legality.h"

#include <algorithm>

#include "ir/layout.h"
#include "platform/cost_model.h"

namespace htvm {
namespace {

using Why = std::optional<std::string>;

// Every rule of a pattern that the node breaks, in check order: a user fixing a layer sees all
// of them at once, not one per compile. A rule whose premise already failed (the values of a
// weight tensor that is not a constant) is skipped rather than reported twice.
struct Failures {
  std::vector<std::string> rules;
  void add(Why w) {
    if (w) rules.push_back(std::move(*w));
  }
  void add(std::string w) { rules.push_back(std::move(w)); }
};

std::string typeName(DType t) { return "int" + std::to_string(8 * dtypeBytes(t)); }

std::string setStr(const std::vector<int64_t>& v) {
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "}";
}

std::string rangeStr(int64_t lo, int64_t hi) {
  return "[" + std::to_string(lo) + "," + std::to_string(hi) + "]";
}

std::string clipsStr(const std::vector<ClipRange>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + rangeStr(v[i].lo, v[i].hi);
  return s;
}

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool hasInput(const Node& n, size_t i) { return n.inputs.size() > i && n.inputs[i] >= 0; }

struct Act {
  const char* label;  // "input", "input a", ...
  TensorId id;
};

// The activation inputs of a fused node (weights and per-channel constants excluded).
std::vector<Act> activations(const Node& n) {
  if (n.op == OpKind::QAdd) return {{"input a", n.inputs[0]}, {"input b", n.inputs[1]}};
  return {{"input", n.inputs[0]}};
}

Why dtypeIs(const std::string& what, DType actual, DType want) {
  if (actual == want) return std::nullopt;
  return what + " dtype " + typeName(actual) + ", expected " + typeName(want);
}

Why clipIn(const char* what, int64_t lo, int64_t hi, const std::vector<ClipRange>& allowed) {
  for (const ClipRange& c : allowed)
    if (c.lo == lo && c.hi == hi) return std::nullopt;
  return std::string(what) + " " + rangeStr(lo, hi) + " not one of " + clipsStr(allowed);
}

void checkRequant(const Graph& g, const Node& n, const RequantRules& r, Layout layout,
                  Failures& f) {
  std::vector<Act> all = activations(n);
  all.push_back({"output", n.outputs[0]});
  // A layout is defined for its element type only, so an operand of the wrong dtype is reported
  // once, for its dtype.
  std::vector<bool> dtypeOk;
  for (size_t i = 0; i < all.size(); ++i) {
    Why why = dtypeIs(all[i].label, g.type(all[i].id).dtype,
                      i + 1 < all.size() ? r.inputDtype : r.outputDtype);
    dtypeOk.push_back(!why);
    f.add(why);
  }
  for (size_t i = 0; i < all.size(); ++i)
    if (const Act& a = all[i]; dtypeOk[i] && !layoutApplies(g.type(a.id), layout))
      f.add(std::string(a.label) + " " + g.type(a.id).str() + " cannot be stored in layout " +
            layoutName(layout));
  int64_t shift = n.attrInt("shift"), lo = n.attrInt("lo"), hi = n.attrInt("hi");
  if (!r.shift.contains(shift))
    f.add("shift " + std::to_string(shift) + " not in " + rangeStr(r.shift.min, r.shift.max));
  if (!r.clip.empty()) {
    f.add(clipIn("clip", lo, hi, r.clip));
  } else if (lo < dtypeMin(r.outputDtype) || hi > dtypeMax(r.outputDtype)) {
    f.add("clip " + rangeStr(lo, hi) + " exceeds " + typeName(r.outputDtype));
  }
  for (const Act& a : all) {
    int64_t e = g.type(a.id).elements();
    if (e % r.elementMultiple != 0)
      f.add(std::string(a.label) + " elements " + std::to_string(e) + " not a multiple of " +
            std::to_string(r.elementMultiple));
  }
}

void checkConv(const Graph& g, const Node& n, const ConvRules& r, Failures& f) {
  ConvDims d = convDims(g, n);
  if (!contains(r.kernelSizes, d.kh) || !contains(r.kernelSizes, d.kw))
    f.add("kernel " + std::to_string(d.kh) + "x" + std::to_string(d.kw) + " not in " +
          setStr(r.kernelSizes));
  std::string strides = std::to_string(d.strideH) + "x" + std::to_string(d.strideW);
  if (!contains(r.strides, d.strideH) || !contains(r.strides, d.strideW))
    f.add("stride " + strides + " not in " + setStr(r.strides));
  else if (r.stridesEqual && d.strideH != d.strideW)
    f.add("stride " + strides + " not equal in both dims");
  const Ints& dil = n.attrInts("dilations");
  if (!contains(r.dilations, dil[0]) || !contains(r.dilations, dil[1]))
    f.add("dilation " + std::to_string(dil[0]) + "x" + std::to_string(dil[1]) + " not in " +
          setStr(r.dilations));
  int64_t group = n.attrInt("group");
  bool one = group == 1;
  auto allowed = [&](GroupRule k) {
    return std::find(r.groups.begin(), r.groups.end(), k) != r.groups.end();
  };
  if (!(one && allowed(GroupRule::One)) && !(d.depthwise && allowed(GroupRule::Depthwise))) {
    std::string set;
    for (GroupRule k : r.groups)
      set += (set.empty() ? "" : ", ") + std::string(k == GroupRule::One ? "1" : "depthwise");
    f.add("groups " + std::to_string(group) + (d.depthwise ? " (depthwise)" : "") + " not in {" +
          set + "}");
  }
  if (r.padding == PaddingRule::Same) {
    std::string pads = "[" + std::to_string(d.padT) + "," + std::to_string(d.padL) + "," +
                       std::to_string(d.padB) + "," + std::to_string(d.padR) + "]";
    if (d.padT != d.padB || d.padL != d.padR)
      f.add("padding " + pads + " (t,l,b,r) not symmetric");
    // HTVM's lenient "same" test: only a conv failing k - 2p == 1 on both axes is rejected.
    else if (d.kh - 2 * d.padT != 1 && d.kw - 2 * d.padL != 1)
      f.add("padding " + pads + " (t,l,b,r) not 'same' for kernel " + std::to_string(d.kh) + "x" +
            std::to_string(d.kw) + " (k - 2p != 1 on both axes)");
  }
}

// Whether input `input` is a constant; adds the failure when it is not.
bool checkConstant(const Graph& g, const Node& n, size_t input, const std::string& what,
                   Failures& f) {
  if (g.tensor(n.inputs[input]).isConstant()) return true;
  f.add(what + " not a constant");
  return false;
}

void checkWeightsAndBias(const Graph& g, const Node& n, DType weightDtype, DType biasDtype,
                         bool biasRequired, Failures& f) {
  checkConstant(g, n, 1, "weights", f);
  f.add(dtypeIs("weights", g.type(n.inputs[1]).dtype, weightDtype));
  if (!hasInput(n, 2)) {
    if (biasRequired) f.add(std::string("bias missing (required)"));
    return;
  }
  checkConstant(g, n, 2, "bias", f);
  f.add(dtypeIs("bias", g.type(n.inputs[2]).dtype, biasDtype));
}

Why checkValues(const Graph& g, TensorId id, const std::string& what, int64_t lo, int64_t hi) {
  for (double v : *g.tensor(id).data)
    if (v < static_cast<double>(lo) || v > static_cast<double>(hi))
      return what + ": value " + std::to_string(static_cast<int64_t>(v)) + " outside " +
             rangeStr(lo, hi);
  return std::nullopt;
}

void checkQConv(const Graph& g, const Node& n, const QConvPattern& p, Failures& f) {
  checkRequant(g, n, p.requant, p.layout, f);
  checkConv(g, n, p.conv, f);
  checkWeightsAndBias(g, n, p.weightDtype, p.biasDtype, p.biasRequired, f);
}

void checkQDense(const Graph& g, const Node& n, const QDensePattern& p, Failures& f) {
  checkRequant(g, n, p.requant, p.layout, f);
  checkWeightsAndBias(g, n, p.weightDtype, p.biasDtype, p.biasRequired, f);
}

void checkQAdd(const Graph& g, const Node& n, const QAddPattern& p, Failures& f) {
  const Shape& a = g.type(n.inputs[0]).shape;
  const Shape& b = g.type(n.inputs[1]).shape;
  if (p.equalShapes && a != b)
    f.add("operand shapes " + shapeStr(a) + " and " + shapeStr(b) + " differ");
  checkRequant(g, n, p.requant, p.layout, f);
}

void checkAnalogConv(const Graph& g, const Node& n, const AnalogConvPattern& p, Failures& f) {
  checkRequant(g, n, p.requant, p.layout, f);
  checkConv(g, n, p.conv, f);
  f.add(clipIn("adc clip", n.attrInt("adc_lo"), n.attrInt("adc_hi"), p.adcClip));
  bool weightsConstant = checkConstant(g, n, 1, "weights", f);
  f.add(dtypeIs("weights", g.type(n.inputs[1]).dtype, p.weightDtype));
  if (weightsConstant) {
    bool ternary = p.weightValues.min == -1 && p.weightValues.max == 1;
    f.add(checkValues(g, n.inputs[1], ternary ? "weights not ternary" : "weights",
                      p.weightValues.min, p.weightValues.max));
  }
  std::string bn = " (" + typeName(p.bnDtype) + ")";
  if (checkConstant(g, n, 2, "bn_k", f))
    f.add(checkValues(g, n.inputs[2], "bn_k" + bn, dtypeMin(p.bnDtype), dtypeMax(p.bnDtype)));
  if (checkConstant(g, n, 3, "bn_l", f))
    f.add(checkValues(g, n.inputs[3], "bn_l" + bn, dtypeMin(p.bnDtype), dtypeMax(p.bnDtype)));
}

}  // namespace

std::optional<Layout> patternLayout(const AcceleratorDesc& a, OpKind op) {
  if (const PatternHead* p = a.patterns.of(op)) return p->layout;
  return std::nullopt;
}

std::vector<std::string> illegalRules(const Graph& g, const Node& n, const AcceleratorDesc& a) {
  Failures f;
  switch (n.op) {
    case OpKind::QConv2D: checkQConv(g, n, *a.patterns.qconv2d, f); break;
    case OpKind::QDense: checkQDense(g, n, *a.patterns.qdense, f); break;
    case OpKind::QAdd: checkQAdd(g, n, *a.patterns.qadd, f); break;
    case OpKind::AnalogConv2D: checkAnalogConv(g, n, *a.patterns.analogConv2d, f); break;
    default: HTVM_CHECK(false) << "no pattern for " << n.name;
  }
  if (a.backend->extraRules) a.backend->extraRules(g, n, a, f.rules);
  return f.rules;
}

std::optional<std::string> illegalReason(const Graph& g, const Node& n, const AcceleratorDesc& a) {
  std::vector<std::string> rules = illegalRules(g, n, a);
  if (rules.empty()) return std::nullopt;
  std::string s;
  for (const std::string& r : rules) s += (s.empty() ? "" : " and ") + r;
  return s;
}

}  // namespace htvm
