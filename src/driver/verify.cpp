#include "driver/verify.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>

#include "driver/layer_table.h"
#include "driver/pipeline.h"
#include "driver/profile.h"
#include "driver/toolchain.h"
#include "interp/interpreter.h"
#include "ir/layout.h"
#include "ir/op_registry.h"

namespace htvm {
namespace {

bool sameFloat(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

double decode(const char* p, DType t) {
  switch (t) {
    case DType::F32: { float v; std::memcpy(&v, p, 4); return v; }
    case DType::I8: { int8_t v; std::memcpy(&v, p, 1); return v; }
    case DType::I16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::I32: { int32_t v; std::memcpy(&v, p, 4); return v; }
  }
  return 0;
}

// Rebuilds with tracing, runs one sample and reports the first node whose output differs from the
// interpreter's value of the same tensor.
void reportDivergence(const std::string& dir, const Graph& g, const std::vector<float>& input,
                      const std::vector<interp::Buffer>& expected, size_t outputElems,
                      const VerifyOptions& opts, std::ostream& out) {
  BuildOptions traceBuild;
  traceBuild.target = opts.build.target;
  traceBuild.optLevel = opts.build.optLevel;
  traceBuild.flavor = BuildFlavor::Trace;
  traceBuild.profile = ProfileMode::None;
  Status b = buildProject(dir, traceBuild);
  if (!b.ok()) {
    out << "cannot locate the diverging layer: " << b.diag().message << "\n";
    return;
  }
  Result<RunOutput> r = runProject(dir, input, 1, outputElems, traceBuild, opts.timeoutSeconds);
  if (!r.ok()) {
    out << "cannot locate the diverging layer: " << r.diag().message << "\n";
    return;
  }
  const std::vector<char>& t = r->trace;
  size_t pos = 0;
  while (pos + 8 <= t.size()) {
    int32_t idx;
    uint32_t bytes;
    std::memcpy(&idx, &t[pos], 4);
    std::memcpy(&bytes, &t[pos + 4], 4);
    pos += 8;
    if (idx < 0 || static_cast<size_t>(idx) >= g.nodes.size() || pos + bytes > t.size()) break;
    const Node& n = g.nodes[static_cast<size_t>(idx)];
    const TensorType& type = g.type(n.outputs[0]);
    const interp::Buffer& want = expected[static_cast<size_t>(n.outputs[0])];
    if (static_cast<int64_t>(bytes) != type.bytes()) {
      out << "trace record of " << nodeRef(n) << " has " << bytes << " bytes, expected " << type.bytes() << "\n";
      return;
    }
    // Accelerator tensors are traced in their storage layout; compare logical elements.
    for (size_t i = 0; i < want.size(); ++i) {
      size_t at = static_cast<size_t>(physicalIndex(type, static_cast<int64_t>(i)) * dtypeBytes(type.dtype));
      double got = decode(&t[pos + at], type.dtype);
      if (got != want[i] && !(std::isnan(got) && std::isnan(want[i]))) {
        out << "first diverging layer: #" << idx << " " << nodeRef(n) << " [" << opName(n.op) << " -> "
            << type.str() << "], element " << i << ": generated " << got << ", interpreter " << want[i]
            << "\n";
        return;
      }
    }
    pos += bytes;
  }
  out << "no layer output differs in the trace; the difference is in the final output copy\n";
}

}  // namespace

Result<size_t> countSamples(const NpyArray& a, const Shape& shape, const std::string& what) {
  if (a.shape == shape) return size_t{1};
  bool batched = a.shape.size() == shape.size() && !shape.empty() &&
                 std::equal(a.shape.begin() + 1, a.shape.end(), shape.begin() + 1) && shape[0] == 1;
  if (batched && a.shape[0] > 0) return static_cast<size_t>(a.shape[0]);
  return error() << what << " has shape " << shapeStr(a.shape) << ", but the model expects "
                 << shapeStr(shape) << " (or N samples stacked on the first axis)";
}

Result<VerifyOutcome> verifyModel(const VerifyOptions& opts, std::ostream& out) {
  Result<NpyArray> inputs = loadNpy(opts.inputsPath);
  if (!inputs.ok()) return inputs.diag();
  Result<NpyArray> expected = loadNpy(opts.outputsPath);
  if (!expected.ok()) return expected.diag();

  CompileOptions co = opts.compile;
  std::optional<TempProject> temp;
  if (co.outDir.empty()) co.outDir = temp.emplace("verify", opts.keep).dir();
  co.defaultProfile = opts.build.profile;
  co.defaultOptLevel = opts.build.optLevel;
  Result<CompiledModel> m = compileModel(co);
  if (!m.ok()) return m.diag();
  const Graph& g = m->graph;
  const TensorType& inType = g.type(g.inputs[0]);
  const TensorType& outType = g.type(g.outputs[0]);
  Result<size_t> n = countSamples(*inputs, inType.shape, opts.inputsPath);
  if (!n.ok()) return n.diag();
  Result<size_t> nOut = countSamples(*expected, outType.shape, opts.outputsPath);
  if (!nOut.ok()) return nOut.diag();
  if (*n != *nOut)
    return error() << opts.inputsPath << " holds " << *n << " samples but " << opts.outputsPath << " holds "
                   << *nOut;
  out << "compiled " << co.modelPath << " in " << m->totalSeconds * 1000 << " ms -> " << co.outDir
      << (temp && temp->removedAtEnd() ? " (temporary, removed at the end; --keep keeps it)" : "") << "\n";
  if (opts.printLayers) out << layerTable(co.outDir + "/report.json");

  BuildOptions build = opts.build;
  build.flavor = BuildFlavor::Release;
  build.indefinite = false;
  build.poisonArena = true;  // a layer that leaves bytes unwritten which a later one reads fails
  if (!build.profile) build.profile = ProfileMode::None;
  Status b = buildProject(co.outDir, build);
  if (!b.ok()) return b.diag();
  size_t inElems = static_cast<size_t>(inType.elements()), outElems = static_cast<size_t>(outType.elements());
  Result<RunOutput> run = runProject(co.outDir, inputs->data, *n, outElems, build, opts.timeoutSeconds);
  if (!run.ok()) return run.diag();

  VerifyOutcome r;
  r.samples = *n;
  bool reported = false;
  for (size_t s = 0; s < *n; ++s) {
    std::vector<float> x(inputs->data.begin() + static_cast<std::ptrdiff_t>(s * inElems),
                         inputs->data.begin() + static_cast<std::ptrdiff_t>((s + 1) * inElems));
    Result<std::vector<interp::Buffer>> ref =
        interp::run(g, {interp::Buffer(x.begin(), x.end())});
    if (!ref.ok()) return error() << "reference interpreter failed on sample " << s << ": " << ref.diag().message;
    const interp::Buffer& refOut = ref.value()[static_cast<size_t>(g.outputs[0])];
    bool exact = true;
    for (size_t i = 0; i < outElems; ++i) {
      float got = run->outputs[s * outElems + i];
      float want = expected->data[s * outElems + i];
      float interp = static_cast<float>(refOut[i]);
      if (sameFloat(got, want) && sameFloat(got, interp)) continue;
      exact = false;
      if (!reported) {
        reported = true;
        out << "mismatch: sample " << s << ", output index " << i << ": got " << got << ", expected " << want
            << ", reference interpreter " << interp << "\n";
        if (!sameFloat(got, interp))
          reportDivergence(co.outDir, g, x, ref.value(), outElems, opts, out);
        else
          out << "generated code agrees with the reference interpreter: the integer graph differs from "
                 "the model's float semantics\n";
      }
      break;
    }
    if (exact) ++r.exactSamples;
  }
  if (*n == 1 || outElems > 1) {
    size_t show = std::min<size_t>(*n, 4);
    for (size_t s = 0; s < show && outElems > 1 && outElems <= 1000; ++s) {
      auto begin = run->outputs.begin() + static_cast<std::ptrdiff_t>(s * outElems);
      auto best = std::max_element(begin, begin + static_cast<std::ptrdiff_t>(outElems));
      auto ebegin = expected->data.begin() + static_cast<std::ptrdiff_t>(s * outElems);
      auto ebest = std::max_element(ebegin, ebegin + static_cast<std::ptrdiff_t>(outElems));
      out << "sample " << s << ": predicted class " << (best - begin) << " (expected " << (ebest - ebegin) << ")\n";
    }
  }
  out << r.exactSamples << "/" << r.samples << " bit-exact" << (build.target == Target::Rv32 ? " (rv32 on QEMU)" : "")
      << "\n";
  if (*build.profile != ProfileMode::None) HTVM_TRY(reportProfile(co.outDir, run->log, build, out));
  return r;
}

}  // namespace htvm
