// Platform loader: the shipped files load with the documented values; every validation error names
// the file and the key path.
#include "platform/platform.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iterator>

#include "platform_test_util.h"

namespace htvm {
namespace {

using ::testing::HasSubstr;
using testing::loadEdited;
using testing::loadError;
using ::testing::StartsWith;

TEST(Platform, DianaLoadsWithDocumentedValues) {
  Platform p = testing::diana();
  EXPECT_EQ(p.name, "diana");
  EXPECT_EQ(p.cpu.march, "rv32imafc");  // RI5CY has the F extension (DIANA.md section 1)
  EXPECT_EQ(p.cpu.mabi, "ilp32f");
  EXPECT_TRUE(p.cpu.clockHz.assumed);
  EXPECT_TRUE(p.cpu.cost.cyclesPerMac.assumed);
  EXPECT_EQ(p.l2.bytes.value, 512000);
  EXPECT_EQ(p.l2.hostPrivateBytes.value, 65536);
  ASSERT_EQ(p.accelerators.size(), 2u);

  const AcceleratorDesc& d = p.accelerators[0];
  EXPECT_EQ(d.name, "digital");
  EXPECT_STREQ(d.backend->kind, "digital");
  EXPECT_EQ(d.l1.activationBytes.value, 256000);
  EXPECT_TRUE(d.l1.activationBytes.assumed);
  EXPECT_EQ(d.l1.weightBytes.value, 64000);
  EXPECT_FALSE(d.l1.weightBytes.assumed);
  EXPECT_EQ(d.l1.weightBytes.source, "DY-HW");
  EXPECT_EQ(d.dma.setupCycles.value, 70);
  EXPECT_TRUE(d.dma.setupCycles.assumed);
  EXPECT_EQ(d.dma.bytesPerCycle.value, 16);
  EXPECT_EQ(d.dma.granuleBytes.value, 32);
  EXPECT_FALSE(d.dma.granuleBytes.assumed);
  EXPECT_EQ(d.jobSetupCycles.value, 150);
  EXPECT_TRUE(d.jobSetupCycles.assumed);
  ASSERT_EQ(d.params.size(), d.backend->params.size());
  EXPECT_EQ(d.param(DigitalParam::PeK), 16);
  EXPECT_EQ(d.param(DigitalParam::PeOx), 16);
  EXPECT_EQ(d.param(DigitalParam::BlockCycles), 23);
  EXPECT_EQ(d.param(DigitalParam::FifoCycles), 2);
  EXPECT_EQ(d.param(DigitalParam::WeightFillBytesPerCycle), 16);
  ASSERT_TRUE(d.patterns.qconv2d && d.patterns.qdense && d.patterns.qadd);
  EXPECT_FALSE(d.patterns.analogConv2d.has_value());
  const QConvPattern& c = *d.patterns.qconv2d;
  EXPECT_EQ(c.layout, Layout::CHW_W16_REV4);
  EXPECT_EQ(c.conv.kernelSizes, (std::vector<int64_t>{1, 3, 5, 7}));
  EXPECT_EQ(c.conv.strides, (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(c.conv.stridesEqual);
  EXPECT_EQ(c.conv.padding, PaddingRule::Same);
  EXPECT_EQ(c.conv.groups, (std::vector<GroupRule>{GroupRule::One, GroupRule::Depthwise}));
  EXPECT_EQ(c.requant.shift.min, 0);
  EXPECT_EQ(c.requant.shift.max, 31);
  ASSERT_EQ(c.requant.clip.size(), 2u);
  EXPECT_EQ(c.requant.clip[1].lo, 0);
  EXPECT_EQ(c.requant.elementMultiple, 4);
  EXPECT_TRUE(c.biasRequired);
  EXPECT_EQ(c.biasDtype, DType::I32);
  EXPECT_EQ(d.patterns.qdense->layout, Layout::VEC16_REV4);
  EXPECT_TRUE(d.patterns.qadd->requant.clip[1].assumed);  // add + relu: open question 10

  const AcceleratorDesc& a = p.accelerators[1];
  EXPECT_EQ(a.name, "analog");
  EXPECT_STREQ(a.backend->kind, "analog");
  ASSERT_EQ(a.params.size(), a.backend->params.size());
  EXPECT_EQ(a.param(AnalogParam::ArrayRows), 1152);
  EXPECT_EQ(a.param(AnalogParam::ArrayCols), 512);
  EXPECT_EQ(a.param(AnalogParam::MvmCycles), 16);
  EXPECT_TRUE(a.params[AnalogParam::MvmCycles].assumed);
  EXPECT_EQ(a.param(AnalogParam::SimdLanes), 64);
  EXPECT_EQ(a.param(AnalogParam::SimdStages), 6);
  EXPECT_EQ(a.l1.weightBytes.value, 147456);
  ASSERT_TRUE(a.patterns.analogConv2d.has_value());
  const AnalogConvPattern& ac = *a.patterns.analogConv2d;
  EXPECT_EQ(ac.layout, Layout::HWC_C64_REV4);
  EXPECT_EQ(ac.weightValues.min, -1);
  EXPECT_EQ(ac.weightValues.max, 1);
  ASSERT_EQ(ac.adcClip.size(), 1u);
  EXPECT_EQ(ac.adcClip[0].lo, -32);
  EXPECT_EQ(ac.adcClip[0].hi, 31);
  EXPECT_EQ(ac.conv.groups, (std::vector<GroupRule>{GroupRule::One}));
  EXPECT_EQ(ac.bnDtype, DType::I16);

  EXPECT_EQ(p.findAccelerator("analog"), 1);
  EXPECT_EQ(p.findAccelerator("cpu"), -1);
}

TEST(Platform, AssumptionsAreCollectedWithPathsAndNotes) {
  Platform p = testing::diana();
  auto find = [&](const std::string& path) -> const Assumption* {
    for (const Assumption& a : p.assumptions)
      if (a.path == path) return &a;
    return nullptr;
  };
  const Assumption* dma = find("accelerators[0].dma.setup_cycles");
  ASSERT_NE(dma, nullptr);
  EXPECT_EQ(dma->value, "70");
  EXPECT_THAT(dma->note, HasSubstr("open question 4"));
  EXPECT_NE(find("accelerators[1].compute.mvm_cycles"), nullptr);
  EXPECT_NE(find("accelerators[0].patterns.qadd.clip[1]"), nullptr);
  EXPECT_NE(find("cpu.clock_hz"), nullptr);
  EXPECT_EQ(find("accelerators[0].dma.granule_bytes"), nullptr);  // sourced (DY-UT)
  EXPECT_EQ(find("l2.bytes"), nullptr);
}

TEST(Platform, HostHasNoAccelerators) {
  Result<Platform> p = platformByName("host", builtinBackends(), testing::platformsDir());
  ASSERT_TRUE(p.ok()) << p.diag().message;
  EXPECT_EQ(p->name, "host");
  EXPECT_TRUE(p->accelerators.empty());
}

TEST(Platform, ByNameResolvesFilesAndPaths) {
  Result<Platform> byName = platformByName("diana", builtinBackends(), testing::platformsDir());
  ASSERT_TRUE(byName.ok()) << byName.diag().message;
  EXPECT_EQ(byName->file, testing::platformsDir() + "/diana.json");
  Result<Platform> byPath = platformByName(testing::platformsDir() + "/diana.json", builtinBackends(), "/nonexistent");
  ASSERT_TRUE(byPath.ok()) << byPath.diag().message;
  std::string err = loadError(platformByName("tpu", builtinBackends(), testing::platformsDir()));
  EXPECT_THAT(
      err, StartsWith("unknown platform 'tpu' (no file " + testing::platformsDir() + "/tpu.json"));
  EXPECT_THAT(err, HasSubstr("available: diana, diana_rv32imac, host"));
}

TEST(Platform, DefaultPlatformsDirComesFromTheBuild) {
  Result<Platform> p = platformByName("diana", builtinBackends());
  ASSERT_TRUE(p.ok()) << p.diag().message;
}

TEST(Platform, MissingKeyIsNamed) {
  std::string err = loadError(loadEdited("missing.json", [](nlohmann::json& j) {
    j["accelerators"][1]["l1"].erase("activation_bytes");
  }));
  EXPECT_THAT(err, StartsWith(::testing::TempDir() + "missing.json: "));
  EXPECT_THAT(err, HasSubstr("missing.json: accelerators[1].l1: missing key 'activation_bytes'"));
  err = loadError(loadEdited("missing_top.json", [](nlohmann::json& j) { j.erase("cpu"); }));
  EXPECT_THAT(err, HasSubstr("missing_top.json: missing key 'cpu'"));
}

TEST(Platform, WrongTypesAreRejected) {
  EXPECT_THAT(
      loadError(loadEdited(
          "neg.json",
          [](nlohmann::json& j) { j["accelerators"][1]["l1"]["activation_bytes"] = -3; })),
      HasSubstr(
          "neg.json: accelerators[1].l1.activation_bytes: must be a positive integer, got -3"));
  EXPECT_THAT(
      loadError(loadEdited("str.json",
                           [](nlohmann::json& j) {
                             j["accelerators"][0]["l1"]["activation_bytes"]["value"] = "big";
                           })),
      HasSubstr("accelerators[0].l1.activation_bytes: must be a positive integer, got \"big\""));
  EXPECT_THAT(loadError(loadEdited(
                  "frac.json",
                  [](nlohmann::json& j) { j["accelerators"][0]["dma"]["granule_bytes"] = 1.5; })),
              HasSubstr("accelerators[0].dma.granule_bytes: must be a positive integer, got 1.5"));
  EXPECT_THAT(loadError(loadEdited(
                  "kind.json", [](nlohmann::json& j) { j["accelerators"][0]["kind"] = "tpu"; })),
              HasSubstr("accelerators[0].kind: must be \"digital\" or \"analog\", got \"tpu\""));
  EXPECT_THAT(loadError(loadEdited("obj.json", [](nlohmann::json& j) { j["l2"] = 5; })),
              HasSubstr("obj.json: l2: must be an object, got 5"));
  EXPECT_THAT(loadError(loadEdited("dtype.json",
                                   [](nlohmann::json& j) {
                                     j["accelerators"][0]["patterns"]["qconv2d"]["bias_dtype"] =
                                         "int64";
                                   })),
              HasSubstr("accelerators[0].patterns.qconv2d.bias_dtype: must be one of int8, int16, "
                        "int32, got \"int64\""));
  EXPECT_THAT(loadError(loadEdited(
                  "groups.json",
                  [](nlohmann::json& j) {
                    j["accelerators"][0]["patterns"]["qconv2d"]["groups"] = {"1", "grouped"};
                  })),
              HasSubstr("accelerators[0].patterns.qconv2d.groups[1]: must be \"1\" or "
                        "\"depthwise\", got \"grouped\""));
  EXPECT_THAT(loadError(loadEdited("layout.json",
                                   [](nlohmann::json& j) {
                                     j["accelerators"][0]["patterns"]["qdense"]["layout"] =
                                         "chw_w16_rev4";
                                   })),
              HasSubstr("accelerators[0].patterns.qdense.layout: layout \"chw_w16_rev4\" does not "
                        "hold [1, N] vectors"));
  EXPECT_THAT(loadError(loadEdited(
                  "shift.json",
                  [](nlohmann::json& j) {
                    j["accelerators"][0]["patterns"]["qadd"]["shift"] = {{"min", 5}, {"max", 1}};
                  })),
              HasSubstr("accelerators[0].patterns.qadd.shift: min 5 > max 1"));
}

TEST(Platform, UnknownKeysAreRejected) {
  EXPECT_THAT(
      loadError(loadEdited("unknown.json",
                           [](nlohmann::json& j) { j["accelerators"][0]["dma"]["granule"] = 32; })),
      HasSubstr("unknown.json: accelerators[0].dma: unknown key 'granule' (expected one of: "
                "setup_cycles, "
                "bytes_per_cycle, granule_bytes, note)"));
  EXPECT_THAT(loadError(loadEdited("unknown_param.json",
                                   [](nlohmann::json& j) {
                                     j["accelerators"][0]["job_setup_cycles"]["assumd"] = true;
                                   })),
              HasSubstr("accelerators[0].job_setup_cycles: unknown key 'assumd'"));
  // A pattern the kind does not implement is an unknown key of that kind's pattern list.
  EXPECT_THAT(
      loadError(loadEdited("kindpat.json",
                           [](nlohmann::json& j) {
                             j["accelerators"][1]["patterns"]["qadd"] =
                                 j["accelerators"][0]["patterns"]["qadd"];
                           })),
      HasSubstr(
          "accelerators[1].patterns: unknown key 'qadd' (expected one of: analog_conv2d, note)"));
}

TEST(Platform, AssumedParameterNeedsANote) {
  EXPECT_THAT(
      loadError(loadEdited(
          "nonote.json",
          [](nlohmann::json& j) {
            j["accelerators"][0]["job_setup_cycles"] = {{"value", 150}, {"assumed", true}};
          })),
      HasSubstr(
          "accelerators[0].job_setup_cycles: an assumed parameter needs a 'note' saying why"));
}

// The same chip built for another ISA: only the ISA and the CPU kernel costs calibrated on it
// differ.
TEST(Platform, TheIsaVariantDiffersOnlyInTheCpuIsa) {
  Result<Platform> v = platformByName("diana_rv32imac", builtinBackends(), testing::platformsDir());
  ASSERT_TRUE(v.ok()) << v.diag().message;
  EXPECT_EQ(v->cpu.march, "rv32imac");
  EXPECT_EQ(v->cpu.mabi, "ilp32");
  nlohmann::json a = testing::dianaJson();
  nlohmann::json b = testing::readJson(testing::platformsDir() + "/diana_rv32imac.json");
  for (nlohmann::json* j : {&a, &b}) {
    j->erase("name");
    for (const char* k : {"march", "mabi", "note"}) (*j)["cpu"].erase(k);
    (*j)["cpu"]["cost"].erase("kernels");
  }
  EXPECT_EQ(a, b) << "diana_rv32imac.json should be diana.json with another cpu ISA";
}

// cpu.cost.kernels: calibrated kernel costs by kind; a kind the cost model cannot produce, an
// unknown coefficient or a negative one is an error at its key path.
TEST(Platform, CpuKernelCostsAreValidated) {
  auto kernels = [](nlohmann::json k) {
    return loadEdited("kernels.json", [&](nlohmann::json& j) { j["cpu"]["cost"]["kernels"] = k; });
  };
  Result<Platform> p = kernels({{"source", "measured"}, {"qconv2d/kxk", {{"mac", 1.5}, {"row", 3}}}});
  ASSERT_TRUE(p.ok()) << p.diag().message;
  EXPECT_EQ(p->cpu.cost.kernelsSource, "measured");
  ASSERT_EQ(p->cpu.cost.kernels.count("qconv2d/kxk"), 1u);
  EXPECT_EQ(p->cpu.cost.kernels.at("qconv2d/kxk").mac, 1.5);
  EXPECT_EQ(p->cpu.cost.kernels.at("qconv2d/kxk").row, 3);
  EXPECT_EQ(p->cpu.cost.kernels.at("qconv2d/kxk").call, 0);
  EXPECT_THAT(loadError(kernels({{"qconv2d", {{"mac", 1}}}})),
              HasSubstr("cpu.cost.kernels.qconv2d: not a CPU kernel kind: a conv kind is qconv2d/dw"));
  EXPECT_THAT(loadError(kernels({{"relayout/nchw>chw", {{"element", 1}}}})),
              HasSubstr("cpu.cost.kernels.relayout/nchw>chw: not a CPU kernel kind"));
  EXPECT_THAT(loadError(kernels({{"add", {{"macs", 1}}}})),
              HasSubstr("cpu.cost.kernels.add: unknown key 'macs'"));
  EXPECT_THAT(loadError(kernels({{"add", {{"element", -1}}}})),
              HasSubstr("cpu.cost.kernels.add.element: must be a non-negative number, got -1"));
  EXPECT_THAT(loadError(kernels({{"add", 3}})), HasSubstr("cpu.cost.kernels.add: must be an object"));
}

// The shipped DIANA files carry calibrated kernels per ISA: the float quantizer is cheaper with
// the FPU (rv32imafc) than in soft-float (rv32imac), the integer conv kernels cost about the same.
TEST(Platform, ShippedCpuKernelsDifferByIsa) {
  Result<Platform> f = platformByName("diana", builtinBackends(), testing::platformsDir());
  Result<Platform> i = platformByName("diana_rv32imac", builtinBackends(), testing::platformsDir());
  ASSERT_TRUE(f.ok() && i.ok());
  const auto& kf = f->cpu.cost.kernels;
  const auto& ki = i->cpu.cost.kernels;
  ASSERT_TRUE(kf.count("fused/quantize_f32") && ki.count("fused/quantize_f32"));
  EXPECT_LT(kf.at("fused/quantize_f32").element * 2, ki.at("fused/quantize_f32").element);
  ASSERT_TRUE(kf.count("qconv2d/kxk") && ki.count("qconv2d/kxk"));
  EXPECT_NEAR(kf.at("qconv2d/kxk").mac, ki.at("qconv2d/kxk").mac, 0.25);
}

TEST(Platform, CpuIsaIsValidated) {
  auto isa = [](const char* march, const char* mabi) {
    return loadEdited("isa.json", [&](nlohmann::json& j) {
      j["cpu"]["march"] = march;
      j["cpu"]["mabi"] = mabi;
    });
  };
  for (auto [march, mabi] : std::vector<std::pair<const char*, const char*>>{
           {"rv32imac", "ilp32"}, {"rv32imafc", "ilp32f"}, {"rv32imafdc", "ilp32d"},
           {"rv32imafc", "ilp32"}, {"rv32i", "ilp32"}, {"rv32emc", "ilp32e"},
           {"rv32imac_zicsr_zifencei", "ilp32"}}) {
    Result<Platform> p = isa(march, mabi);
    EXPECT_TRUE(p.ok()) << march << "/" << mabi << ": " << p.diag().message;
  }
  EXPECT_THAT(loadError(isa("rv64imac", "ilp32")),
              HasSubstr("cpu.march: \"rv64imac\": expected rv32i or rv32e"));
  EXPECT_THAT(loadError(isa("rv32icm", "ilp32")),
              HasSubstr("cpu.march: \"rv32icm\": extension 'm' unknown or out of order"));
  EXPECT_THAT(loadError(isa("rv32imxc", "ilp32")), HasSubstr("extension 'x' unknown"));
  EXPECT_THAT(loadError(isa("rv32imac -O0", "ilp32")), HasSubstr("cpu.march:"));
  EXPECT_THAT(loadError(isa("rv32imac_$(shell id)", "ilp32")),
              HasSubstr("is not a z extension"));
  EXPECT_THAT(loadError(isa("rv32imadc", "ilp32d")), HasSubstr("extension d needs f"));
  EXPECT_THAT(loadError(isa("rv32imac", "ilp32f")),
              HasSubstr("cpu.mabi: ilp32f passes floats in F registers, but \"rv32imac\" has no "
                        "f extension"));
  EXPECT_THAT(loadError(isa("rv32imafc", "ilp32d")), HasSubstr("has no d extension"));
  EXPECT_THAT(loadError(isa("rv32imac", "lp64")),
              HasSubstr("cpu.mabi: \"lp64\" is not an ABI for \"rv32imac\": expected ilp32, "
                        "ilp32f or ilp32d"));
  EXPECT_THAT(loadError(isa("rv32emc", "ilp32f")), HasSubstr("expected ilp32e"));
  EXPECT_THAT(loadError(loadEdited("isa_old.json",
                                   [](nlohmann::json& j) { j["cpu"]["isa"] = "rv32imac"; })),
              HasSubstr("cpu: unknown key 'isa'"));
}

TEST(Platform, ConsistencyChecks) {
  EXPECT_THAT(
      loadError(loadEdited(
          "peak.json",
          [](nlohmann::json& j) { j["accelerators"][0]["compute"]["peak_macs_per_cycle"] = 512; })),
      HasSubstr(
          "accelerators[0].compute.peak_macs_per_cycle: must equal pe_k * pe_ox = 256, got 512"));
  EXPECT_THAT(loadError(loadEdited(
                  "dup.json", [](nlohmann::json& j) { j["accelerators"][1]["name"] = "digital"; })),
              HasSubstr("accelerators[1].name: duplicate accelerator name \"digital\""));
  EXPECT_THAT(loadError(loadEdited(
                  "cpuname.json", [](nlohmann::json& j) { j["accelerators"][1]["name"] = "cpu"; })),
              HasSubstr("accelerators[1].name: must be non-empty and not \"cpu\" (reserved)"));
  EXPECT_THAT(loadError(loadEdited(
                  "l2.json", [](nlohmann::json& j) { j["l2"]["host_private_bytes"] = 600000; })),
              HasSubstr("l2.host_private_bytes: must be smaller than l2.bytes (512000)"));
}

// Sizes the generated code could not hold: every number goes into 32-bit fields (2^31 - 1 at
// most), and so does the sum of all accelerator memories (the simulator's pool).
TEST(Platform, NumbersBeyondThirtyTwoBitsAreRejectedWithTheirPath) {
  EXPECT_THAT(loadError(loadEdited("l2big.json",
                                   [](nlohmann::json& j) { j["l2"]["bytes"] = int64_t{1} << 32; })),
              HasSubstr("l2big.json: l2.bytes: must be at most 2147483647 (2^31 - 1: the 32-bit "
                        "fields the generated code holds it in), got 4294967296"));
  EXPECT_THAT(loadError(loadEdited("l1big.json",
                                   [](nlohmann::json& j) {
                                     j["accelerators"][0]["l1"]["activation_bytes"] = int64_t{1} << 31;
                                   })),
              HasSubstr("accelerators[0].l1.activation_bytes: must be at most 2147483647"));
  // Each memory fits, their sum does not: 2 x (2^30 + 64 KiB weights) + the analog array.
  EXPECT_THAT(loadError(loadEdited("sum.json",
                                   [](nlohmann::json& j) {
                                     j["accelerators"][0]["l1"]["activation_bytes"] = int64_t{1} << 30;
                                     j["accelerators"][1]["l1"]["activation_bytes"] = int64_t{1} << 30;
                                   })),
              HasSubstr("sum.json: accelerators[1]: memories total more than the 2147483647"));
}

// Found by fuzzing: three analog arrays of (2^31 - 1)^2 bytes each summed to more than 2^63, the
// 64-bit total wrapped negative (signed overflow, undefined) and the platform was accepted. Each
// term and the running total are bounded before adding now, and the message names the first
// accelerator that tips the total over (tests/fuzz/corpus/platform/pool_sum_overflow.json).
TEST(Platform, MemoryPoolThatWouldOverflowSixtyFourBitsIsRejected) {
  EXPECT_THAT(loadError(loadEdited("pool.json",
                                   [](nlohmann::json& j) {
                                     nlohmann::json& analog = j["accelerators"][1];
                                     analog["compute"]["array_rows"] = (int64_t{1} << 31) - 1;
                                     analog["compute"]["array_cols"] = (int64_t{1} << 31) - 1;
                                     for (const char* name : {"analog2", "analog3"}) {
                                       nlohmann::json copy = analog;
                                       copy["name"] = name;
                                       j["accelerators"].push_back(copy);
                                     }
                                   })),
              HasSubstr("pool.json: accelerators[1]: memories total more than the 2147483647 "
                        "bytes a 32-bit target can hold"));
}

// Found by fuzzing: a number beyond double's range is nlohmann's out_of_range (406), not a
// parse_error, and escaped the loader as an exception that ended htvm
// (tests/fuzz/corpus/platform/number_beyond_double.json).
TEST(Platform, NumberBeyondDoubleRangeIsInvalidJson) {
  std::string path = testing::writeTemp("overflow.json", "{\"name\": 1e400}");
  std::string msg = loadError(loadPlatform(path, builtinBackends()));
  EXPECT_THAT(msg, StartsWith(path + ": invalid JSON: "));
  EXPECT_THAT(msg, HasSubstr("number overflow parsing '1e400'"));
}

// The in-memory form reads the same schema and names the file it is given in every message.
TEST(Platform, ParsesTextInMemory) {
  std::ifstream in(testing::platformsDir() + "/diana.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<Platform> p = parsePlatform(text, "mem.json", builtinBackends());
  ASSERT_TRUE(p.ok()) << p.diag().message;
  EXPECT_EQ(p->name, "diana");
  EXPECT_EQ(p->file, "mem.json");
  EXPECT_THAT(loadError(parsePlatform("[]", "mem.json", builtinBackends())),
              StartsWith("mem.json: must be an object"));
}

TEST(Platform, InvalidJsonAndMissingFile) {
  std::string path = testing::writeTemp("broken.json", "{\"name\": ");
  EXPECT_THAT(loadError(loadPlatform(path, builtinBackends())), StartsWith(path + ": invalid JSON: "));
  EXPECT_EQ(loadError(loadPlatform("/nonexistent/x.json", builtinBackends())),
            "cannot open platform file '/nonexistent/x.json': no such file");
}

TEST(Platform, SecondDigitalAcceleratorIsAJsonEdit) {
  Result<Platform> p = loadEdited("two_digital.json", [](nlohmann::json& j) {
    nlohmann::json second = j["accelerators"][0];
    second["name"] = "digital2";
    second["l1"]["activation_bytes"] = 128000;
    j["accelerators"].push_back(second);
  });
  ASSERT_TRUE(p.ok()) << p.diag().message;
  ASSERT_EQ(p->accelerators.size(), 3u);
  EXPECT_EQ(p->findAccelerator("digital2"), 2);
  EXPECT_STREQ(p->accelerators[2].backend->kind, "digital");
  EXPECT_EQ(p->accelerators[2].l1.activationBytes.value, 128000);
  EXPECT_FALSE(p->accelerators[2].l1.activationBytes.assumed);
  EXPECT_TRUE(p->accelerators[2].patterns.qconv2d.has_value());
}

}  // namespace
}  // namespace htvm
