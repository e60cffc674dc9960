#include "ir/layout.h"

#include "support/diag.h"

namespace htvm {
namespace {

int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// Logical dims as (C, H, W) for the 4-D layouts.
void chw(const TensorType& t, int64_t& c, int64_t& h, int64_t& w) {
  HTVM_CHECK(t.shape.size() == 4 && t.shape[0] == 1) << "layout needs a 1xCxHxW tensor, got " << t.str();
  c = t.shape[1];
  h = t.shape[2];
  w = t.shape[3];
}

}  // namespace

const char* layoutName(Layout l) {
  switch (l) {
    case Layout::NCHW: return "nchw";
    case Layout::CHW_W16_REV4: return "chw_w16_rev4";
    case Layout::VEC16_REV4: return "vec16_rev4";
    case Layout::HWC_C64_REV4: return "hwc_c64_rev4";
  }
  return "?";
}

std::optional<Layout> layoutByName(const std::string& name) {
  for (Layout l : {Layout::NCHW, Layout::CHW_W16_REV4, Layout::VEC16_REV4, Layout::HWC_C64_REV4})
    if (name == layoutName(l)) return l;
  return std::nullopt;
}

bool layoutApplies(const TensorType& t, Layout l) {
  if (l == Layout::NCHW) return true;
  if (dtypeBytes(t.dtype) != 1) return false;
  if (l == Layout::VEC16_REV4) return t.shape.size() == 2 && t.shape[0] == 1;
  return t.shape.size() == 4 && t.shape[0] == 1;
}

int64_t storageElements(const TensorType& t) {
  int64_t c, h, w;
  switch (t.layout) {
    case Layout::NCHW: return t.elements();
    case Layout::CHW_W16_REV4: chw(t, c, h, w); return c * h * roundUp(w, 16);
    case Layout::VEC16_REV4: return roundUp(t.elements(), 16);
    case Layout::HWC_C64_REV4: chw(t, c, h, w); return h * w * roundUp(c, 64);
  }
  return 0;
}

int64_t physicalIndex(const TensorType& t, int64_t i) {
  int64_t c, h, w, p = 0;
  switch (t.layout) {
    case Layout::NCHW: return i;
    case Layout::CHW_W16_REV4: {
      chw(t, c, h, w);
      int64_t x = i % w, y = (i / w) % h, ch = i / (w * h);
      p = (ch * h + y) * roundUp(w, 16) + x;
      break;
    }
    case Layout::VEC16_REV4: p = i; break;
    case Layout::HWC_C64_REV4: {
      chw(t, c, h, w);
      int64_t x = i % w, y = (i / w) % h, ch = i / (w * h);
      p = (y * w + x) * roundUp(c, 64) + ch;
      break;
    }
  }
  return p ^ 3;  // byte order reversed inside each 32-bit word
}

}  // namespace htvm
