#include "driver/pipeline.h"

#include <chrono>
#include <filesystem>

#include "codegen/c/codegen.h"
#include "frontend/onnx/onnx_import.h"
#include "ir/verify.h"

namespace htvm {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

Result<CompiledModel> lowerModel(const CompileOptions& opts) {
  CompiledModel m;
  auto start = Clock::now();
  auto t = start;
  Result<Graph> g = importOnnx(opts.modelPath);
  if (!g.ok()) return g.diag();
  m.floatGraph = std::move(g.value());
  m.stageSeconds.emplace_back("import", secondsSince(t));

  t = Clock::now();
  Result<IntegerizeResult> ig = integerize(m.floatGraph);
  if (!ig.ok()) return error() << opts.modelPath << ": " << ig.diag().message;
  m.integer = std::move(ig.value());
  if (opts.verifyEach) {
    Status s = verify(m.integer.graph);
    HTVM_CHECK(s.ok()) << "integerize broke the IR: " << s.diag().message;
  }
  m.stageSeconds.emplace_back("integerize", secondsSince(t));

  const Graph& ir = m.integer.graph;
  if (ir.inputs.size() != 1 || ir.outputs.size() != 1)
    return error() << opts.modelPath << ": models with " << ir.inputs.size() << " inputs and "
                   << ir.outputs.size() << " outputs are not supported yet (exactly one of each)";

  t = Clock::now();
  m.plan = planArena(ir);
  HTVM_CHECK(!anyBuffersOverlap(ir, m.plan)) << "arena planner placed two live tensors on the same bytes";
  m.stageSeconds.emplace_back("memory plan", secondsSince(t));
  m.totalSeconds = secondsSince(start);
  return m;
}

Result<CompiledModel> compileModel(const CompileOptions& opts) {
  Result<CompiledModel> m = lowerModel(opts);
  if (!m.ok()) return m;
  auto t = Clock::now();
  CodegenOptions co;
  co.modelName = std::filesystem::path(opts.modelPath).stem().string();
  co.sourceFile = std::filesystem::path(opts.modelPath).filename().string();
  co.platform = opts.platform;
  Status s = emitC(m->integer.graph, m->plan, co, opts.outDir);
  if (!s.ok()) return s.diag();
  double emitSeconds = std::chrono::duration<double>(Clock::now() - t).count();
  m->stageSeconds.emplace_back("emit C", emitSeconds);
  m->totalSeconds += emitSeconds;
  return m;
}

}  // namespace htvm
