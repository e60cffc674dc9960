// Exhaustive tile-count search with a setup-cost bound. See tiler.h.
#include "tiling/tiler.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "ir/op_registry.h"
#include "tiling/schedule_cost.h"

namespace htvm {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The balanced tile sizes of a dimension of size n in units of `unit` elements: for every tile
// count, unit * ceil(ceil(n / unit) / count), capped at n; largest first.
std::vector<int64_t> balancedSizes(int64_t n, int64_t unit) {
  std::vector<int64_t> out;
  int64_t units = ceilDiv(n, unit);
  for (int64_t count = 1; count <= units; ++count) {
    int64_t size = std::min(n, unit * ceilDiv(units, count));
    if (out.empty() || out.back() != size) out.push_back(size);
  }
  return out;
}

struct Candidate {
  TileSizes sizes;
  int64_t steps = 0;
  int64_t jobsPerStep = 1;
  int64_t bound = 0;  // lower bound of the elapsed cycles: all job work (setup + weights + compute)
};

// Jobs run one at a time and the host configures each between them, so their setup, weight
// streaming and compute add up on every schedule: a lower bound of the elapsed time.
int64_t jobWork(const TileLayer& l, const TileSizes& z, const AcceleratorDesc& a) {
  int64_t total = 0;
  for (const TileClass& c : tileClasses(l, z, a)) {
    JobCycles j = tileJobCycles(l, c.job, a);
    total += c.count * j.count * (j.setup + j.compute + j.weights);
  }
  return total;
}

std::vector<Candidate> candidates(const TileLayer& l, const AcceleratorDesc& a,
                                  ScheduleStyle style) {
  std::vector<int64_t> ks{0}, hs{0}, ws{0}, bs{0};
  const ConvDims& d = l.conv;
  switch (l.shape) {
    case TileShape::Window:
      ks = l.kMultiple == 0 ? std::vector<int64_t>{d.k} : balancedSizes(d.k, l.kMultiple);
      hs = balancedSizes(d.oh, 1);
      ws = !columnTilingAllowed(l) ? std::vector<int64_t>{d.ow} : balancedSizes(d.ow, l.wMultiple);
      break;
    case TileShape::Vector:
      ks = balancedSizes(l.denseK, std::max<int64_t>(l.kMultiple, 1));
      break;
    case TileShape::Flat:
      bs = balancedSizes(l.addBytes, std::max<int64_t>(a.dma.granuleBytes.value, 4));
      break;
  }
  std::vector<BufferScheme> schemes{BufferScheme::Single};
  if (style == ScheduleStyle::Ours) schemes = {BufferScheme::Double, BufferScheme::Single};
  std::vector<Candidate> out;
  for (int64_t k : ks)
    for (int64_t h : hs)
      for (int64_t w : ws)
        for (int64_t b : bs)
          for (BufferScheme s : schemes) {
            Candidate c;
            c.sizes = {k, h, w, b, s};
            c.steps = 1;
            if (k) c.steps *= ceilDiv(l.shape == TileShape::Vector ? l.denseK : d.k, k);
            if (h) c.steps *= ceilDiv(d.oh, h);
            if (w) c.steps *= ceilDiv(d.ow, w);
            if (b) c.steps *= ceilDiv(l.addBytes, b);
            c.jobsPerStep = l.shape == TileShape::Window && d.depthwise ? k : 1;
            out.push_back(c);
          }
  // Smallest bound first, so good schedules come early and the bound ends the search soon;
  // ties: fewer steps (larger tiles); stable for determinism.
  for (Candidate& c : out) c.bound = jobWork(l, c.sizes, a);
  std::stable_sort(out.begin(), out.end(), [](const Candidate& x, const Candidate& y) {
    return std::make_pair(x.bound, x.steps * x.jobsPerStep) <
           std::make_pair(y.bound, y.steps * y.jobsPerStep);
  });
  return out;
}

bool better(const LayerSchedule& x, const LayerSchedule& y) {
  return std::make_tuple(x.cost.elapsed, x.l1Bytes, x.steps.size()) <
         std::make_tuple(y.cost.elapsed, y.l1Bytes, y.steps.size());
}

std::string sizesStr(const TileLayer& l, const TileSizes& z) {
  std::string s;
  auto add = [&](const char* n, int64_t v) {
    s += (s.empty() ? "" : " x ") + std::string(n) + std::to_string(v);
  };
  switch (l.shape) {
    case TileShape::Window:
      if (l.kMultiple != 0) add(l.conv.depthwise ? "C" : "K", z.k);
      add("H", z.h);
      add("W", z.w);
      break;
    case TileShape::Vector: add("K", z.k); break;
    case TileShape::Flat: add("B", z.bytes); break;
  }
  return s;
}

}  // namespace

const char* scheduleStyleName(ScheduleStyle s) {
  return s == ScheduleStyle::Ours ? "ours" : "htvm";
}

Result<TilingResult> tileLayer(const TileLayer& l, const AcceleratorDesc& a,
                               const TilerOptions& o) {
  auto start = std::chrono::steady_clock::now();
  int64_t limit = o.l1Limit > 0 ? o.l1Limit : a.l1.activationBytes.value;
  TilingResult r;
  bool found = false;
  std::string smallestWhy;  // why the candidate needing the least L1 does not fit
  TileSizes smallest;
  int64_t smallestL1 = -1;
  std::vector<Candidate> all = candidates(l, a, o.style);
  for (size_t i = 0; i < all.size(); ++i) {
    const Candidate& c = all[i];
    if (found && c.bound >= r.best.cost.elapsed) {  // and so are all later ones
      r.pruned = static_cast<int64_t>(all.size() - i);
      break;
    }
    LayerSchedule s = buildSchedule(l, c.sizes, a);
    ++r.candidates;
    if (std::optional<std::string> why = tileFits(l, s, a, limit)) {
      if (smallestL1 < 0 || s.l1Bytes <= smallestL1) {
        smallestWhy = *why;
        smallest = c.sizes;
        smallestL1 = s.l1Bytes;
      }
      continue;
    }
    s.cost = costSchedule(l, s, a);
    if (!found || better(s, r.best)) r.best = std::move(s);
    found = true;
    if (o.firstFit) break;
  }
  TileSizes whole{1 << 30, 1 << 30, 1 << 30, int64_t{1} << 40, BufferScheme::Single};
  LayerSchedule w = buildSchedule(l, whole, a);
  if (!o.firstFit && !tileFits(l, w, a, limit)) {
    w.cost = costSchedule(l, w, a);
    r.whole = std::move(w);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!found)
    return error() << "no tiling fits: smallest tiles (" << sizesStr(l, smallest) << ") need "
                   << smallestWhy;
  return r;
}

Result<TilingResult> tileNode(const Graph& g, const Node& n, const AcceleratorDesc& a,
                              const TilerOptions& o) {
  std::optional<TileLayer> l = tileLayerOf(g, n, a);
  if (!l) return error() << a.name << " has no pattern for " << nodeRef(n);
  return tileLayer(*l, a, o);
}

std::string describeSchedule(const TileLayer& l, const LayerSchedule& s) {
  TileSizes z{s.tileK, s.tileH, s.tileW, s.tileBytes, s.scheme};
  std::string counts;
  auto add = [&](int64_t n) { counts += (counts.empty() ? "" : " x ") + std::to_string(n); };
  switch (l.shape) {
    case TileShape::Window:
      if (l.kMultiple != 0) add(s.numK);
      add(s.numH), add(s.numW);
      break;
    case TileShape::Vector:
    case TileShape::Flat: add(static_cast<int64_t>(s.steps.size())); break;
  }
  std::string r = sizesStr(l, z) + " (" + counts + " = " + std::to_string(s.steps.size()) +
                  " tile" + (s.steps.size() == 1 ? "" : "s") + ")";
  r += s.scheme == BufferScheme::Double ? ", double-buffered" : ", single buffer";
  return r;
}

}  // namespace htvm
