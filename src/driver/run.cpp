#include "driver/run.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "driver/profile.h"
#include "driver/toolchain.h"
#include "driver/verify.h"
#include "support/npy.h"

namespace htvm {
namespace {

Result<Shape> shapeFromReport(const nlohmann::json& report, const char* key, const std::string& path) {
  if (!report.contains(key) || !report[key].contains("shape") || !report[key]["shape"].is_array())
    return error() << path << ": no '" << key << ".shape' entry (not written by this htvm?)";
  Shape s;
  for (const auto& d : report[key]["shape"]) s.push_back(d.get<int64_t>());
  return s;
}

}  // namespace

Status runCompiled(const RunOptions& opts, std::ostream& out) {
  std::string reportPath = opts.dir + "/report.json";
  std::ifstream f(reportPath);
  if (!f) return error() << opts.dir << ": not a project written by `htvm compile` (no report.json)";
  nlohmann::json report = nlohmann::json::parse(f, nullptr, false);
  if (report.is_discarded()) return error() << reportPath << ": not valid JSON";
  Result<Shape> inShape = shapeFromReport(report, "input", reportPath);
  if (!inShape.ok()) return inShape.diag();
  Result<Shape> outShape = shapeFromReport(report, "output", reportPath);
  if (!outShape.ok()) return outShape.diag();

  Result<NpyArray> in = loadNpy(opts.inputPath);
  if (!in.ok()) return in.diag();
  Result<size_t> n = countSamples(*in, *inShape, opts.inputPath);
  if (!n.ok()) return n.diag();
  BuildOptions build = opts.build;
  build.flavor = BuildFlavor::Release;
  HTVM_TRY(buildProject(opts.dir, build));
  size_t outElems = static_cast<size_t>(numElements(*outShape));
  Result<RunOutput> r = runProject(opts.dir, in->data, *n, outElems, build, opts.timeoutSeconds);
  if (!r.ok()) return r.diag();

  for (size_t s = 0; s < *n && s < 8; ++s) {
    auto begin = r->outputs.begin() + static_cast<std::ptrdiff_t>(s * outElems);
    auto end = begin + static_cast<std::ptrdiff_t>(outElems);
    out << "sample " << s << ": top-1 index " << (std::max_element(begin, end) - begin) << ", output [";
    for (auto it = begin; it != end && it - begin < 16; ++it) out << (it == begin ? "" : ", ") << *it;
    out << (outElems > 16 ? ", ...]" : "]") << "\n";
  }
  if (*n > 8) out << "... " << *n << " samples\n";
  if (!opts.outputPath.empty()) {
    NpyArray o;
    o.shape = *outShape;
    if (*n > 1 || in->shape != *inShape) o.shape[0] = static_cast<int64_t>(*n);
    o.data = r->outputs;
    HTVM_TRY(saveNpy(opts.outputPath, o));
    out << "wrote " << opts.outputPath << "\n";
  }
  // The project's own default (target.mk) may profile too: the demo's output says so.
  if (r->log.find("htvm_profile: mode") != std::string::npos)
    HTVM_TRY(reportProfile(opts.dir, r->log, build, out));
  return ok();
}

}  // namespace htvm
