// The toy kind's backend (see htvm_toy.h): it runs QAdd as Flat tiles of its "qadd" pattern's
// layout, costs each job as its simulator does, and prints htvm_toy_add jobs. Its HAL header and
// simulator ship with the generated project as runtime files, read from this folder.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "backends/backend.h"
#include "platform/cost_model.h"
#include "platform/platform.h"

namespace htvm::testing {
namespace {

constexpr size_t kLanes = 0;  // AcceleratorDesc::params index of compute.lanes

std::string readToyFile(const std::string& name) {
  std::ifstream in(std::string(HTVM_TOY_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::optional<TileLayer> tileLayer(const Graph& g, const Node& n, const AcceleratorDesc& a) {
  if (n.op != OpKind::QAdd || !a.patterns.qadd) return std::nullopt;
  const TensorType& t = g.type(n.outputs[0]);
  TileLayer l;
  l.shape = TileShape::Flat;
  l.layout = a.patterns.qadd->layout;
  l.operands = 2;
  l.addBytes = TensorType{t.dtype, t.shape, l.layout}.bytes();
  return l;
}

JobCycles jobCycles(const TileLayer&, const TileJob& j, const AcceleratorDesc& a) {
  JobCycles c;
  c.setup = a.jobSetupCycles.value;
  c.compute = ceilDiv(j.addBytes, a.param(kLanes));
  return c;
}

std::string jobInit(const JobText& t) {
  return fmt::format("{{{}u, {}u, {}u, {}u, {}, {}}}", t.in[0], t.in[1], t.out, t.job.addBytes,
                     t.n.attrInt("shift"), t.n.attrInt("lo") == 0 ? 1 : 0);
}

AccelBackend make() {
  static const std::string header = readToyFile("htvm_toy.h"), sim = readToyFile("sim_toy.c");
  AccelBackend b;
  b.kind = "toy";
  b.halKind = "3u /* HTVM_KIND_TOY */";
  b.halHeader = "htvm_toy.h";
  b.runtimeFiles = {{"htvm_toy.h", header.c_str()}, {"hal/sim/sim_toy.c", sim.c_str()}};
  b.params = {{"lanes", true}};
  b.patterns = {"qadd"};
  b.tileLayer = tileLayer;
  b.jobCycles = jobCycles;
  b.jobWeightBytes = [](const TileLayer&, const TileJob&, const AcceleratorDesc&) -> int64_t {
    return 0;
  };
  b.weightOffset = [](const TileLayer&, const TileJob&, int64_t) -> int64_t { return 0; };
  b.weightsFit = [](const TileLayer&, int64_t, const AcceleratorDesc&) {
    return std::optional<std::string>();
  };
  b.halJob = [](OpKind op) {
    return op == OpKind::QAdd ? std::optional<HalJob>(HalJob{"htvm_toy_add_cfg", "htvm_toy_add"})
                              : std::nullopt;
  };
  b.jobInit = jobInit;
  b.emitWeights = [](CWriter&, const Graph&, const Node&, const LayerSchedule&,
                     const std::string&, const std::string&) {};
  b.weightArrayBytes = [](const Graph&, const Node&, const LayerSchedule&) -> int64_t {
    return 0;
  };
  // htvm_accel_desc's kind fields: the lanes in simd_lanes, weight fill 1 (no weights).
  b.halParams = [](const AcceleratorDesc& a) {
    return std::vector<int64_t>{0, 0, 0, 0, 1, 0, 0, 0, a.param(kLanes), 0, 0};
  };
  b.extraSimBytes = [](const AcceleratorDesc&) -> int64_t { return 0; };
  b.peakMacsPerCycle = [](const AcceleratorDesc&) -> int64_t { return 0; };
  return b;
}

}  // namespace

const AccelBackend& toyBackend() {
  static const AccelBackend b = make();
  return b;
}

}  // namespace htvm::testing
