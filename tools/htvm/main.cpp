// htvm command-line interface: compile, check, run, verify and profile quantized ONNX models. The
// subcommands only parse options and print; the work lives in the library modules (src/driver and
// below).
// Exit codes: 0 success (all exact for verify), 1 verification mismatch, 2 bad usage or bad model.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "driver/layer_table.h"
#include "driver/pipeline.h"
#include "driver/profile.h"
#include "driver/run.h"
#include "driver/toolchain.h"
#include "driver/verify.h"
#include "driver/version.h"
#include "ir/print.h"

namespace {

// --platform, --conf and --pin, shared by every subcommand that compiles. Pins are collected raw
// and split at their last '=' after parsing (node names may contain '=' but core names do not).
std::vector<std::string> rawPins;

void addTargetOptions(CLI::App* app, htvm::CompileOptions& o) {
  app->add_option("--platform", o.platform, "platform name under platforms/ (diana, host) or a platform JSON file")
      ->capture_default_str();
  app->add_option("--conf", o.conf,
                  "which accelerators may run layers: cpu (none), digital, analog, or mixed (all)")
      ->check(CLI::IsMember({"cpu", "digital", "analog", "mixed"}))
      ->capture_default_str();
  app->add_option("--pin", rawPins, "force a layer onto a core: NODE=CORE (CORE an accelerator name or cpu); repeatable");
  app->add_option("--schedule", o.schedule, "accelerator schedule: ours (double-buffered tiles, L1 residency) or htvm (single buffer, blocking DMA, every layer through L2)")
      ->check(CLI::IsMember({"ours", "htvm"}))
      ->capture_default_str();
  app->add_flag("--force", o.force,
                "write into a non-empty -o directory that htvm did not create (deletes nothing)");
  app->add_flag("--verify-each", o.verifyEach, "run the IR verifier after every pass (the final graph is always verified)");
  app->add_option("--dump-after", o.dumpAfter, "print the IR after this pass to stdout: one of " + htvm::passNames());
}

htvm::Status applyPins(htvm::CompileOptions& o) {
  for (const std::string& p : rawPins) {
    size_t eq = p.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size())
      return htvm::error() << "--pin '" << p << "': expected NODE=CORE";
    std::string node = p.substr(0, eq), core = p.substr(eq + 1);
    auto [it, added] = o.pins.emplace(node, core);
    if (!added && it->second != core)
      return htvm::error() << "--pin: node '" << node << "' pinned twice, to " << it->second
                           << " and to " << core;
  }
  return htvm::ok();
}

// --target, --profile, --gcc-opt and --timeout: how a project is built and run. Parsed into
// `BuildFlags` and turned into htvm::BuildOptions after CLI parsing.
struct BuildFlags {
  std::string target = "host";
  std::string profile;  // empty: the project's default
  int optLevel = -1;    // -1: the project's default
  double timeout = 600;
};

void addProfileOptions(CLI::App* app, BuildFlags& f) {
  app->add_option("--profile", f.profile,
                  "count cycles and instructions of sample 0: global (whole network) or individual "
                  "(per layer)")
      ->check(CLI::IsMember({"global", "individual"}));
  app->add_option("--gcc-opt", f.optLevel, "gcc optimization level of the generated C (-O0..-O3; default 2)")
      ->check(CLI::Range(0, 3));
}

void addBuildOptions(CLI::App* app, BuildFlags& f) {
  app->add_option("--target", f.target,
                  "where the generated program runs: host (native gcc) or rv32 (bare-metal ELF on "
                  "qemu-system-riscv32)")
      ->check(CLI::IsMember({"host", "rv32"}))
      ->capture_default_str();
  addProfileOptions(app, f);
  app->add_option("--timeout", f.timeout,
                  "seconds an rv32 run may take on QEMU, 0 to 1e6 (0: no limit)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            // CLI::Range lets NaN through (every comparison with it is false).
            double t = 0;
            try {
              t = std::stod(v);
            } catch (const std::exception&) {
              return "'" + v + "' is not a number of seconds";
            }
            if (!(t >= 0 && t <= 1e6)) return "'" + v + "' is not between 0 and 1e6 seconds";
            return "";
          },
          "0..1e6", "seconds"))
      ->capture_default_str();
}

htvm::Result<htvm::BuildOptions> buildOptions(const BuildFlags& f) {
  htvm::BuildOptions o;
  auto t = htvm::parseTarget(f.target);
  if (!t.ok()) return t.diag();
  o.target = *t;
  if (!f.profile.empty()) {
    auto p = htvm::parseProfileMode(f.profile);
    if (!p.ok()) return p.diag();
    o.profile = *p;
  }
  if (f.optLevel >= 0) o.optLevel = f.optLevel;
  return o;
}

int fail(const htvm::Diag& d) {
  std::cerr << "htvm: error: " << d.text() << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"htvm: ahead-of-time compiler from quantized ONNX models to self-contained C for "
               "heterogeneous TinyML SoCs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("htvm ") + htvm::htvmVersion() + " (commit " +
                                        htvm::htvmCommit() + ", report schema " +
                                        std::to_string(htvm::kReportSchema) + ")");
  // Recorded in report.json: the words as given, space-separated.
  std::string commandLine;
  for (int i = 0; i < argc; ++i) commandLine += (i ? " " : "") + std::string(argv[i]);

  htvm::CompileOptions compile;
  bool report = false, dumpIr = false;
  CLI::App* c = app.add_subcommand("compile", "compile MODEL.onnx into a C project in DIR");
  c->add_option("model", compile.modelPath, "quantized ONNX model (Quantlib export)")->required();
  c->add_option("-o,--output", compile.outDir, "output directory for the generated project")->required();
  c->add_flag("--report", report, "print the per-layer table (also written to DIR/report.json)");
  c->add_flag("--dump-ir", dumpIr, "print the lowered IR graph (fused, partitioned, with relayouts)");
  addTargetOptions(c, compile);
  BuildFlags compileBuild;
  addProfileOptions(c, compileBuild);

  htvm::CompileOptions check;
  bool checkJson = false;
  CLI::App* k = app.add_subcommand(
      "check", "compile MODEL in memory and print, per layer, its core and why it is not offloaded, "
               "memory and modeled cycles; writes nothing");
  k->add_option("model", check.modelPath, "quantized ONNX model")->required();
  k->add_flag("--json", checkJson, "print the report.json a compile would write instead of the table");
  addTargetOptions(k, check);

  htvm::RunOptions run;
  CLI::App* r = app.add_subcommand("run", "build (if needed) and run a compiled project on an input");
  r->add_option("dir", run.dir, "directory written by `htvm compile`")->required();
  r->add_option("--input", run.inputPath, "input .npy (the model's input shape, or N samples stacked)")
      ->required();
  r->add_option("--output", run.outputPath, "write the outputs to this .npy file");
  BuildFlags runBuild;
  addBuildOptions(r, runBuild);

  htvm::VerifyOptions verify;
  CLI::App* v = app.add_subcommand(
      "verify", "compile, build and run MODEL on every sample; compare exactly with expected outputs "
                "and the reference interpreter");
  v->add_option("model", verify.compile.modelPath, "quantized ONNX model")->required();
  v->add_option("--inputs", verify.inputsPath, "input samples .npy (e.g. testdata/inputs.npy or input.npy)")
      ->required();
  v->add_option("--outputs", verify.outputsPath, "expected outputs .npy, one per input sample")->required();
  v->add_option("-o,--output", verify.compile.outDir, "keep the generated project here (default: a temporary dir)");
  v->add_flag("--report", verify.printLayers, "print the per-layer table");
  v->add_flag("--keep", verify.keep, "keep the temporary project (without -o it is removed at the end)");
  addTargetOptions(v, verify.compile);
  BuildFlags verifyBuild;
  addBuildOptions(v, verifyBuild);

  htvm::ProfileOptions profile;
  BuildFlags profileBuild;
  profileBuild.target = "rv32";
  bool indefinite = false;
  CLI::App* p = app.add_subcommand(
      "profile", "compile, build and run MODEL once; print cycles, instructions and MACs per layer, "
                 "ELF sizes and peak stack; write profile.csv and profile.json into the project");
  p->add_option("model", profile.compile.modelPath, "quantized ONNX model")->required();
  p->add_option("--input", profile.inputPath, "input .npy (its first sample is used; default: zeros)");
  p->add_option("-o,--output", profile.compile.outDir, "keep the generated project here (default: a temporary dir)");
  p->add_flag("--keep", profile.keep, "keep the temporary project (without -o it is removed at the end)");
  p->add_flag("--indefinite", indefinite, "run the inference in a loop until stopped (power measurement)");
  addTargetOptions(p, profile.compile);
  addBuildOptions(p, profileBuild);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    if (c->parsed()) {
      if (auto s = applyPins(compile); !s.ok()) return fail(s.diag());
      auto b0 = buildOptions(compileBuild);
      if (!b0.ok()) return fail(b0.diag());
      compile.dumpTo = &std::cout;
      compile.commandLine = commandLine;
      compile.defaultProfile = b0->profile;
      compile.defaultOptLevel = b0->optLevel;
      auto r0 = htvm::compileModel(compile);
      if (!r0.ok()) return fail(r0.diag());
      for (const std::string& w : r0->warnings) std::cerr << "htvm: warning: " << w << "\n";
      if (dumpIr) std::cout << htvm::printGraph(r0->graph);
      if (report) std::cout << htvm::layerTable(compile.outDir + "/report.json");
      std::cout << "htvm: compiled " << compile.modelPath << " -> " << compile.outDir << " in "
                << r0->totalSeconds * 1000 << " ms (";
      for (const htvm::PassRecord& pr : r0->passes) std::cout << pr.name << " " << pr.seconds * 1000 << " ms, ";
      std::cout << "emit C " << r0->emitSeconds * 1000 << " ms)\n";
      return 0;
    }
    if (k->parsed()) {
      if (auto s = applyPins(check); !s.ok()) return fail(s.diag());
      check.dumpTo = &std::cout;
      check.commandLine = commandLine;
      auto g = htvm::generateProject(check);
      if (!g.ok()) return fail(g.diag());
      std::string reportText;
      for (const htvm::GeneratedFile& f : g->files)
        if (f.path == "report.json") reportText = f.text;
      std::cout << (checkJson ? reportText : htvm::layerTableOfText(reportText, check.modelPath));
      return 0;
    }
    if (r->parsed()) {
      auto b1 = buildOptions(runBuild);
      if (!b1.ok()) return fail(b1.diag());
      run.build = *b1;
      run.timeoutSeconds = runBuild.timeout;
      auto r1 = htvm::runCompiled(run, std::cout);
      if (!r1.ok()) return fail(r1.diag());
      return 0;
    }
    if (v->parsed()) {
      if (auto s = applyPins(verify.compile); !s.ok()) return fail(s.diag());
      verify.compile.dumpTo = &std::cout;
      verify.compile.commandLine = commandLine;
      auto b2 = buildOptions(verifyBuild);
      if (!b2.ok()) return fail(b2.diag());
      verify.build = *b2;
      verify.timeoutSeconds = verifyBuild.timeout;
      auto r2 = htvm::verifyModel(verify, std::cout);
      if (!r2.ok()) return fail(r2.diag());
      return r2->allExact() ? 0 : 1;
    }
    if (p->parsed()) {
      if (auto s = applyPins(profile.compile); !s.ok()) return fail(s.diag());
      profile.compile.dumpTo = &std::cout;
      profile.compile.commandLine = commandLine;
      auto b3 = buildOptions(profileBuild);
      if (!b3.ok()) return fail(b3.diag());
      profile.build = *b3;
      profile.build.indefinite = indefinite;
      profile.timeoutSeconds = profileBuild.timeout;
      auto r3 = htvm::profileModel(profile, std::cout);
      if (!r3.ok()) return fail(r3.diag());
      return 0;
    }
  } catch (const htvm::InternalError& e) {
    std::cerr << "htvm: " << e.what() << "\n";
    return 3;
  }
  return 2;
}
