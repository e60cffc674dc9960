// Reference kernel for quantize_f32: the per-element definition of quantize_f32.h in a loop, with
// the attribute checks the verifier leaves open.
#include "interp/kernels.h"
#include "interp/quantize_f32.h"

namespace htvm::interp {

Status quantizeF32Kernel(const KernelArgs& a, Buffer& out) {
  const int64_t k = a.node.attrInt("k"), lo = a.node.attrInt("lo"), hi = a.node.attrInt("hi");
  const int64_t nan = a.node.attrInt("nan");
  if (k < 0 || k > 149) return nodeError(a.node) << "k " << k << " is outside [0, 149]";
  if (lo > hi) return nodeError(a.node) << "bounds [" << lo << ", " << hi << "] are empty";
  const std::vector<float> x = toFloats(a.in(0));
  std::vector<int64_t> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = quantizeF32(x[i], k, lo, hi, nan);
  return storeInts(a, y, out);  // checks lo, hi and nan against the output dtype
}

}  // namespace htvm::interp
