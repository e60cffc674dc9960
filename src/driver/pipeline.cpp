#include "driver/pipeline.h"

#include <chrono>
#include <filesystem>

#include "backends/backends.h"
#include "codegen/c/codegen.h"
#include "driver/report_json.h"

namespace htvm {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

Result<Conf> parseConf(const std::string& s) {
  if (s == "cpu") return Conf::Cpu;
  if (s == "digital") return Conf::Digital;
  if (s == "analog") return Conf::Analog;
  if (s == "mixed") return Conf::Mixed;
  return error() << "unknown conf '" << s << "': use cpu, digital, analog or mixed";
}

Result<ScheduleStyle> parseSchedule(const std::string& s) {
  if (s == "ours") return ScheduleStyle::Ours;
  if (s == "htvm") return ScheduleStyle::Htvm;
  return error() << "unknown schedule '" << s << "': use ours or htvm";
}

Result<CompiledModel> lowerModel(const CompileOptions& opts) {
  auto start = Clock::now();
  CompiledModel m;
  PassContext ctx{opts, m, Conf::Mixed, false, {}};
  Result<Conf> conf = parseConf(opts.conf);
  if (!conf.ok()) return conf.diag();
  ctx.conf = conf.value();
  Result<ScheduleStyle> style = parseSchedule(opts.schedule);
  if (!style.ok()) return style.diag();
  ctx.htvmSchedule = style.value() == ScheduleStyle::Htvm;
  if (!opts.dumpAfter.empty()) {
    bool known = false;
    for (const Pass& p : passTable()) known = known || opts.dumpAfter == p.name;
    if (!known) return error() << "unknown pass '" << opts.dumpAfter << "' for --dump-after: passes are " << passNames();
  }
  Result<Platform> platform =
      platformByName(opts.platform, opts.backends ? *opts.backends : builtinBackends());
  if (!platform.ok()) return platform.diag();
  m.platform = std::move(platform.value());
  HTVM_TRY(runPasses(ctx));
  m.totalSeconds = secondsSince(start);
  return m;
}

Result<GeneratedProject> generateProject(const CompileOptions& opts) {
  Result<CompiledModel> m = lowerModel(opts);
  if (!m.ok()) return m.diag();
  auto t = Clock::now();
  CodegenOptions co;
  co.modelName = std::filesystem::path(opts.modelPath).stem().string();
  co.sourceFile = std::filesystem::path(opts.modelPath).filename().string();
  co.platform = m->platform.name;
  co.accels = m->platform.accelerators;
  co.l1 = &m->l1;
  co.build.l2Bytes = m->platform.l2.bytes.value;
  co.build.l2PrivateBytes = m->platform.l2.hostPrivateBytes.value;
  co.build.rv32March = m->platform.cpu.march;
  co.build.rv32Mabi = m->platform.cpu.mabi;
  if (opts.defaultProfile) co.build.profile = profileModeName(*opts.defaultProfile);
  co.build.optLevel = opts.defaultOptLevel;
  co.reportJson = reportJson(*m, opts);
  Result<std::vector<GeneratedFile>> files = generateC(m->graph, m->plan, co);
  if (!files.ok()) return files.diag();
  m->emitSeconds = secondsSince(t);
  m->totalSeconds += m->emitSeconds;
  return GeneratedProject{std::move(m.value()), std::move(files.value())};
}

Result<CompiledModel> compileModel(const CompileOptions& opts) {
  Result<GeneratedProject> p = generateProject(opts);
  if (!p.ok()) return p.diag();
  auto t = Clock::now();
  HTVM_TRY(writeProject(p->files, opts.outDir, opts.force));
  const double writeSeconds = secondsSince(t);
  p->model.emitSeconds += writeSeconds;
  p->model.totalSeconds += writeSeconds;
  return std::move(p->model);
}

}  // namespace htvm
