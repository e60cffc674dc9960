// Tile geometry and buffer sizes. See tile_geometry.h.
#include "tiling/tile_geometry.h"

#include <algorithm>

#include "ir/layout.h"
#include "support/diag.h"

namespace htvm {
namespace {

// Fixed by the layouts and stream formats (docs/ACCELERATOR_FORMATS.md), not by the PE array.
constexpr int64_t kLanes = 16;  // W16 rows, VEC16 vectors, 16-channel stream blocks
constexpr int64_t kWord = 4;    // REV4 words
constexpr int64_t kLine = 64;   // HWC_C64 pixel lines
constexpr int64_t kU16 = 65535, kU8 = 255;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t m) { return ceilDiv(a, m) * m; }

// The input range that output range [o0, o0 + on) of `out` reads along one axis, clipped to
// [0, in), and the padding left on each side: the window positions outside the tensor. The last
// tile's range runs to the end of the tensor even when its windows stop short of it (a strided
// 1x1 conv skips the last row), so a layer run whole reads exactly the whole tensor, which is what
// an operand kept in L1 by its producer holds.
struct Span {
  int64_t i0 = 0, n = 0, padLo = 0, padHi = 0;
};

Span inputSpan(int64_t o0, int64_t on, int64_t out, int64_t stride, int64_t k, int64_t pad,
               int64_t in) {
  int64_t first = o0 * stride - pad;
  int64_t end = (o0 + on - 1) * stride - pad + k;
  Span s;
  s.i0 = std::max<int64_t>(first, 0);
  int64_t e = o0 + on == out ? in : std::min(end, in);
  s.n = e - s.i0;
  s.padLo = s.i0 - first;
  s.padHi = std::max<int64_t>(end - std::max(e, s.i0), 0);
  return s;
}

Xfer oneCall(int64_t l2Offset, int64_t bytes) {
  Xfer x;
  x.l2Offset = l2Offset;
  x.rowBytes = bytes;
  return x;
}

// Channels [c0, c0 + cn), rows `v`, columns `h` of a CHW_W16_REV4 tensor [C][H][roundUp(W, 16)]
// into an L1 tile [cn][v.n][roundUp(h.n, 16)]. Full rows are contiguous per channel, full planes
// across channels; a column tile copies whole REV4 words of each row.
Xfer chwTile(int64_t c0, int64_t cn, int64_t y0, int64_t yn, int64_t x0, int64_t xn, int64_t H,
             int64_t W) {
  int64_t wp = roundUp(W, kLanes);
  Xfer x;
  x.l2Offset = (c0 * H + y0) * wp + x0;
  if (xn == W) {
    if (yn == H || cn == 1) return oneCall(x.l2Offset, cn * yn * wp);
    x.count = cn;
    x.rowBytes = yn * wp;
    x.l1BlockStride = yn * wp;
    x.l2BlockStride = H * wp;
    return x;
  }
  int64_t wpt = roundUp(xn, kLanes);
  x.count = cn;
  x.rows = yn;
  x.rowBytes = std::min(roundUp(xn, kWord), wp - x0);
  x.l1RowStride = wpt;
  x.l1BlockStride = yn * wpt;
  x.l2RowStride = wp;
  x.l2BlockStride = H * wp;
  return x;
}

// An output tile back to L2: the job writes whole padded rows (zeros past the last column), and
// the copy moves them whole, so L2 row padding is rewritten with zeros too.
Xfer chwOutTile(int64_t k0, int64_t kn, int64_t y0, int64_t yn, int64_t x0, int64_t xn, int64_t H,
                int64_t W) {
  int64_t wp = roundUp(W, kLanes);
  if (xn == W) return chwTile(k0, kn, y0, yn, 0, W, H, W);
  Xfer x = chwTile(k0, kn, y0, yn, x0, xn, H, W);
  x.rowBytes = roundUp(xn, kLanes);  // x0 is a multiple of 16, so this ends within the row
  HTVM_CHECK(x0 + x.rowBytes <= wp) << "output column tile past the row";
  return x;
}

// Rows `y`, columns `x` of an HWC_C64_REV4 tensor [H][W][roundUp(C, 64)].
Xfer hwcTile(int64_t y0, int64_t yn, int64_t x0, int64_t xn, int64_t W, int64_t C) {
  int64_t line = roundUp(C, kLine);
  Xfer x;
  x.l2Offset = (y0 * W + x0) * line;
  if (xn == W || yn == 1) return oneCall(x.l2Offset, yn * xn * line);
  x.rows = yn;
  x.rowBytes = xn * line;
  x.l1RowStride = xn * line;
  x.l2RowStride = W * line;
  return x;
}

TileJob spatialJob(int64_t oy0, int64_t oh, int64_t ox0, int64_t ow, const Span& v, const Span& h) {
  TileJob j;
  j.oy0 = oy0;
  j.oh = oh;
  j.ox0 = ox0;
  j.ow = ow;
  j.iy0 = v.i0;
  j.ih = v.n;
  j.ix0 = h.i0;
  j.iw = h.n;
  j.padT = v.padLo;
  j.padB = v.padHi;
  j.padL = h.padLo;
  j.padR = h.padHi;
  return j;
}

// A Window layer's tile sizes as requested, clamped to the layer and rounded to its multiples.
TileSizes windowSizes(const TileLayer& l, const TileSizes& z) {
  const ConvDims& d = l.conv;
  int64_t tk = l.kMultiple == 0 ? d.k : std::clamp<int64_t>(z.k, 1, d.k);
  if (l.kMultiple > 1 && tk < d.k) tk = std::min(roundUp(tk, l.kMultiple), d.k);
  int64_t tw = columnTilingAllowed(l) ? std::clamp<int64_t>(z.w, 1, d.ow) : d.ow;
  if (l.wMultiple > 1 && tw < d.ow) tw = std::min(roundUp(tw, l.wMultiple), d.ow);
  return {tk, std::clamp<int64_t>(z.h, 1, d.oh), tw, 0, z.scheme};
}

// Output-channel tiles of a Vector layer.
int64_t vectorTileK(const TileLayer& l, const TileSizes& z) {
  int64_t tk = std::clamp<int64_t>(z.k, 1, l.denseK);
  if (l.kMultiple > 1 && tk < l.denseK) tk = std::min(roundUp(tk, l.kMultiple), l.denseK);
  return tk;
}

int64_t flatTileBytes(const TileLayer& l, const TileSizes& z, const AcceleratorDesc& a) {
  int64_t t = std::clamp<int64_t>(z.bytes, 1, l.addBytes);
  if (t < l.addBytes)
    t = std::min(roundUp(t, std::max(a.dma.granuleBytes.value, kWord)), l.addBytes);
  return t;
}

// Window layers: spatial tiles outer, channel tiles inner; copies in the layer's layout
// (CHW_W16_REV4 planes or HWC_C64_REV4 pixel lines).
void buildWindow(const TileLayer& l, const TileSizes& z, const AcceleratorDesc& a,
                 LayerSchedule& s) {
  const ConvDims& d = l.conv;
  bool hwc = l.layout == Layout::HWC_C64_REV4, dw = d.depthwise;
  TileSizes one = windowSizes(l, z);
  int64_t tk = one.k, th = one.h, tw = one.w;
  s.tileK = tk;
  s.tileH = th;
  s.tileW = tw;
  s.numK = ceilDiv(d.k, tk);
  s.numH = ceilDiv(d.oh, th);
  s.numW = ceilDiv(d.ow, tw);
  for (int64_t r = 0; r < s.numH; ++r) {
    int64_t oy0 = r * th, oh = std::min(th, d.oh - oy0);
    Span v = inputSpan(oy0, oh, d.oh, d.strideH, d.kh, d.padT, d.ih);
    for (int64_t c = 0; c < s.numW; ++c) {
      int64_t ox0 = c * tw, ow = std::min(tw, d.ow - ox0);
      Span h = inputSpan(ox0, ow, d.ow, d.strideW, d.kw, d.padL, d.iw);
      int32_t shared = static_cast<int32_t>(s.inTiles.size());
      if (!dw) {
        InputTile in;
        in.operands.push_back(hwc ? hwcTile(v.i0, v.n, h.i0, h.n, d.iw, d.c)
                                  : chwTile(0, d.c, v.i0, v.n, h.i0, h.n, d.ih, d.iw));
        s.inTiles.push_back(in);
      }
      for (int64_t j = 0; j < s.numK; ++j) {
        int64_t k0 = j * tk, kn = std::min(tk, d.k - k0);
        TileStep st;
        st.job = spatialJob(oy0, oh, ox0, ow, v, h);
        st.job.k0 = k0;
        st.job.k = kn;
        st.job.c = dw ? kn : d.c;
        if (dw) {
          InputTile in;
          in.operands.push_back(chwTile(k0, kn, v.i0, v.n, h.i0, h.n, d.ih, d.iw));
          st.inTile = static_cast<int32_t>(s.inTiles.size());
          s.inTiles.push_back(in);
        } else {
          st.inTile = shared;
        }
        st.job.weightOffset = a.backend->weightOffset(l, st.job, tk);
        st.out = hwc ? hwcTile(oy0, oh, ox0, ow, d.ow, d.k)
                     : chwOutTile(k0, kn, oy0, oh, ox0, ow, d.oh, d.ow);
        s.steps.push_back(st);
      }
    }
  }
  s.preload = l.preload;
}

void buildVector(const TileLayer& l, const TileSizes& z, const AcceleratorDesc& a,
                 LayerSchedule& s) {
  int64_t tk = vectorTileK(l, z);
  s.tileK = tk;
  s.numK = ceilDiv(l.denseK, tk);
  InputTile in;
  in.operands.push_back(oneCall(0, roundUp(l.denseC, kLanes)));
  s.inTiles.push_back(in);
  for (int64_t j = 0; j < s.numK; ++j) {
    TileStep st;
    st.job.k0 = j * tk;
    st.job.k = std::min(tk, l.denseK - st.job.k0);
    st.job.c = l.denseC;
    st.job.weightOffset = a.backend->weightOffset(l, st.job, tk);
    st.out = oneCall(st.job.k0, roundUp(st.job.k, kLanes));
    s.steps.push_back(st);
  }
}

void buildFlat(const TileLayer& l, const TileSizes& z, const AcceleratorDesc& a, LayerSchedule& s) {
  int64_t total = l.addBytes;
  int64_t t = flatTileBytes(l, z, a);
  s.tileBytes = t;
  for (int64_t off = 0; off < total; off += t) {
    int64_t n = std::min(t, total - off);
    InputTile in;
    in.operands = {oneCall(off, n), oneCall(off, n)};
    TileStep st;
    st.inTile = static_cast<int32_t>(s.inTiles.size());
    s.inTiles.push_back(in);
    st.job.addOffset = off;
    st.job.addBytes = n;
    st.out = oneCall(off, n);
    s.steps.push_back(st);
  }
  s.numK = static_cast<int64_t>(s.steps.size());
}

// Which copy goes in which buffer and when it is issued.
void assignBuffers(LayerSchedule& s) {
  bool dbl = s.scheme == BufferScheme::Double;
  int32_t inCount = dbl && s.inTiles.size() > 1 ? 2 : 1;
  s.outBufCount = dbl && s.steps.size() > 1 ? 2 : 1;
  s.inBufCount.assign(s.inTiles.empty() ? 0 : s.inTiles[0].operands.size(), inCount);
  for (size_t i = 0; i < s.inTiles.size(); ++i)
    s.inTiles[i].buf = static_cast<int32_t>(i) % inCount;
  // The first step of each input tile; tile 0 is copied before the loop.
  std::vector<int32_t> first(s.inTiles.size(), -1);
  for (size_t t = 0; t < s.steps.size(); ++t) {
    TileStep& st = s.steps[t];
    st.outBuf = static_cast<int32_t>(t) % s.outBufCount;
    st.prefetch = st.load = -1;
    if (first[static_cast<size_t>(st.inTile)] < 0)
      first[static_cast<size_t>(st.inTile)] = static_cast<int32_t>(t);
    if (!dbl && (t == 0 || s.steps[t - 1].inTile != st.inTile)) st.load = st.inTile;
  }
  if (dbl)
    for (size_t i = 1; i < s.inTiles.size(); ++i) {
      HTVM_CHECK(first[i - 1] >= 0 && first[i] > first[i - 1]) << "input tiles out of order";
      s.steps[static_cast<size_t>(first[i - 1])].prefetch = static_cast<int32_t>(i);
    }
}

// Bytes the job itself reads from its input buffer / writes to its output buffer.
int64_t jobReadBytes(const TileLayer& l, const TileJob& j) {
  switch (l.shape) {
    case TileShape::Window:
      return l.layout == Layout::HWC_C64_REV4 ? j.ih * j.iw * roundUp(l.conv.c, kLine)
                                              : j.c * j.ih * roundUp(j.iw, kLanes);
    case TileShape::Vector: return roundUp(l.denseC, kLanes);
    case TileShape::Flat: return j.addBytes;
  }
  return 0;
}

int64_t jobWriteBytes(const TileLayer& l, const TileJob& j) {
  switch (l.shape) {
    case TileShape::Window:
      return l.layout == Layout::HWC_C64_REV4 ? j.oh * j.ow * roundUp(l.conv.k, kLine)
                                              : j.k * j.oh * roundUp(j.ow, kLanes);
    case TileShape::Vector: return roundUp(j.k, kLanes);
    case TileShape::Flat: return j.addBytes;
  }
  return 0;
}

}  // namespace

std::optional<TileLayer> tileLayerOf(const Graph& g, const Node& n, const AcceleratorDesc& a) {
  return a.backend->tileLayer(g, n, a);
}

bool columnTilingAllowed(const TileLayer& l) {
  if (l.shape != TileShape::Window) return false;
  return l.layout == Layout::HWC_C64_REV4 || l.conv.padL % kWord == 0;
}

std::vector<TileClass> tileClasses(const TileLayer& l, const TileSizes& z,
                                   const AcceleratorDesc& a) {
  std::vector<TileClass> out;
  // One dimension split into tiles of t: (size, count) of the full tiles and of the last one.
  auto split = [](int64_t n, int64_t t) {
    std::vector<std::pair<int64_t, int64_t>> v{{t, n / t}};
    if (n % t) v.push_back({n % t, 1});
    if (v.front().second == 0) v.erase(v.begin());
    return v;
  };
  if (l.shape == TileShape::Vector) {
    int64_t tk = vectorTileK(l, z);
    for (const auto& [k, count] : split(l.denseK, tk)) {
      TileClass t;
      t.job.k = k;
      t.job.c = l.denseC;
      t.count = count;
      out.push_back(t);
    }
    return out;
  }
  if (l.shape == TileShape::Flat) {
    int64_t t = flatTileBytes(l, z, a);
    for (const auto& [bytes, count] : split(l.addBytes, t)) {
      TileClass c;
      c.job.addBytes = bytes;
      c.count = count;
      out.push_back(c);
    }
    return out;
  }
  // Conv-like: rows x columns x channel tiles, each dimension reduced to its distinct tiles.
  const ConvDims& d = l.conv;
  TileSizes one = windowSizes(l, z);  // as buildWindow clamps them
  struct Axis {
    int64_t n, padLo, padHi;
    int64_t count;
  };
  auto axis = [](int64_t out, int64_t t, int64_t stride, int64_t k, int64_t pad, int64_t in) {
    std::vector<Axis> v;
    for (int64_t o0 = 0; o0 < out; o0 += t) {
      int64_t on = std::min(t, out - o0);
      Span sp = inputSpan(o0, on, out, stride, k, pad, in);
      if (!v.empty() && v.back().n == on && v.back().padLo == sp.padLo &&
          v.back().padHi == sp.padHi)
        ++v.back().count;
      else
        v.push_back({on, sp.padLo, sp.padHi, 1});
    }
    return v;
  };
  std::vector<Axis> rows = axis(d.oh, one.h, d.strideH, d.kh, d.padT, d.ih);
  std::vector<Axis> cols = axis(d.ow, one.w, d.strideW, d.kw, d.padL, d.iw);
  std::vector<std::pair<int64_t, int64_t>> chans;  // channels per tile, count
  for (int64_t k0 = 0; k0 < d.k; k0 += one.k) {
    int64_t kn = std::min(one.k, d.k - k0);
    if (!chans.empty() && chans.back().first == kn)
      ++chans.back().second;
    else
      chans.push_back({kn, 1});
  }
  for (const Axis& r : rows)
    for (const Axis& c : cols)
      for (const auto& [kn, kc] : chans) {
        TileClass t;
        t.job.oh = r.n;
        t.job.ow = c.n;
        t.job.padT = r.padLo;
        t.job.padB = r.padHi;
        t.job.padL = c.padLo;
        t.job.padR = c.padHi;
        t.job.k = kn;
        t.job.c = d.depthwise ? kn : d.c;
        t.count = r.count * c.count * kc;
        out.push_back(t);
      }
  return out;
}

LayerSchedule buildSchedule(const TileLayer& l, const TileSizes& sizes, const AcceleratorDesc& a) {
  LayerSchedule s;
  s.scheme = sizes.scheme;
  switch (l.shape) {
    case TileShape::Window: buildWindow(l, sizes, a, s); break;
    case TileShape::Vector: buildVector(l, sizes, a, s); break;
    case TileShape::Flat: buildFlat(l, sizes, a, s); break;
  }
  assignBuffers(s);
  s.inResident.assign(s.inBufCount.size(), false);
  sizeBuffers(l, s, a);
  return s;
}

void sizeBuffers(const TileLayer& l, LayerSchedule& s, const AcceleratorDesc& a) {
  int64_t granule = a.dma.granuleBytes.value;
  int64_t align = std::max<int64_t>(granule, kWord);
  s.inBufBytes.assign(s.inBufCount.size(), 0);
  for (const TileStep& st : s.steps) {
    const InputTile& in = s.inTiles[static_cast<size_t>(st.inTile)];
    for (size_t k = 0; k < in.operands.size(); ++k)
      s.inBufBytes[k] =
          std::max({s.inBufBytes[k], in.operands[k].l1Extent(granule), jobReadBytes(l, st.job)});
    s.outBufBytes = std::max({s.outBufBytes, st.out.l1Extent(granule), jobWriteBytes(l, st.job)});
  }
  s.l1Bytes = 0;
  for (size_t k = 0; k < s.inBufBytes.size(); ++k) {
    s.inBufBytes[k] = roundUp(s.inBufBytes[k], align);
    if (!s.inResident[k]) s.l1Bytes += s.inBufBytes[k] * s.inBufCount[k];
  }
  s.outBufBytes = roundUp(s.outBufBytes, align);
  if (!s.outResident) s.l1Bytes += s.outBufBytes * s.outBufCount;
}

int64_t tileWeightBytes(const TileLayer& l, const TileJob& j, const AcceleratorDesc& a) {
  return a.backend->jobWeightBytes(l, j, a);
}

std::optional<std::string> tileFits(const TileLayer& l, const LayerSchedule& s,
                                    const AcceleratorDesc& a, int64_t l1Limit) {
  auto str = [](int64_t v) { return std::to_string(v); };
  if (s.l1Bytes > l1Limit) return "L1 buffers " + str(s.l1Bytes) + " B > L1 " + str(l1Limit) + " B";
  int64_t maxWeights = 0;
  for (const TileStep& st : s.steps) {
    const TileJob& j = st.job;
    maxWeights = std::max(maxWeights, tileWeightBytes(l, j, a));
    if (l.shape != TileShape::Window) {
      if (j.k > kU16 || j.c > kU16) return "dense size beyond the HAL's 16-bit fields";
      continue;
    }
    if (j.ih < 1 || j.iw < 1)
      return "a tile's windows lie entirely in the padding (input tile " + str(j.ih) + "x" +
             str(j.iw) + ")";
    if (j.c > kU16 || j.k > kU16 || j.ih > kU16 || j.iw > kU16 || j.oh > kU16 || j.ow > kU16)
      return "tile size beyond the HAL's 16-bit fields";
    if (j.padT > kU8 || j.padB > kU8 || j.padL > kU8 || j.padR > kU8)
      return "tile padding beyond the HAL's 8-bit fields";
  }
  return a.backend->weightsFit(l, maxWeights, a);
}

}  // namespace htvm
