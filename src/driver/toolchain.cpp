#include "driver/toolchain.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

namespace htvm {
namespace {

// QEMU's machine for the rv32 ELF (see htvm_rv32.ld for its memory map). -icount shift=0: one
// instruction per virtual nanosecond, so cycle counts are repeatable. Semihosting output (the
// guest's stdout and stderr) comes out on QEMU's stderr.
const char* const kQemu = "qemu-system-riscv32";
// clang-format off
const char* const kQemuArgs[] = {
    "-machine", "virt", "-nographic", "-bios", "none",
    "-semihosting-config", "enable=on,target=native", "-icount", "shift=0", "-kernel"};
// clang-format on

std::string quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

std::string tail(const std::string& path, size_t maxLines) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  std::string r;
  for (size_t i = lines.size() > maxLines ? lines.size() - maxLines : 0; i < lines.size(); ++i)
    r += "\n  " + lines[i];
  return r;
}

std::vector<char> readAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(f), {});
}

bool commandExists(const std::string& name) {
  return std::system(("command -v " + quote(name) + " > /dev/null 2>&1").c_str()) == 0;
}

// Exit code of a std::system() status, or 128 + signal.
int exitCode(int status) {
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return status;
}

Status writeFloats(const std::string& path, const std::vector<float>& v) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(v.data()),
          static_cast<std::streamsize>(v.size() * sizeof(float)));
  f.close();
  if (!f) return error() << path << ": cannot write";
  return ok();
}

// Where the demo reads its input and writes its outputs (relative to the project directory).
struct IoFiles {
  std::string in, out, trace;
};
IoFiles ioFiles(Target t) {
  if (t == Target::Rv32) return {"htvm_in.bin", "htvm_out.bin", "htvm_trace.bin"};
  return {"run_input.bin", "run_output.bin", "run_trace.bin"};
}

Status requireRv32Tools(bool needQemu) {
  if (!commandExists("riscv64-unknown-elf-gcc"))
    return error() << "riscv64-unknown-elf-gcc not found: --target rv32 needs Debian's "
                      "gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf (scripts/setup.sh "
                      "installs them)";
  if (needQemu && !commandExists(kQemu))
    return error() << kQemu
                   << " not found: --target rv32 runs on QEMU; install Debian's "
                      "qemu-system-misc (scripts/setup.sh installs it)";
  return ok();
}

}  // namespace

Result<Target> parseTarget(const std::string& s) {
  if (s == "host") return Target::Host;
  if (s == "rv32") return Target::Rv32;
  return error() << "unknown target '" << s << "': use host or rv32";
}

Result<ProfileMode> parseProfileMode(const std::string& s) {
  if (s == "none") return ProfileMode::None;
  if (s == "global") return ProfileMode::Global;
  if (s == "individual") return ProfileMode::Individual;
  return error() << "unknown profile mode '" << s << "': use global or individual";
}

const char* targetName(Target t) { return t == Target::Rv32 ? "rv32" : "host"; }

const char* profileModeName(ProfileMode m) {
  switch (m) {
    case ProfileMode::None:
      return "none";
    case ProfileMode::Global:
      return "global";
    case ProfileMode::Individual:
      return "individual";
  }
  return "none";
}

std::string demoPath(const std::string& dir, const BuildOptions& opts) {
  std::string base =
      dir + (opts.flavor == BuildFlavor::Trace ? "/build/htvm_demo_trace" : "/build/htvm_demo");
  return opts.target == Target::Rv32 ? base + ".elf" : base;
}

Status checkLinkMap(const std::string& mapText, const std::string& mapPath) {
  static const std::set<std::string> kHeap = {
      "malloc",        "calloc",         "realloc", "reallocarray", "free",      "memalign",
      "aligned_alloc", "posix_memalign", "sbrk",    "_sbrk",        "_malloc_r", "_free_r"};
  std::istringstream in(mapText);
  std::optional<uint64_t> heapStart, heapEnd;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string addr, name;
    if (!(ls >> addr >> name) || addr.rfind("0x", 0) != 0) continue;
    // Symbol lines of the memory map: "0x80001234   malloc" or "0x80411560   __heap_start = ...".
    if (kHeap.count(name))
      return error() << mapPath << ": '" << name << "' is linked (at " << addr
                     << "): the generated program must not use the heap";
    if (name == "__heap_start") heapStart = std::stoull(addr, nullptr, 16);
    if (name == "__heap_end") heapEnd = std::stoull(addr, nullptr, 16);
  }
  if (!heapStart || !heapEnd)
    return error() << mapPath << ": no __heap_start/__heap_end (not linked with htvm_rv32.ld?)";
  if (*heapEnd != *heapStart)
    return error() << mapPath << ": the heap is " << static_cast<int64_t>(*heapEnd - *heapStart)
                   << " bytes; it must be empty";
  return ok();
}

Status buildProject(const std::string& dir, const BuildOptions& opts) {
  if (opts.target == Target::Rv32) HTVM_TRY(requireRv32Tools(/*needQemu=*/false));
  std::string log = dir + "/build.log";
  std::string args = std::string(" TARGET=") + targetName(opts.target);
  if (opts.profile) args += std::string(" PROFILE=") + profileModeName(*opts.profile);
  if (opts.optLevel) args += " OPT=" + std::to_string(*opts.optLevel);
  if (opts.indefinite) args += " INDEFINITE=1";
  if (opts.poisonArena) args += " POISON=1";
  if (opts.flavor == BuildFlavor::Trace) args += " trace";
  std::string cmd = "make -s -C " + quote(dir) + args + " > " + quote(log) + " 2>&1";
  if (std::system(cmd.c_str()) != 0)
    return error() << "building the generated code in " << dir << " (make" << args
                   << ") failed:" << tail(log, 20);
  if (opts.target == Target::Rv32) {
    std::string elf = demoPath(dir, opts);
    std::string map = elf.substr(0, elf.size() - 4) + ".map";
    std::vector<char> text = readAll(map);
    HTVM_TRY(checkLinkMap(std::string(text.begin(), text.end()), map));
  }
  return ok();
}

Result<RunOutput> runProject(const std::string& projectDir, const std::vector<float>& inputs,
                             size_t samples, size_t outputElems, const BuildOptions& opts,
                             double timeoutSeconds) {
  if (opts.target == Target::Rv32) HTVM_TRY(requireRv32Tools(/*needQemu=*/true));
  const std::string dir = std::filesystem::absolute(projectDir).string();  // QEMU runs inside it
  IoFiles io = ioFiles(opts.target);
  std::string in = dir + "/" + io.in, out = dir + "/" + io.out, trace = dir + "/" + io.trace;
  HTVM_TRY(writeFloats(in, inputs));
  std::filesystem::remove(out);
  std::filesystem::remove(trace);
  std::string exe = demoPath(dir, opts);
  std::string log = dir + "/run.log";
  std::string cmd;
  if (opts.target == Target::Rv32) {
    // coreutils timeout: 0 means no limit; -k 5: SIGKILL if QEMU ignores SIGTERM.
    long limit =
        timeoutSeconds <= 0 ? 0 : std::max(1L, static_cast<long>(std::ceil(timeoutSeconds)));
    cmd = "cd " + quote(dir) + " && timeout -k 5 " + std::to_string(limit) + " " + kQemu;
    for (const char* a : kQemuArgs) cmd += " " + quote(a);
    cmd += " " + quote(exe.substr(dir.size() + 1)) + " < /dev/null > " + quote(log) + " 2>&1";
  } else {
    cmd = quote(exe) + " " + quote(in) + " " + quote(out) +
          (opts.flavor == BuildFlavor::Trace ? " " + quote(trace) : "") + " > " + quote(log) +
          " 2>&1";
  }
  int rc = exitCode(std::system(cmd.c_str()));
  if (opts.target == Target::Rv32 && rc == 124)
    return error() << "running " << exe << " on QEMU did not finish within " << timeoutSeconds
                   << " s:" << tail(log, 10);
  if (rc != 0)
    return error() << "running " << exe << (opts.target == Target::Rv32 ? " on QEMU" : "")
                   << " failed (exit status " << rc << "):" << tail(log, 10);
  RunOutput r;
  std::vector<char> logText = readAll(log);
  r.log.assign(logText.begin(), logText.end());
  std::vector<char> bytes = readAll(out);
  if (bytes.size() != samples * outputElems * sizeof(float))
    return error() << out << ": expected " << samples * outputElems * sizeof(float)
                   << " bytes, got " << bytes.size();
  r.outputs.resize(samples * outputElems);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(r.outputs.data()));
  if (opts.flavor == BuildFlavor::Trace) r.trace = readAll(trace);
  return r;
}

Status execProject(const std::string& dir, const std::vector<float>& input,
                   const BuildOptions& opts) {
  if (opts.target == Target::Rv32) HTVM_TRY(requireRv32Tools(/*needQemu=*/true));
  IoFiles io = ioFiles(opts.target);
  HTVM_TRY(writeFloats(dir + "/" + io.in, input));
  std::string exe = demoPath(dir, opts).substr(dir.size() + 1);
  std::vector<std::string> args;
  if (opts.target == Target::Rv32) {
    args.push_back(kQemu);
    args.insert(args.end(), std::begin(kQemuArgs), std::end(kQemuArgs));
    args.push_back(exe);
  } else {
    args = {"./" + exe, io.in, io.out};
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (chdir(dir.c_str()) != 0) return error() << dir << ": cannot enter the directory";
  std::cout.flush();
  std::cerr.flush();
  execvp(argv[0], argv.data());
  return error() << "cannot start " << args[0];
}

TempProject::TempProject(const std::string& what, bool keep) : keep_(keep) {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / ("htvm-" + what + "-XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* d = mkdtemp(buf.data());
  HTVM_CHECK(d != nullptr) << "cannot create a temporary directory";
  dir_ = d;
}

TempProject::~TempProject() {
  std::error_code ec;  // nothing to report from a destructor: a leftover directory is harmless
  if (!keep_) std::filesystem::remove_all(dir_, ec);
}

namespace {

// Output and exit code of a command.
std::pair<std::string, int> capture(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {"cannot run " + cmd, -1};
  std::string text;
  char buf[512];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  return {text, pclose(p)};
}

}  // namespace

Result<ElfSizes> elfSizes(const std::string& elfPath) {
  auto [berkeley, rc] = capture("riscv64-unknown-elf-size " + quote(elfPath));
  // Berkeley format: a header line, then "text data bss dec hex filename".
  std::istringstream in(berkeley);
  std::string header, line;
  std::getline(in, header);
  std::getline(in, line);
  ElfSizes s;
  std::istringstream ls(line);
  if (rc != 0 || !(ls >> s.text >> s.data >> s.bss))
    return error() << "riscv64-unknown-elf-size " << elfPath << " failed: " << berkeley;
  // SysV format: "section size addr" per line.
  auto [sysv, rc2] = capture("riscv64-unknown-elf-size -A " + quote(elfPath));
  if (rc2 != 0) return error() << "riscv64-unknown-elf-size -A " << elfPath << " failed: " << sysv;
  std::istringstream sin(sysv);
  uint64_t stackAddr = 0, arenaEnd = 0;
  for (std::string l; std::getline(sin, l);) {
    std::istringstream ss(l);
    std::string name;
    uint64_t size = 0, addr = 0;
    if (!(ss >> name >> size >> addr)) continue;
    if (name == ".stack") {
      s.stack = static_cast<int64_t>(size);
      stackAddr = addr;
    }
    if (name == ".l2_shared") {
      s.arena = static_cast<int64_t>(size);
      arenaEnd = addr + size;
    }
    if (name == ".sim_l1") s.simPool = static_cast<int64_t>(size);
  }
  if (stackAddr != 0 && arenaEnd > stackAddr) s.l2Used = static_cast<int64_t>(arenaEnd - stackAddr);
  return s;
}

}  // namespace htvm
