// The interpreter's kernel table: one reference kernel per OpKind, indexed by kind, plus the few
// helpers the kernel files share (typed views of a Buffer, the checked integer store, floor
// division). Kernels receive a node whose graph has passed verify(), so arity, attribute kinds and
// output shapes are known good; they check only what the verifier leaves open (e.g. the dtypes of
// conv weights, attribute values) and report it as a Diag naming the node. Family files:
// kernels_conv.cpp (conv2d, dense), kernels_elementwise.cpp, kernels_shape.cpp, kernels_fused.cpp
// (qconv2d, qdense, qadd, analog_conv2d, relayout), kernels_quantize.cpp (quantize_f32).
#pragma once

#include <cstdint>
#include <vector>

#include "interp/interpreter.h"
#include "ir/op_registry.h"

namespace htvm::interp {

// What a kernel sees: the node, the graph (for types) and the values computed so far.
struct KernelArgs {
  const Graph& g;
  const Node& node;
  const std::vector<Buffer>& values;  // indexed by TensorId

  bool has(size_t i) const { return i < node.inputs.size() && node.inputs[i] >= 0; }
  const Buffer& in(size_t i) const { return values.at(static_cast<size_t>(node.inputs.at(i))); }
  const TensorType& inType(size_t i) const { return g.type(node.inputs.at(i)); }
  const TensorType& outType() const { return g.type(node.outputs.at(0)); }
};

// Computes the node's single output into `out` (sized by the kernel).
using Kernel = Status (*)(const KernelArgs& a, Buffer& out);

// The kernel for `k`, or nullptr if none is registered (the coverage test forbids that).
Kernel kernelFor(OpKind k);

// --- kernels, one per OpKind ---
Status conv2dKernel(const KernelArgs& a, Buffer& out);
Status denseKernel(const KernelArgs& a, Buffer& out);
Status addKernel(const KernelArgs& a, Buffer& out);
Status subKernel(const KernelArgs& a, Buffer& out);
Status mulKernel(const KernelArgs& a, Buffer& out);
Status divKernel(const KernelArgs& a, Buffer& out);
Status maxKernel(const KernelArgs& a, Buffer& out);
Status minKernel(const KernelArgs& a, Buffer& out);
Status floorKernel(const KernelArgs& a, Buffer& out);
Status clipKernel(const KernelArgs& a, Buffer& out);
Status shiftRightKernel(const KernelArgs& a, Buffer& out);
Status floorDivKernel(const KernelArgs& a, Buffer& out);
Status floorDivF32Kernel(const KernelArgs& a, Buffer& out);
Status castKernel(const KernelArgs& a, Buffer& out);
Status quantizeF32Kernel(const KernelArgs& a, Buffer& out);
Status reshapeKernel(const KernelArgs& a, Buffer& out);
Status globalAvgPoolKernel(const KernelArgs& a, Buffer& out);
Status globalSumKernel(const KernelArgs& a, Buffer& out);
Status qconv2dKernel(const KernelArgs& a, Buffer& out);
Status qdenseKernel(const KernelArgs& a, Buffer& out);
Status qaddKernel(const KernelArgs& a, Buffer& out);
Status analogConv2dKernel(const KernelArgs& a, Buffer& out);
Status relayoutKernel(const KernelArgs& a, Buffer& out);

// --- shared helpers ---
// A Diag builder prefixed with "node 'name' (Op): ".
DiagBuilder nodeError(const Node& n);
// Typed copies of a buffer. Values were validated on entry (float32 values, or integers in the
// tensor's dtype), so both conversions are exact.
std::vector<float> toFloats(const Buffer& b);
std::vector<int64_t> toInts(const Buffer& b);
// Stores float32 results.
void storeFloats(const std::vector<float>& v, Buffer& out);
// Stores exact integer results after checking each fits the output dtype; the first value that
// does not is reported with its element index.
Status storeInts(const KernelArgs& a, const std::vector<int64_t>& v, Buffer& out);
// floor(x / d) for d > 0, rounding toward minus infinity (C++ `/` truncates toward zero).
int64_t floorDiv(int64_t x, int64_t d);
// Exact integer conv2d / dense of inputs 0 (x) and 1 (w) in row-major output order, plus input 2
// as bias when `withBias`; x, w and bias must be integers (for the fused layers).
Result<std::vector<int64_t>> integerConv2D(const KernelArgs& a, bool withBias);
Result<std::vector<int64_t>> integerDense(const KernelArgs& a, bool withBias);

}  // namespace htvm::interp
