#include "driver/profile.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>

#include "driver/verify.h"
#include "support/npy.h"

namespace htvm {
namespace {

std::string ellipsize(const std::string& s, size_t width) {
  return s.size() <= width ? s : "..." + s.substr(s.size() - (width - 3));
}

std::string num(const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : "-"; }

std::optional<double> macsPerCycle(const LayerProfile& l) {
  if (!l.cycles || *l.cycles == 0 || l.macs == 0) return std::nullopt;
  return static_cast<double>(l.macs) / static_cast<double>(*l.cycles);
}

// rdinstret per MAC: CPU layers with MACs on rv32 only (accelerator layers execute no instructions of
// their own; the simulator's are not theirs).
std::optional<double> instructionsPerMac(const LayerProfile& l) {
  if (!l.instructions || l.macs == 0) return std::nullopt;
  return static_cast<double>(*l.instructions) / static_cast<double>(l.macs);
}

// Fills the reported cycles and instructions from the raw counts (see profile.h).
void decide(LayerProfile& l, Target target, bool accel) {
  if (accel) {
    l.cycles = l.modeledAccel;
  } else if (target == Target::Rv32) {
    l.cycles = l.measured;
    l.instructions = l.measuredInstret;
  }
}

// "key v key v ..." after the line's prefix into `l` (cycles, instret, accel_cycles).
bool parseCounts(std::istringstream& in, LayerProfile& l) {
  std::string key;
  uint64_t v = 0;
  int seen = 0;
  while (in >> key >> v) {
    uint64_t* field = key == "cycles"         ? &l.measured
                      : key == "instret"      ? &l.measuredInstret
                      : key == "accel_cycles" ? &l.modeledAccel
                                              : nullptr;
    if (field == nullptr) continue;
    *field = v;
    ++seen;
  }
  return seen == 3;
}

}  // namespace

Result<ProfileReport> parseProfile(const std::string& log, const std::string& reportJsonPath,
                                   Target target) {
  std::ifstream f(reportJsonPath);
  nlohmann::json report = nlohmann::json::parse(f, nullptr, false);
  if (report.is_discarded() || !report.contains("layers"))
    return error() << reportJsonPath << ": no layer report (not written by this htvm?)";
  ProfileReport r;
  r.model = report.value("model", std::string());
  r.target = target;
  bool sawMode = false, sawTotal = false;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string tag, what;
    ls >> tag >> what;
    if (tag == "htvm_demo:" && what == "stack") {
      // "htvm_demo: stack peak 336 of 8192 bytes"
      std::string peakWord, of;
      uint64_t peak = 0, size = 0;
      if (ls >> peakWord >> peak >> of >> size) {
        r.stackPeak = peak;
        r.stackBytes = size;
      }
      continue;
    }
    if (tag != "htvm_profile:") continue;
    if (what == "mode") {
      std::string mode, unitWord;
      ls >> mode >> unitWord >> r.unit;
      if (!mode.empty() && mode.back() == ',') mode.pop_back();
      r.mode = mode == "individual" ? ProfileMode::Individual : ProfileMode::Global;
      sawMode = true;
    } else if (what == "layer") {
      LayerProfile l;
      ls >> l.index;
      if (!parseCounts(ls, l) || l.index < 0 ||
          static_cast<size_t>(l.index) >= report["layers"].size())
        return error() << "malformed profile line: " << line;
      const auto& j = report["layers"][static_cast<size_t>(l.index)];
      // A fused chain member runs inside its root's loop: its own probe pair measures nothing.
      if (j.value("storage", std::string()) == "fused") {
        ++r.fusedNodes;
        continue;
      }
      l.node = j.value("name", std::string());
      l.core = j.value("core", std::string("cpu"));
      l.macs = j.value("macs", int64_t{0});
      decide(l, target, l.core != "cpu");
      r.layers.push_back(l);
    } else if (what == "total") {
      if (!parseCounts(ls, r.total)) return error() << "malformed profile line: " << line;
      sawTotal = true;
    }
  }
  if (!sawMode || !sawTotal)
    return error()
           << "the program printed no profile (was it built with PROFILE=global or individual?)";
  r.total.node = "(whole network)";
  r.total.core = r.total.modeledAccel > 0 ? "all" : "cpu";
  r.total.macs = report.value("total_macs", int64_t{0});
  if (r.mode == ProfileMode::Individual) {
    // The network's cycles: measured CPU layers plus modeled accelerator layers.
    uint64_t cycles = 0, instructions = 0;
    bool allCycles = true;
    for (const LayerProfile& l : r.layers) {
      if (l.cycles)
        cycles += *l.cycles;
      else
        allCycles = false;
      if (l.instructions) instructions += *l.instructions;
    }
    if (allCycles) r.total.cycles = cycles;
    if (target == Target::Rv32) r.total.instructions = instructions;
  } else if (target == Target::Rv32) {
    // Whole run only: the count includes the simulator's instructions for accelerator layers.
    r.total.cycles = r.total.measured;
    r.total.instructions = r.total.measuredInstret;
  }
  return r;
}

std::string profileTable(const ProfileReport& r) {
  const char* row = "{:>3}  {:<40} {:<8} {:>12} {:>12} {:>10} {:>10} {:>9}\n";
  std::string out = fmt::format("profile of {} ({}, {}; counts of sample 0)\n", r.model,
                                targetName(r.target), profileModeName(r.mode));
  out += fmt::format(row, "#", "node", "core", "cycles", "instructions", "MACs", "MACs/cycle",
                     "instr/MAC");
  auto print = [&](const std::string& idx, const LayerProfile& l) {
    std::string cycles = l.cycles ? std::to_string(*l.cycles) : std::to_string(l.measured) + " ns";
    std::optional<double> mpc = macsPerCycle(l);
    std::optional<double> ipm = l.core == "cpu" ? instructionsPerMac(l) : std::nullopt;
    out += fmt::format(row, idx, ellipsize(l.node, 40), l.core, cycles, num(l.instructions),
                       l.macs ? std::to_string(l.macs) : "", mpc ? fmt::format("{:.2f}", *mpc) : "",
                       ipm ? fmt::format("{:.2f}", *ipm) : "");
  };
  for (const LayerProfile& l : r.layers) print(std::to_string(l.index), l);
  print("", r.total);
  if (r.target == Target::Rv32)
    out +=
        r.mode == ProfileMode::Individual
            ? "cycles: CPU layers measured (rdcycle on QEMU, -icount shift=0), accelerator layers "
              "modeled by the simulator\n"
            : "cycles: measured over the whole run (rdcycle on QEMU); with accelerators this "
              "includes "
              "the simulator's own instructions\n";
  else
    out +=
        "host: CPU time in ns of CLOCK_MONOTONIC (no cycle counter), accelerator layers in modeled "
        "cycles\n";
  if (r.fusedNodes > 0)
    out += fmt::format("fused: {} nodes run inside a fused CPU chain; each chain's row is its root\n",
                       r.fusedNodes);
  if (r.total.modeledAccel > 0)
    out += fmt::format("accelerators: {} modeled cycles in total\n", r.total.modeledAccel);
  if (r.sizes) {
    out += fmt::format("ELF: text {} B, data {} B, bss {} B (riscv64-unknown-elf-size)\n",
                       r.sizes->text, r.sizes->data, r.sizes->bss);
    out += fmt::format(
        "L2: {} B from the stack's bottom to the arena's end (stack {} B, activation arena {} B)",
        r.sizes->l2Used, r.sizes->stack, r.sizes->arena);
    out += r.sizes->simPool > 0
               ? fmt::format("; bss includes the simulator's {} B accelerator pool, outside L2\n",
                             r.sizes->simPool)
               : "\n";
  }
  if (r.stackPeak)
    out +=
        fmt::format("stack: peak {} of {} B; heap: none\n", *r.stackPeak, r.stackBytes.value_or(0));
  return out;
}

Status writeProfileFiles(const std::string& dir, const ProfileReport& r) {
  std::vector<LayerProfile> rows = r.layers;
  if (rows.empty()) rows.push_back(r.total);
  std::string measured = "measured_" + r.unit;
  std::ostringstream csv;
  csv << "index,node,core,cycles,instructions,macs,macs_per_cycle," << measured
      << ",measured_instret,modeled_accel_cycles,instructions_per_mac\n";
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  auto toJson = [&](const LayerProfile& l) {
    nlohmann::ordered_json j;
    j["index"] = l.index;
    j["node"] = l.node;
    j["core"] = l.core;
    j["cycles"] = l.cycles ? nlohmann::ordered_json(*l.cycles) : nlohmann::ordered_json(nullptr);
    j["instructions"] =
        l.instructions ? nlohmann::ordered_json(*l.instructions) : nlohmann::ordered_json(nullptr);
    j["macs"] = l.macs;
    std::optional<double> mpc = macsPerCycle(l);
    j["macs_per_cycle"] = mpc ? nlohmann::ordered_json(*mpc) : nlohmann::ordered_json(nullptr);
    j[measured] = l.measured;
    j["measured_instret"] = l.measuredInstret;
    j["modeled_accel_cycles"] = l.modeledAccel;
    std::optional<double> ipm = l.core == "cpu" ? instructionsPerMac(l) : std::nullopt;
    j["instructions_per_mac"] = ipm ? nlohmann::ordered_json(*ipm) : nlohmann::ordered_json(nullptr);
    return j;
  };
  for (const LayerProfile& l : rows) {
    std::string node = l.node;
    for (char& c : node)
      if (c == '"') c = '\'';
    std::optional<double> mpc = macsPerCycle(l);
    csv << l.index << ",\"" << node << "\"," << l.core << ","
        << (l.cycles ? std::to_string(*l.cycles) : "") << ","
        << (l.instructions ? std::to_string(*l.instructions) : "") << "," << l.macs << ","
        << (mpc ? fmt::format("{:.4f}", *mpc) : "") << "," << l.measured << "," << l.measuredInstret
        << "," << l.modeledAccel << ","
        << (l.core == "cpu" && instructionsPerMac(l) ? fmt::format("{:.4f}", *instructionsPerMac(l)) : "")
        << "\n";
    layers.push_back(toJson(l));
  }
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["target"] = targetName(r.target);
  j["mode"] = profileModeName(r.mode);
  j["unit"] = r.unit;
  j["sample"] = 0;
  j["layers"] = layers;
  j["total"] = toJson(r.total);
  if (r.sizes)
    j["elf"] = {{"text", r.sizes->text},       {"data", r.sizes->data},   {"bss", r.sizes->bss},
                {"l2_used", r.sizes->l2Used},  {"stack", r.sizes->stack}, {"arena", r.sizes->arena},
                {"sim_pool", r.sizes->simPool}};
  if (r.stackPeak)
    j["stack"] = {{"peak_bytes", *r.stackPeak}, {"reserved_bytes", r.stackBytes.value_or(0)}};
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"profile.csv", csv.str()},
                                   {"profile.json", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"}}) {
    std::ofstream f(dir + "/" + name, std::ios::trunc);
    f << text;
    f.close();
    if (!f) return error() << dir << "/" << name << ": cannot write";
  }
  return ok();
}

Status reportProfile(const std::string& dir, const std::string& log, const BuildOptions& build,
                     std::ostream& out) {
  Result<ProfileReport> r = parseProfile(log, dir + "/report.json", build.target);
  if (!r.ok()) return r.diag();
  if (build.target == Target::Rv32) {
    Result<ElfSizes> s = elfSizes(demoPath(dir, build));
    if (!s.ok()) return s.diag();
    r->sizes = *s;
  }
  out << profileTable(*r);
  HTVM_TRY(writeProfileFiles(dir, *r));
  out << "wrote " << dir << "/profile.csv and " << dir << "/profile.json\n";
  return ok();
}

Status profileModel(const ProfileOptions& opts, std::ostream& out) {
  std::optional<NpyArray> inputs;
  if (!opts.inputPath.empty()) {
    Result<NpyArray> a = loadNpy(opts.inputPath);
    if (!a.ok()) return a.diag();
    inputs = std::move(*a);
  }
  CompileOptions co = opts.compile;
  std::optional<TempProject> temp;
  // --indefinite becomes the program it built, which runs from the project: it stays.
  if (co.outDir.empty()) co.outDir = temp.emplace("profile", opts.keep || opts.build.indefinite).dir();
  BuildOptions build = opts.build;
  if (!build.profile || *build.profile == ProfileMode::None)
    build.profile = ProfileMode::Individual;
  co.defaultProfile = build.profile;
  co.defaultOptLevel = build.optLevel;
  Result<CompiledModel> m = compileModel(co);
  if (!m.ok()) return m.diag();
  const Graph& g = m->graph;

  const TensorType& inType = g.type(g.inputs[0]);
  std::vector<float> input(static_cast<size_t>(inType.elements()), 0.0f);
  if (inputs) {
    Result<size_t> n = countSamples(*inputs, inType.shape, opts.inputPath);
    if (!n.ok()) return n.diag();
    input.assign(inputs->data.begin(),
                 inputs->data.begin() + static_cast<std::ptrdiff_t>(input.size()));
  }
  out << "compiled " << co.modelPath << " -> " << co.outDir
      << (temp && temp->removedAtEnd() ? " (temporary, removed at the end; --keep keeps it)" : "")
      << " (" << targetName(build.target)
      << ", " << profileModeName(*build.profile) << ", -O" << build.optLevel.value_or(2) << ")\n";
  HTVM_TRY(buildProject(co.outDir, build));
  if (build.indefinite) {
    out << "running indefinitely (until stopped) on "
        << (opts.inputPath.empty() ? "zeros" : opts.inputPath) << "\n";
    out.flush();
    return execProject(co.outDir, input, build);
  }
  size_t outElems = static_cast<size_t>(g.type(g.outputs[0]).elements());
  Result<RunOutput> run = runProject(co.outDir, input, 1, outElems, build, opts.timeoutSeconds);
  if (!run.ok()) return run.diag();
  HTVM_TRY(reportProfile(co.outDir, run->log, build, out));
  if (temp && temp->removedAtEnd())
    out << "(the temporary project and these files are removed now; --keep or -o keeps them)\n";
  return ok();
}

}  // namespace htvm
