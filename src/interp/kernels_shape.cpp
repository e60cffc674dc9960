// Reference kernels for reshape and the global reductions over H and W (global_avg_pool for
// float32, global_sum for integers).
#include "interp/kernels.h"

namespace htvm::interp {

Status reshapeKernel(const KernelArgs& a, Buffer& out) {
  // Same data, new shape. Stored through the checked paths anyway, so a reshape whose output dtype
  // cannot hold its input values is reported rather than passed through.
  if (!isInteger(a.outType().dtype)) {
    storeFloats(toFloats(a.in(0)), out);
    return ok();
  }
  return storeInts(a, toInts(a.in(0)), out);
}

Status globalAvgPoolKernel(const KernelArgs& a, Buffer& out) {
  const Shape& s = a.inType(0).shape;
  const int64_t planes = s[0] * s[1], H = s[2], W = s[3];
  const std::vector<float> x = toFloats(a.in(0));
  const float count = static_cast<float>(H * W);
  std::vector<float> y(static_cast<size_t>(planes));
  for (int64_t p = 0; p < planes; ++p) {
    const float* plane = x.data() + p * H * W;
    float sum = 0;
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w) sum += plane[h * W + w];  // float32 sum in row-major order
    y[static_cast<size_t>(p)] = sum / count;
  }
  storeFloats(y, out);
  return ok();
}

Status globalSumKernel(const KernelArgs& a, Buffer& out) {
  const Shape& s = a.inType(0).shape;
  const int64_t planes = s[0] * s[1], H = s[2], W = s[3];
  const std::vector<int64_t> x = toInts(a.in(0));
  std::vector<int64_t> y(static_cast<size_t>(planes));
  for (int64_t p = 0; p < planes; ++p) {
    int64_t sum = 0;  // exact: at most H*W int32 terms
    for (int64_t i = 0; i < H * W; ++i) sum += x[static_cast<size_t>(p * H * W + i)];
    y[static_cast<size_t>(p)] = sum;
  }
  return storeInts(a, y, out);
}

}  // namespace htvm::interp
