// Weight+bias streams of the digital accelerator. See digital_streams.h.
#include "backends/digital/digital_streams.h"

#include <algorithm>

#include "support/diag.h"

namespace htvm {
namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

const std::vector<double>& data(const Graph& g, TensorId t) {
  HTVM_CHECK(t >= 0 && g.tensor(t).isConstant()) << "accelerator operand must be a constant";
  return *g.tensor(t).data;
}

int8_t i8(double v) { return static_cast<int8_t>(static_cast<int32_t>(v)); }

void appendBias(std::vector<int8_t>& s, const std::vector<int32_t>& bias16) {
  for (int byte = 0; byte < 4; ++byte)
    for (int j = 0; j < 16; ++j)
      s.push_back(static_cast<int8_t>((static_cast<uint32_t>(bias16[static_cast<size_t>(j)]) >> (8 * byte)) & 0xff));
}

}  // namespace

void reverseWords(std::vector<int8_t>& bytes) {
  HTVM_CHECK(bytes.size() % 4 == 0) << "stream of " << bytes.size() << " bytes is not whole words";
  for (size_t i = 0; i < bytes.size(); i += 4) {
    std::swap(bytes[i], bytes[i + 3]);
    std::swap(bytes[i + 1], bytes[i + 2]);
  }
}

std::vector<int8_t> digitalConvStream(const Graph& g, const Node& n) {
  const Shape& ws = g.type(n.inputs[1]).shape;  // K, C/group, Kh, Kw
  const std::vector<double>& w = data(g, n.inputs[1]);
  bool hasBias = n.inputs.size() > 2 && n.inputs[2] >= 0;
  std::vector<double> none;
  const std::vector<double>& b = hasBias ? data(g, n.inputs[2]) : none;
  int64_t k = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
  bool depthwise = n.attrInt("group") != 1;
  std::vector<int8_t> s;
  auto bias = [&](int64_t ch) { return hasBias && ch < k ? static_cast<int32_t>(b[static_cast<size_t>(ch)]) : 0; };
  auto weight = [&](int64_t o, int64_t c, int64_t y, int64_t x) {
    return o < k ? i8(w[static_cast<size_t>(((o * cg + c) * kh + y) * kw + x)]) : int8_t{0};
  };
  if (depthwise) {
    for (int64_t ch = 0; ch < k; ++ch) {  // one job (block) per channel, real weights in slot 0
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          for (int j = 0; j < 16; ++j) s.push_back(j == 0 ? weight(ch, 0, y, x) : int8_t{0});
      std::vector<int32_t> b16(16, 0);
      b16[0] = bias(ch);
      appendBias(s, b16);
    }
  } else {
    for (int64_t blk = 0; blk < roundUp(k, 16) / 16; ++blk) {
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            for (int64_t j = 0; j < 16; ++j) s.push_back(weight(blk * 16 + j, c, y, x));
      std::vector<int32_t> b16(16);
      for (int64_t j = 0; j < 16; ++j) b16[static_cast<size_t>(j)] = bias(blk * 16 + j);
      appendBias(s, b16);
    }
  }
  reverseWords(s);
  return s;
}

namespace {

// The dense stream of outputs [k0, k0 + kn) only: the format of a layer with kn outputs whose
// weights and biases are rows k0.. of the real ones.
std::vector<int8_t> denseStreamRange(const Graph& g, const Node& n, int64_t k0, int64_t kn) {
  const Shape& ws = g.type(n.inputs[1]).shape;
  const std::vector<double>& w = data(g, n.inputs[1]);
  bool tb = n.attrInt("trans_b") != 0;
  int64_t k = tb ? ws[0] : ws[1], c = tb ? ws[1] : ws[0];
  HTVM_CHECK(k0 >= 0 && kn > 0 && k0 + kn <= k) << "dense output range [" << k0 << ", " << k0 + kn << ") of " << k;
  bool hasBias = n.inputs.size() > 2 && n.inputs[2] >= 0;
  auto weight = [&](int64_t o, int64_t i) -> int8_t {
    if (o >= kn || i >= c) return 0;
    o += k0;
    return i8(w[static_cast<size_t>(tb ? o * c + i : i * k + o)]);
  };
  int64_t kp = roundUp(kn, 16), cp = roundUp(c, 16);
  std::vector<int8_t> s;
  for (int64_t kb = 0; kb < kp / 16; ++kb)
    for (int64_t cb = 0; cb < cp / 16; ++cb)
      for (int64_t j = 0; j < 16; ++j)
        for (int64_t i = 0; i < 16; ++i) s.push_back(weight(kb * 16 + j, cb * 16 + i));
  for (int64_t o = 0; o < kp; ++o) {
    int32_t v = hasBias && o < kn ? static_cast<int32_t>(data(g, n.inputs[2])[static_cast<size_t>(k0 + o)]) : 0;
    for (int byte = 0; byte < 16; ++byte)
      s.push_back(byte < 4 ? static_cast<int8_t>((static_cast<uint32_t>(v) >> (8 * byte)) & 0xff) : int8_t{0});
  }
  reverseWords(s);
  return s;
}

}  // namespace

std::vector<int8_t> digitalDenseStream(const Graph& g, const Node& n) {
  const Shape& ws = g.type(n.inputs[1]).shape;
  return denseStreamRange(g, n, 0, n.attrInt("trans_b") != 0 ? ws[0] : ws[1]);
}

std::vector<int8_t> digitalDenseTileStreams(const Graph& g, const Node& n, int64_t tileK) {
  const Shape& ws = g.type(n.inputs[1]).shape;
  int64_t k = n.attrInt("trans_b") != 0 ? ws[0] : ws[1];
  HTVM_CHECK(tileK > 0) << "dense tile of " << tileK << " outputs";
  std::vector<int8_t> all;
  for (int64_t k0 = 0; k0 < k; k0 += tileK) {
    std::vector<int8_t> s = denseStreamRange(g, n, k0, std::min(tileK, k - k0));
    all.insert(all.end(), s.begin(), s.end());
  }
  return all;
}

}  // namespace htvm
