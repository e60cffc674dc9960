// L1 placement of scheduled accelerator layers and resident tensors. See l1_plan.h.
#include "memory/l1_plan.h"

#include <algorithm>

#include "ir/op_registry.h"

namespace htvm {
namespace {

int64_t alignUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
int64_t alignDown(int64_t v, int64_t m) { return v >= 0 ? v / m * m : -((-v + m - 1) / m * m); }

struct Slot {
  int64_t off = 0, bytes = 0;
  bool overlaps(int64_t o, int64_t b) const { return off < o + b && o < off + bytes; }
};

bool freeAt(const std::vector<Slot>& used, int64_t off, int64_t bytes, int64_t limit) {
  if (off < 0 || off + bytes > limit) return false;
  for (const Slot& s : used)
    if (s.overlaps(off, bytes)) return false;
  return true;
}

// Lowest aligned offset where `bytes` fit between the used slots.
std::optional<int64_t> fitBottom(const std::vector<Slot>& used, int64_t bytes, int64_t limit,
                                 int64_t align) {
  std::vector<int64_t> tries{0};
  for (const Slot& s : used) tries.push_back(alignUp(s.off + s.bytes, align));
  std::sort(tries.begin(), tries.end());
  for (int64_t o : tries)
    if (freeAt(used, o, bytes, limit)) return o;
  return std::nullopt;
}

// Highest aligned offset where `bytes` fit between the used slots.
std::optional<int64_t> fitTop(const std::vector<Slot>& used, int64_t bytes, int64_t limit,
                              int64_t align) {
  std::vector<int64_t> tries{alignDown(limit - bytes, align)};
  for (const Slot& s : used) tries.push_back(alignDown(s.off - bytes, align));
  std::sort(tries.rbegin(), tries.rend());
  for (int64_t o : tries)
    if (freeAt(used, o, bytes, limit)) return o;
  return std::nullopt;
}

// Activation operands of a node: its non-constant inputs, in order.
std::vector<TensorId> activations(const Graph& g, const Node& n) {
  std::vector<TensorId> v;
  for (TensorId t : n.inputs)
    if (t >= 0 && !g.tensor(t).isConstant()) v.push_back(t);
  return v;
}

bool live(const L1Resident& r, int32_t accel, size_t i) {
  return r.accel == accel && r.producer <= i && i <= r.lastConsumer;
}

}  // namespace

Result<L1Plan> planL1(const Graph& g, const L1Limits& limits,
                      const std::vector<std::optional<LayerSchedule>>& schedules) {
  HTVM_CHECK(schedules.size() == g.nodes.size()) << "one schedule slot per node";
  L1Plan plan;
  plan.layers.resize(g.nodes.size());
  std::vector<std::vector<int>> consumers = std::vector<std::vector<int>>(g.tensors.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId t : g.nodes[i].inputs)
      if (t >= 0) consumers[static_cast<size_t>(t)].push_back(static_cast<int>(i));

  // 1. Resident slots, top-down, in producer order.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    HTVM_CHECK((n.accel >= 0) == schedules[i].has_value())
        << nodeRef(n) << ": schedule iff accelerator layer";
    if (n.accel < 0 || !schedules[i]->outResident) continue;
    size_t a = static_cast<size_t>(n.accel);
    L1Resident r;
    r.tensor = n.outputs[0];
    r.accel = n.accel;
    r.bytes = schedules[i]->outBufBytes;
    r.producer = r.lastConsumer = i;
    for (int c : consumers[static_cast<size_t>(r.tensor)]) {
      const Node& cn = g.nodes[static_cast<size_t>(c)];
      std::vector<TensorId> acts = activations(g, cn);
      bool reads = false;
      for (size_t k = 0; k < acts.size(); ++k)
        reads = reads ||
                (acts[k] == r.tensor && cn.accel == n.accel && schedules[static_cast<size_t>(c)] &&
                 schedules[static_cast<size_t>(c)]->inResident.at(k));
      HTVM_CHECK(reads) << nodeRef(cn) << " reads resident tensor '" << g.tensor(r.tensor).name
                        << "' from L2";
      r.lastConsumer = std::max(r.lastConsumer, static_cast<size_t>(c));
    }
    std::vector<Slot> used;
    for (const L1Resident& o : plan.residents)
      if (o.accel == r.accel && o.producer <= r.lastConsumer && r.producer <= o.lastConsumer)
        used.push_back({o.offset, o.bytes});
    std::optional<int64_t> off = fitTop(used, r.bytes, limits.activationBytes[a], limits.alignment);
    if (!off)
      return error() << "tensor '" << g.tensor(r.tensor).name << "' (" << r.bytes
                     << " B) cannot stay in the L1 of "
                     << "accelerator " << n.accel << " from " << nodeRef(n)
                     << " to its last consumer";
    r.offset = *off;
    plan.residents.push_back(r);
  }
  auto slotOf = [&](TensorId t) -> const L1Resident& {
    for (const L1Resident& r : plan.residents)
      if (r.tensor == t) return r;
    HTVM_CHECK(false) << "tensor '" << g.tensor(t).name << "' marked resident by its consumer only";
    return plan.residents.front();
  };

  // 2. Working buffers of each layer, bottom-up around the slots live during it.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.accel < 0) continue;
    size_t a = static_cast<size_t>(n.accel);
    HTVM_CHECK(a < limits.activationBytes.size())
        << nodeRef(n) << ": unknown accelerator " << n.accel;
    const LayerSchedule& s = *schedules[i];
    L1LayerPlan& lp = plan.layers[i];
    lp.accel = n.accel;
    lp.schedule = s;
    std::vector<Slot> used;
    for (const L1Resident& r : plan.residents)
      if (live(r, n.accel, i)) {
        used.push_back({r.offset, r.bytes});
        lp.used = std::max(lp.used, r.offset + r.bytes);
      }
    int64_t limit = limits.activationBytes[a];
    auto place = [&](TensorId t, int64_t bytes) -> Result<L1Buffer> {
      std::optional<int64_t> off = fitBottom(used, bytes, limit, limits.alignment);
      if (!off)
        return error() << nodeRef(n) << ": needs a " << bytes << " B buffer for '"
                       << g.tensor(t).name << "' but accelerator " << n.accel
                       << " has no room left in its " << limit << " B of L1";
      used.push_back({*off, bytes});
      lp.used = std::max(lp.used, *off + bytes);
      return L1Buffer{t, *off, bytes};
    };
    std::vector<TensorId> acts = activations(g, n);
    HTVM_CHECK(acts.size() == s.inBufCount.size())
        << nodeRef(n) << ": schedule has " << s.inBufCount.size() << " operands, node "
        << acts.size();
    for (size_t k = 0; k < acts.size(); ++k) {
      std::vector<int64_t> offs;
      if (s.inResident[k]) {
        const L1Resident& r = slotOf(acts[k]);
        HTVM_CHECK(r.accel == n.accel && s.inBufBytes[k] <= r.bytes)
            << nodeRef(n) << ": resident operand on another accelerator or larger than its slot";
        lp.inputs.push_back({acts[k], r.offset, r.bytes});
        offs.push_back(r.offset);
      } else {
        for (int32_t b = 0; b < s.inBufCount[k]; ++b) {
          Result<L1Buffer> buf = place(acts[k], s.inBufBytes[k]);
          if (!buf.ok()) return buf.diag();
          if (b == 0) lp.inputs.push_back(*buf);
          offs.push_back(buf->offset);
        }
      }
      lp.inputOffsets.push_back(offs);
    }
    TensorId out = n.outputs[0];
    if (s.outResident) {
      const L1Resident& r = slotOf(out);
      lp.output = {out, r.offset, r.bytes};
      lp.outputOffsets = {r.offset};
    } else {
      for (int32_t b = 0; b < s.outBufCount; ++b) {
        Result<L1Buffer> buf = place(out, s.outBufBytes);
        if (!buf.ok()) return buf.diag();
        if (b == 0) lp.output = *buf;
        lp.outputOffsets.push_back(buf->offset);
      }
    }
  }
  return plan;
}

bool l1PlanIsValid(const L1Plan& p, const L1Limits& limits) {
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const L1LayerPlan& lp = p.layers[i];
    if (lp.accel < 0) continue;
    const LayerSchedule& s = lp.schedule;
    int64_t limit = limits.activationBytes[static_cast<size_t>(lp.accel)];
    std::vector<Slot> all;
    for (const L1Resident& r : p.residents)
      if (live(r, lp.accel, i)) all.push_back({r.offset, r.bytes});
    for (size_t k = 0; k < lp.inputOffsets.size(); ++k) {
      if (s.inResident[k]) continue;  // its slot is among the live residents
      for (int64_t o : lp.inputOffsets[k]) all.push_back({o, s.inBufBytes[k]});
    }
    if (!s.outResident)
      for (int64_t o : lp.outputOffsets) all.push_back({o, s.outBufBytes});
    for (size_t x = 0; x < all.size(); ++x) {
      if (all[x].off < 0 || all[x].off + all[x].bytes > limit || all[x].off % limits.alignment != 0)
        return false;
      for (size_t y = x + 1; y < all.size(); ++y)
        if (all[x].overlaps(all[y].off, all[y].bytes)) return false;
    }
  }
  return true;
}

}  // namespace htvm
