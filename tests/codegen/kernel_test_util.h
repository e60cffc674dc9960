// Shared by the CPU kernel tests (blocked_kernels_test.cpp, vector_kernels_test.cpp): conv and
// dense cases on pseudo-random data, their graphs (plain int32 conv/dense or fused requant to int8), an
// exact oracle written here from the ONNX definition (direct loops in int64, no code shared with
// the emitter), and a runner that builds one generated project under several make configurations
// and runs its host demo after each.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "codegen_test_util.h"

namespace htvm::testing {

struct ConvCase {
  const char* name;
  int64_t n, c, h, w, m, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, group;
  int64_t oh() const { return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
};

inline std::vector<double> lcgValues(size_t count, uint32_t seed, int lo, int hi) {
  std::vector<double> v(count);
  uint32_t s = seed;
  for (double& e : v) {
    s = s * 1103515245u + 12345u;
    e = lo + static_cast<int>((s >> 8) % static_cast<uint32_t>(hi - lo + 1));
  }
  return v;
}

// y = conv(x, w) + b in exact integers, NCHW, ONNX semantics.
inline std::vector<int64_t> directConv(const ConvCase& k, const std::vector<double>& x,
                                       const std::vector<double>& w,
                                       const std::vector<double>& b) {
  std::vector<int64_t> y;
  const int64_t oh = k.oh(), ow = k.ow(), cg = k.c / k.group, mg = k.m / k.group;
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t m = 0; m < k.m; ++m)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t acc = static_cast<int64_t>(b[static_cast<size_t>(m)]);
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t r = 0; r < k.kh; ++r)
              for (int64_t s = 0; s < k.kw; ++s) {
                int64_t ih = i * k.sh - k.pt + r * k.dh, iw = j * k.sw - k.pl + s * k.dw;
                if (ih < 0 || ih >= k.h || iw < 0 || iw >= k.w) continue;
                int64_t ci = (m / mg) * cg + c;
                const int64_t xi = ((n * k.c + ci) * k.h + ih) * k.w + iw;
                const int64_t wi = ((m * cg + c) * k.kh + r) * k.kw + s;
                acc += static_cast<int64_t>(x[static_cast<size_t>(xi)]) *
                       static_cast<int64_t>(w[static_cast<size_t>(wi)]);
              }
          y.push_back(acc);
        }
  return y;
}

// Requantization as the IR defines it: clip(floor(v / 2^shift), lo, hi).
struct Requant {
  int64_t shift, lo, hi;
  float apply(int64_t v) const {
    int64_t q = static_cast<int64_t>(std::floor(static_cast<double>(v) / std::ldexp(1.0, shift)));
    return static_cast<float>(std::min(hi, std::max(lo, q)));
  }
};

// One kernel under test: its graph (f32 input cast to int8, the node, cast back to f32), input and
// exact expected output.
struct KernelCase {
  Graph g;
  std::vector<float> input, expected;
};

// A conv2d (int32 out) or, with `rq`, a qconv2d (requant to int8) on int8 data.
inline KernelCase convCase(const ConvCase& k, const Requant* rq = nullptr) {
  const int64_t cg = k.c / k.group;
  std::vector<double> x = lcgValues(static_cast<size_t>(k.n * k.c * k.h * k.w), 7, -128, 127);
  std::vector<double> w = lcgValues(static_cast<size_t>(k.m * cg * k.kh * k.kw), 11, -128, 127);
  std::vector<double> bias = lcgValues(static_cast<size_t>(k.m), 13, -5000, 5000);
  GraphBuilder b;
  TensorId xi =
      b.node("to_i8", OpKind::Cast, {b.input("x", {DType::F32, {k.n, k.c, k.h, k.w}})}, DType::I8);
  TensorId wt = b.constant("w", {DType::I8, {k.m, cg, k.kh, k.kw}}, w);
  TensorId bt = b.constant("b", {DType::I32, {k.m}}, bias);
  auto attrs = convAttrs({k.sh, k.sw}, {k.pt, k.pl, k.pb, k.pr}, {k.dh, k.dw}, k.group);
  const Shape ys = {k.n, k.m, k.oh(), k.ow()};
  TensorId y;
  if (rq) {
    attrs["shift"] = rq->shift;
    attrs["lo"] = rq->lo;
    attrs["hi"] = rq->hi;
    y = b.node({"conv", "Conv"}, OpKind::QConv2D, {xi, wt, bt}, {DType::I8, ys}, attrs);
  } else {
    y = b.node({"conv", "ConvInteger"}, OpKind::Conv2D, {xi, wt, bt}, {DType::I32, ys}, attrs);
  }
  KernelCase r{b.output(b.node("to_f32", OpKind::Cast, {y}, DType::F32)),
               std::vector<float>(x.begin(), x.end()),
               {}};
  for (int64_t v : directConv(k, x, w, bias))
    r.expected.push_back(rq ? rq->apply(v) : static_cast<float>(v));
  return r;
}

// A dense (int32 out) or, with `rq`, a qdense, x [n, k] times w [m, k] (transB) or [k, m].
inline KernelCase denseCase(int64_t n, int64_t k, int64_t m, bool transB,
                            const Requant* rq = nullptr) {
  std::vector<double> x = lcgValues(static_cast<size_t>(n * k), 3, -128, 127);
  std::vector<double> w = lcgValues(static_cast<size_t>(k * m), 5, -128, 127);
  std::vector<double> bias = lcgValues(static_cast<size_t>(m), 9, -1000, 1000);
  GraphBuilder b;
  TensorId xi = b.node("to_i8", OpKind::Cast, {b.input("x", {DType::F32, {n, k}})}, DType::I8);
  TensorId wt = b.constant("w", {DType::I8, transB ? Shape{m, k} : Shape{k, m}}, w);
  TensorId bt = b.constant("b", {DType::I32, {m}}, bias);
  std::map<std::string, AttrValue> attrs = {{"trans_b", int64_t{transB ? 1 : 0}}};
  TensorId y;
  if (rq) {
    attrs["shift"] = rq->shift;
    attrs["lo"] = rq->lo;
    attrs["hi"] = rq->hi;
    y = b.node({"fc", "Gemm"}, OpKind::QDense, {xi, wt, bt}, {DType::I8, {n, m}}, attrs);
  } else {
    y = b.node({"fc", "Gemm"}, OpKind::Dense, {xi, wt, bt}, {DType::I32, {n, m}}, attrs);
  }
  KernelCase r{b.output(b.node("to_f32", OpKind::Cast, {y}, DType::F32)),
               std::vector<float>(x.begin(), x.end()),
               {}};
  for (int64_t row = 0; row < n; ++row)
    for (int64_t j = 0; j < m; ++j) {
      int64_t acc = static_cast<int64_t>(bias[static_cast<size_t>(j)]);
      for (int64_t i = 0; i < k; ++i)
        acc += static_cast<int64_t>(x[static_cast<size_t>(row * k + i)]) *
               static_cast<int64_t>(w[static_cast<size_t>(transB ? j * k + i : i * m + j)]);
      r.expected.push_back(rq ? rq->apply(acc) : static_cast<float>(acc));
    }
  return r;
}

// Builds the project in `dir` with `make <args>` (host) and runs the demo on `input`; failures
// (build or run) are test failures naming the configuration. Returns the outputs.
inline std::vector<float> makeAndRunHost(const Graph& g, const fs::path& dir,
                                         const std::string& args,
                                         const std::vector<float>& input) {
  EXPECT_TRUE(emitAndMake(g, dir, args)) << "make " << args;
  writeFloats(dir / "in.bin", input);
  int rc = shell("cd '" + dir.string() + "' && ./build/htvm_demo in.bin out.bin > run.log 2>&1");
  EXPECT_EQ(rc, 0) << "make " << args << ":\n" << readText(dir / "run.log");
  return readFloats(dir / "out.bin");
}

}  // namespace htvm::testing
