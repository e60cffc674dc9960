// The bare-metal RV32 target beyond bit-exactness (which the e2e.rv32.* ctest entries check on
// every real model): memory that does not fit is a link error naming the region, no heap is
// linked, and `htvm profile` reports one row per layer, sizes and the stack peak, and keeps
// running with --indefinite. No assertion depends on timing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "cli/htvm_process.h"
#include "driver/toolchain.h"

namespace htvm {
namespace {

namespace fs = std::filesystem;

const std::string kModels = HTVM_SHARED_MODELS;
const std::string kResnet8 = kModels + "/resnet8/ResNet_QL_NOANNOTATION.onnx";
const std::string kDscnn = kModels + "/dscnn/DSCNN_QL_NOANNOTATION.onnx";

using proc::htvm;
using proc::Outcome;
using proc::readFile;
using proc::sh;

class Rv32 : public proc::ScratchDirTest {
 protected:
  Rv32() : ScratchDirTest("htvm-rv32-") {}
};

TEST_F(Rv32, L2TooSmallIsALinkErrorNamingTheRegion) {
  // DIANA with an 80000-byte L2: the 64 KiB host-private part leaves too little for ResNet8's
  // 49 KB activation arena.
  std::ifstream f(std::string(HTVM_SOURCE_DIR) + "/platforms/diana.json");
  nlohmann::ordered_json p = nlohmann::ordered_json::parse(f);
  p["name"] = "diana_small_l2";
  p["l2"]["bytes"] = 80000;
  fs::path platform = dir_ / "small_l2.json";
  std::ofstream(platform) << p.dump(2);
  fs::path out = dir_ / "project";
  Outcome c =
      sh(htvm("compile " + kResnet8 + " --platform " + platform.string() + " -o " + out.string()));
  ASSERT_EQ(c.code, 0) << c.output;
  // The compile already says so (80000 - 65536 host-private = 14464 B of room).
  EXPECT_TRUE(std::regex_search(
      c.output, std::regex(R"(htvm: warning: activation arena \d+ B exceeds the 14464 B of )"
                           R"(diana_small_l2's L2 .*will not link)")))
      << c.output;
  EXPECT_NE(readFile(out / "target.mk").find("HTVM_L2_BYTES = 80000"), std::string::npos);
  Outcome m = sh("make -s -C " + out.string() + " TARGET=rv32");
  EXPECT_NE(m.code, 0) << m.output;
  EXPECT_NE(m.output.find("region `l2'"), std::string::npos) << m.output;
  EXPECT_NE(m.output.find("ld returned 1 exit status"), std::string::npos)
      << m.output;                                        // at link time
  EXPECT_TRUE(fs::exists(out / "build/rv32/network.o"));  // everything compiled
  EXPECT_FALSE(fs::exists(out / "build/htvm_demo.elf"));

  // The same model links with DIANA's 512000-byte L2.
  Outcome ok = sh(htvm("compile " + kResnet8 + " -o " + out.string()) + " && make -s -C " +
                  out.string() + " TARGET=rv32");
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_EQ(ok.output.find("warning: activation arena"), std::string::npos) << ok.output;
}

// The platform's cpu.march/cpu.mabi choose the rv32 build: DIANA's RI5CY has the F extension, so
// its float work (the input quantizer, the output division) runs on the FPU; the rv32imac variant
// of the same chip builds without it. Both are bit-exact (e2e.rv32.* and e2e.rv32_imac.*).
TEST_F(Rv32, PlatformIsaChoosesTheBuild) {
  struct Case {
    const char* platform;
    const char* march;
    const char* abiFlag;  // readelf -h: the ELF's float ABI
    bool fpu;
  };
  for (const Case& k : {Case{"diana", "rv32imafc", "single-float ABI", true},
                        Case{"diana_rv32imac", "rv32imac", "soft-float ABI", false}}) {
    SCOPED_TRACE(k.platform);
    fs::path out = dir_ / k.platform;
    Outcome c = sh(htvm("compile " + kResnet8 + " --conf mixed --platform " + k.platform + " -o " +
                        out.string()) +
                   " && make -s -C " + out.string() + " TARGET=rv32");
    ASSERT_EQ(c.code, 0) << c.output;
    EXPECT_NE(readFile(out / "target.mk").find(std::string("RV32_MARCH = ") + k.march),
              std::string::npos);
    std::string elf = (out / "build/htvm_demo.elf").string();
    Outcome h = sh("riscv64-unknown-elf-readelf -h " + elf);
    ASSERT_EQ(h.code, 0) << h.output;
    EXPECT_NE(h.output.find(k.abiFlag), std::string::npos) << h.output;
    Outcome d = sh("riscv64-unknown-elf-objdump -d " + elf);
    ASSERT_EQ(d.code, 0);
    // The quantizer's float-to-int conversion rounds down in hardware (fcvt.w.s ..., rdn).
    bool fcvt = std::regex_search(d.output, std::regex(R"(\sfcvt\.w\.s\s.*rdn)"));
    bool fmul = d.output.find("\tfmul.s") != std::string::npos;
    EXPECT_EQ(fcvt, k.fpu);
    EXPECT_EQ(fmul, k.fpu);
    Outcome n = sh("riscv64-unknown-elf-nm " + elf);
    ASSERT_EQ(n.code, 0);
    if (k.fpu) {  // no single-precision soft-float routine is linked
      for (const char* sym : {" __mulsf3\n", " __divsf3\n", " __addsf3\n", " __fixsfsi\n"})
        EXPECT_EQ(n.output.find(sym), std::string::npos) << sym;
    }
  }
}

TEST_F(Rv32, LinkMapHasNoHeap) {
  fs::path out = dir_ / "project";
  Outcome c = sh(htvm("compile " + kResnet8 + " --conf mixed -o " + out.string()) +
                 " && make -s -C " + out.string() + " TARGET=rv32");
  ASSERT_EQ(c.code, 0) << c.output;
  std::string map = readFile(out / "build/htvm_demo.map");
  ASSERT_FALSE(map.empty());
  Status s = checkLinkMap(map, "htvm_demo.map");
  EXPECT_TRUE(s.ok()) << s.diag().message;
  for (const char* sym : {" malloc\n", " free\n", " sbrk\n", " _sbrk\n"})
    EXPECT_EQ(map.find(sym), std::string::npos) << sym;

  // The check itself: a linked allocator or a non-empty heap is an error that names it.
  Status bad = checkLinkMap(map + "                0x80001234                malloc\n", "x.map");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.diag().message.find("'malloc' is linked"), std::string::npos) << bad.diag().message;
  Status heap = checkLinkMap(
      "                0x80410000                __heap_start = __bss_end\n"
      "                0x80410800                __heap_end = (__heap_start + 0x800)\n",
      "y.map");
  ASSERT_FALSE(heap.ok());
  EXPECT_NE(heap.diag().message.find("the heap is 2048 bytes"), std::string::npos)
      << heap.diag().message;
  EXPECT_FALSE(checkLinkMap("no symbols here\n", "z.map").ok());
}

TEST_F(Rv32, ProfilePrintsOneRowPerLayerAndWritesCsvAndJson) {
  fs::path out = dir_ / "project";
  // The first conv pinned to the CPU so that the table has a CPU layer with MACs.
  Outcome r = sh(htvm("profile " + kResnet8 + " --target rv32 --conf mixed --input " + kModels +
                      "/resnet8/input.npy -o " + out.string() +
                      " --pin '/EpsQConv2dEpsDianaIntegeriser[9]/Conv=cpu'"));
  ASSERT_EQ(r.code, 0) << r.output;
  nlohmann::json report = nlohmann::json::parse(readFile(out / "report.json"));
  // Nodes fused into a CPU chain run inside its root's loop and have no row of their own.
  std::vector<size_t> running;
  for (size_t i = 0; i < report["layers"].size(); ++i)
    if (report["layers"][i].value("storage", std::string()) != "fused") running.push_back(i);
  size_t layers = running.size();
  ASSERT_GT(layers, 10u);
  ASSERT_LT(layers, report["layers"].size()) << "the mixed conf of ResNet8 fuses CPU chains";

  // Table rows: "<index>  <node> <core> <cycles> <instructions> [MACs MACs/cycle]".
  std::regex row(R"(^\s*(\d+)\s+(\S+)\s+(cpu|digital|analog)\s+(\d+)\s+(\S+).*$)");
  std::istringstream in(r.output);
  size_t rows = 0, cpuRows = 0, accelRows = 0;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    ASSERT_LT(rows, layers) << line;
    EXPECT_EQ(std::stoul(m[1]), running[rows]) << line;
    EXPECT_EQ(m[3], report["layers"][running[rows]]["core"].get<std::string>()) << line;
    if (m[3] == "cpu") {
      EXPECT_GT(std::stoull(m[4]), 0u) << "a CPU layer without measured cycles: " << line;
      EXPECT_NE(m[5], "-") << line;  // instructions
      ++cpuRows;
    } else {
      EXPECT_GT(std::stoull(m[4]), 0u) << "an accelerator layer without modeled cycles: " << line;
      ++accelRows;
    }
    ++rows;
  }
  EXPECT_EQ(rows, layers) << r.output;
  EXPECT_GT(cpuRows, 0u);
  EXPECT_GT(accelRows, 0u);
  EXPECT_NE(r.output.find("(whole network)"), std::string::npos) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(ELF: text \d+ B, data \d+ B, bss \d+ B)")))
      << r.output;
  std::smatch stack;
  ASSERT_TRUE(std::regex_search(r.output, stack, std::regex(R"(stack: peak (\d+) of (\d+) B)")))
      << r.output;
  EXPECT_GT(std::stoul(stack[1]), 0u);
  EXPECT_LT(std::stoul(stack[1]), std::stoul(stack[2]));

  // profile.csv: a header and one row per layer; profile.json: the same layers.
  std::istringstream csv(readFile(out / "profile.csv"));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("index,node,core,cycles,instructions,macs,macs_per_cycle,", 0), 0u)
      << header;
  size_t csvRows = 0;
  for (std::string line; std::getline(csv, line);) csvRows += !line.empty();
  EXPECT_EQ(csvRows, layers);
  nlohmann::json pj = nlohmann::json::parse(readFile(out / "profile.json"));
  EXPECT_EQ(pj["layers"].size(), layers);
  EXPECT_EQ(pj["target"], "rv32");
  // instructions per MAC: for CPU layers with MACs exactly rdinstret / MACs, for others none.
  EXPECT_NE(r.output.find("instr/MAC"), std::string::npos) << r.output;
  size_t cpuMacLayers = 0;
  for (const nlohmann::json& l : pj["layers"]) {
    if (l["core"] == "cpu" && l["macs"].get<int64_t>() > 0) {
      ++cpuMacLayers;
      double expected = l["instructions"].get<double>() / l["macs"].get<double>();
      EXPECT_DOUBLE_EQ(l["instructions_per_mac"].get<double>(), expected) << l.dump();
      EXPECT_GT(expected, 1.0) << l.dump();  // at least a multiply-add per MAC on rv32imac
    } else {
      EXPECT_TRUE(l["instructions_per_mac"].is_null()) << l.dump();
    }
  }
  EXPECT_GT(cpuMacLayers, 0u);
  // Accelerator layers: the simulator's timeline measures exactly the compiler's modeled cycles
  // (a layer whose output stays in L1 pays no copy to L2 in a profile build either).
  size_t accelLayers = 0;
  for (size_t i = 0; i < layers; ++i) {
    const nlohmann::json& rl = report["layers"][running[i]];
    if (rl["core"] == "cpu") continue;
    ++accelLayers;
    EXPECT_EQ(pj["layers"][i]["cycles"].get<int64_t>(), rl["modeled"]["cycles"].get<int64_t>())
        << rl["name"];
  }
  EXPECT_GT(accelLayers, 0u);
  EXPECT_EQ(pj["mode"], "individual");
  EXPECT_GT(pj["total"]["cycles"].get<uint64_t>(), 0u);
}

TEST_F(Rv32, ProfileGlobalAtGccO0) {
  fs::path out = dir_ / "project";
  Outcome r = sh(htvm("profile " + kDscnn +
                      " --target rv32 --conf cpu --profile global --gcc-opt 0 -o " + out.string()));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(readFile(out / "target.mk").find("OPT ?= 0"), std::string::npos);
  EXPECT_NE(readFile(out / "build/flags-rv32").find("-O0"), std::string::npos);
  std::istringstream csv(readFile(out / "profile.csv"));
  std::string header, total, extra;
  std::getline(csv, header);
  std::getline(csv, total);
  EXPECT_EQ(total.rfind("0,\"(whole network)\",cpu,", 0), 0u) << total;
  EXPECT_FALSE(std::getline(csv, extra) && !extra.empty()) << extra;
}

TEST_F(Rv32, ProfileIndefiniteKeepsRunning) {
  fs::path out = dir_ / "project";
  // Build first, so that the timed-out command below spends its time running, not compiling.
  Outcome b = sh(
      htvm("profile " + kDscnn + " --target rv32 --conf cpu --profile global -o " + out.string()));
  ASSERT_EQ(b.code, 0) << b.output;
  Outcome r = sh("timeout 15 " +
                 htvm("profile " + kDscnn + " --target rv32 --conf cpu --profile global -o " +
                      out.string() + " --indefinite"));
  EXPECT_EQ(r.code, 124) << "not still running when stopped:\n" << r.output;  // timeout's code
  std::regex it(R"(htvm_demo: iteration (\d+))");
  size_t iterations = std::distance(std::sregex_iterator(r.output.begin(), r.output.end(), it),
                                    std::sregex_iterator());
  EXPECT_GE(iterations, 2u) << r.output.substr(0, 2000);
}

}  // namespace
}  // namespace htvm
