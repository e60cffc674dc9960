// The project skeleton: the demo, the Makefile, the rv32 linker script and the profiling header
// are fixed files (runtime/project, embedded into htvm), copied under a banner naming the model.
// What differs per model or platform goes into three small files they read, written here:
//   demo/demo_config.h  whether the project has accelerator layers (and so the HAL);
//   project.mk          the model's C sources and headers, and the simulator pool's size, which
//                       make passes to the link (region sim_l1);
//   target.mk           the platform's L2 sizes and the build defaults chosen at compile time.
#include <fmt/format.h>

#include <algorithm>

#include "codegen/c/c_writer.h"
#include "codegen/c/c_syntax.h"
#include "codegen/c/emit_context.h"
#include "codegen/c/runtime_files.h"

namespace htvm {
namespace {

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::vector<RuntimeFile> projectRuntimeFiles(const EmitContext& ctx) {
  std::vector<RuntimeFile> files = runtimeFiles();
  std::vector<const AccelBackend*> seen;
  for (const AcceleratorDesc& a : ctx.opts.accels) {
    if (std::find(seen.begin(), seen.end(), a.backend) != seen.end()) continue;
    seen.push_back(a.backend);
    for (const auto& [path, text] : a.backend->runtimeFiles) files.push_back({path, text});
  }
  return files;
}

std::string fixedProjectFile(const EmitContext& ctx, const std::string& path,
                             const std::string& text) {
  std::string name = path.substr(path.rfind('/') + 1);  // npos + 1 == 0: the whole path
  bool make = name == "Makefile" || endsWith(name, ".mk");
  HTVM_CHECK(make || endsWith(name, ".c") || endsWith(name, ".h") || endsWith(name, ".ld"))
      << "runtime/project/" << path << ": no comment syntax known for its banner";
  return (make ? "# " + ctx.banner(name) : "/* " + ctx.banner(name) + " */") + "\n" + text;
}

std::string emitDemoConfig(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("demo_config.h"));
  w.comment("What demo/main.c needs to know of this project beyond include/htvm_model.h.");
  w.directive("#ifndef HTVM_DEMO_CONFIG_H");
  w.directive("#define HTVM_DEMO_CONFIG_H");
  w.blank();
  w.comment(
      "1: some layer runs on an accelerator, so runtime/htvm_hal.h is there and the profiler\n"
      "adds the accelerators' modeled cycles.");
  w.directive(fmt::format("#define HTVM_HAS_ACCEL {}", ctx.hasAccel ? 1 : 0));
  w.blank();
  w.directive("#endif /* HTVM_DEMO_CONFIG_H */");
  return w.str();
}

std::string emitProjectMk(const EmitContext& ctx) {
  std::string srcs = "src/network.c src/cpu_layers.c src/weights.c";
  std::string headers = "include/htvm_model.h src/cpu_layers.h src/weights.h";
  if (ctx.hasAccel) {
    srcs += " src/accel_layers.c src/platform.c";
    headers += " src/accel_layers.h runtime/htvm_platform.h";
    for (const RuntimeFile& f : projectRuntimeFiles(ctx))
      (endsWith(f.path, ".c") ? srcs : headers) += std::string(" runtime/") + f.path;
  }
  return fmt::format(
      "# {}\n"
      "# The model's part of the build, included by the Makefile: its C sources and headers, and\n"
      "# the bytes of the simulator's accelerator pool (region sim_l1 of htvm_rv32.ld).\n"
      "MODEL_SRCS = {}\nMODEL_HEADERS = {}\nHTVM_SIM_POOL_BYTES = {:#x}\n",
      ctx.banner("project.mk"), srcs, headers, (simMemoryBytes(ctx) + 15) / 16 * 16);
}

std::string emitTargetMk(const EmitContext& ctx) {
  const BuildDefaults& b = ctx.opts.build;
  std::string s = fmt::format(
      "# target.mk: written by htvm for platform {}; read by the Makefile (command-line\n"
      "# settings override it). The rv32 link (htvm_rv32.ld) checks that everything fits these "
      "sizes.\n",
      makeCommentText(ctx.opts.platform));
  if (b.l2Bytes > 0) s += fmt::format("HTVM_L2_BYTES = {}\n", b.l2Bytes);
  if (b.l2PrivateBytes > 0) s += fmt::format("HTVM_L2_PRIVATE_BYTES = {}\n", b.l2PrivateBytes);
  // The ISA is the platform's, not a default: the build must match the core the costs describe.
  if (!b.rv32March.empty()) s += "RV32_MARCH = " + b.rv32March + "\n";
  if (!b.rv32Mabi.empty()) s += "RV32_MABI = " + b.rv32Mabi + "\n";
  if (!b.profile.empty()) s += "PROFILE ?= " + b.profile + "\n";
  if (b.optLevel) s += fmt::format("OPT ?= {}\n", *b.optLevel);
  return s;
}

}  // namespace htvm
