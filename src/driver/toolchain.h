// Building and running a generated project: `make` in the output directory, then the demo
// program, natively (host) or as a bare-metal RV32 ELF on qemu-system-riscv32 with semihosting
// (rv32). Everything the generated program reads or writes goes through files in the project
// directory: on the host its argv names them, on rv32 they are htvm_in.bin / htvm_out.bin /
// htvm_trace.bin in the directory QEMU runs in (semihosting passes no argv).
// After every rv32 link the link map is checked: no heap (malloc, free, sbrk, ...) is linked and
// the heap region is empty.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/diag.h"

namespace htvm {

enum class BuildFlavor { Release, Trace };
enum class Target { Host, Rv32 };
enum class ProfileMode { None, Global, Individual };  // HTVM's names: global, individual

Result<Target> parseTarget(const std::string& s);            // "host" | "rv32"
Result<ProfileMode> parseProfileMode(const std::string& s);  // "none" | "global" | "individual"
const char* targetName(Target t);
const char* profileModeName(ProfileMode m);

struct BuildOptions {
  Target target = Target::Host;
  BuildFlavor flavor = BuildFlavor::Release;
  std::optional<ProfileMode> profile;  // unset: the project's default (target.mk), else none
  std::optional<int> optLevel;         // gcc -O level; unset: the project's default (2)
  bool indefinite = false;             // the demo loops over its last sample forever
  bool poisonArena = false;            // garbage in the arena before each inference (POISON=1)
};

// Runs make (quietly; the log goes to DIR/build.log and its tail into the Diag on failure). For
// rv32 it then checks the link map (checkLinkMap).
Status buildProject(const std::string& dir, const BuildOptions& opts);
inline Status buildProject(const std::string& dir, BuildFlavor flavor) {
  BuildOptions o;
  o.flavor = flavor;
  return buildProject(dir, o);
}

// The built program: build/htvm_demo[_trace] (host) or build/htvm_demo[_trace].elf (rv32).
std::string demoPath(const std::string& dir, const BuildOptions& opts);

// Checks a GNU ld map file (-Wl,-Map) of an rv32 link: none of malloc, calloc, realloc, free,
// sbrk and their picolibc variants is defined in it, and __heap_start == __heap_end.
Status checkLinkMap(const std::string& mapText, const std::string& mapPath);

struct RunOutput {
  std::vector<float> outputs;  // samples * outputElems
  std::vector<char> trace;     // raw trace records (Trace flavor only)
  std::string log;             // everything the program printed (stdout and stderr)
};

// Runs the demo program on `samples` concatenated inputs; an rv32 run that takes longer than
// timeoutSeconds is stopped and reported.
Result<RunOutput> runProject(const std::string& dir, const std::vector<float>& inputs,
                             size_t samples, size_t outputElems, const BuildOptions& opts,
                             double timeoutSeconds = 600);
inline Result<RunOutput> runProject(const std::string& dir, const std::vector<float>& inputs,
                                    size_t samples, size_t outputElems, BuildFlavor flavor) {
  BuildOptions o;
  o.flavor = flavor;
  return runProject(dir, inputs, samples, outputElems, o);
}

// Writes `input` (one sample) where the demo reads it and replaces this process with the demo
// (host) or QEMU (rv32), so that it runs until stopped (INDEFINITE builds). Returns only on error.
Status execProject(const std::string& dir, const std::vector<float>& input,
                   const BuildOptions& opts);

// A temporary project of verify or profile: a new directory under the system's temporary
// directory (/tmp/htvm-<what>-XXXXXX), removed with its contents when this goes out of scope
// unless `keep` (--keep), in which case its path is left for the user.
class TempProject {
 public:
  TempProject(const std::string& what, bool keep);
  TempProject(const TempProject&) = delete;
  TempProject& operator=(const TempProject&) = delete;
  ~TempProject();

  const std::string& dir() const { return dir_; }
  bool removedAtEnd() const { return !keep_; }

 private:
  std::string dir_;
  bool keep_;
};

// text/data/bss of the rv32 ELF, from riscv64-unknown-elf-size (Berkeley format), and where its
// RAM goes (htvm_rv32.ld's sections, from `size -A`): L2 from the bottom of the stack to the end of
// the activation arena, and the simulator's accelerator pool, which bss includes but L2 does not.
struct ElfSizes {
  int64_t text = 0, data = 0, bss = 0;
  int64_t l2Used = 0, stack = 0, arena = 0, simPool = 0;
};
Result<ElfSizes> elfSizes(const std::string& elfPath);

}  // namespace htvm
