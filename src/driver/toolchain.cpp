#include "driver/toolchain.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace htvm {
namespace {

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

}  // namespace

Status buildProject(const std::string& dir, BuildFlavor flavor) {
  std::string log = dir + "/build.log";
  std::string cmd = "make -s -C " + quote(dir) + (flavor == BuildFlavor::Trace ? " trace" : "") + " > " +
                    quote(log) + " 2>&1";
  if (std::system(cmd.c_str()) != 0)
    return error() << "building the generated code in " << dir << " failed:" << tail(log, 20);
  return ok();
}

Result<RunOutput> runProject(const std::string& dir, const std::vector<float>& inputs, size_t samples,
                             size_t outputElems, BuildFlavor flavor) {
  std::string in = dir + "/run_input.bin", out = dir + "/run_output.bin", trace = dir + "/run_trace.bin";
  {
    std::ofstream f(in, std::ios::binary);
    f.write(reinterpret_cast<const char*>(inputs.data()), static_cast<std::streamsize>(inputs.size() * sizeof(float)));
    if (!f) return error() << in << ": cannot write";
  }
  std::filesystem::remove(out);
  std::filesystem::remove(trace);
  std::string exe = dir + (flavor == BuildFlavor::Trace ? "/build/htvm_demo_trace" : "/build/htvm_demo");
  std::string log = dir + "/run.log";
  std::string cmd = quote(exe) + " " + quote(in) + " " + quote(out) +
                    (flavor == BuildFlavor::Trace ? " " + quote(trace) : "") + " > " + quote(log) + " 2>&1";
  int rc = std::system(cmd.c_str());
  if (rc != 0) return error() << "running " << exe << " failed (status " << rc << "):" << tail(log, 10);
  RunOutput r;
  std::vector<char> bytes = readAll(out);
  if (bytes.size() != samples * outputElems * sizeof(float))
    return error() << out << ": expected " << samples * outputElems * sizeof(float) << " bytes, got "
                   << bytes.size();
  r.outputs.resize(samples * outputElems);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(r.outputs.data()));
  if (flavor == BuildFlavor::Trace) r.trace = readAll(trace);
  return r;
}

}  // namespace htvm
