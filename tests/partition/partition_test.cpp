// Partition pass: reasons, cost-based choice (never first-match), relayout charging, conf
// filtering, pins and the CPU-by-cost option. An accelerator candidate costs the tiler's schedule
// plus relayouts; the relayout and CPU numbers, and upper bounds of the schedules (whole layer,
// nothing overlapped), are hand-computed from docs/ACCELERATOR_FORMATS.md with diana.json.
#include "partition/partition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "partition/fused_layers.h"
#include "platform/platform_test_util.h"
#include "tiling/tiler.h"

namespace htvm {
namespace {

using testing::ConvSpec;
using testing::GraphBuilder;
using ::testing::HasSubstr;

ConvSpec spec(int64_t k, int64_t ks, int64_t pad) {
  ConvSpec s;
  s.k = k;
  s.kh = s.kw = ks;
  s.pads = {pad, pad, pad, pad};
  return s;
}

PartitionResult run(Graph& g, const Platform& p, PartitionOptions opts = {}) {
  Result<PartitionResult> r = partition(g, p, opts);
  if (!r.ok()) {
    ADD_FAILURE() << r.diag().message;
    return {};
  }
  return std::move(r).value();
}

// The tiler's best schedule for node `i` on accelerator `a`: what the partition charges for the
// accelerator's part (tests/tiling checks the schedule itself).
double tiled(const Graph& g, size_t i, const Platform& p, size_t a) {
  Result<TilingResult> t = tileNode(g, g.nodes[i], p.accelerators[a], TilerOptions{});
  if (!t.ok()) {
    ADD_FAILURE() << t.diag().message;
    return 0;
  }
  return static_cast<double>(t->best.cost.elapsed);
}

std::string cyclesText(double c) { return std::to_string(static_cast<int64_t>(c)); }

std::string runError(Graph& g, const Platform& p, PartitionOptions opts) {
  Result<PartitionResult> r = partition(g, p, opts);
  if (r.ok()) {
    ADD_FAILURE() << "partition succeeded, expected an error";
    return "";
  }
  return r.diag().message;
}

// diana with a slow digital accelerator listed first (block_cycles 5000), then the real ones.
Platform slowFirst() {
  Result<Platform> p = testing::loadEdited("slow_first.json", [](nlohmann::json& j) {
    nlohmann::json slow = j["accelerators"][0];
    slow["name"] = "slow";
    slow["compute"]["block_cycles"] = 5000;
    j["accelerators"].insert(j["accelerators"].begin(), slow);
    j["cpu"]["cost"].erase("kernels");  // CPU costs computed by hand below
  });
  EXPECT_TRUE(p.ok()) << p.diag().message;
  return std::move(p).value();
}

// x[1x16x16x16] -> conv1 (digital) -> relu (cpu) -> conv9 (9x9: illegal) -> out
struct Chain {
  Graph g;
  Chain() {
    GraphBuilder b;
    TensorId x = act(b, "x", {1, 16, 16, 16});
    TensorId c1 = qconv(b, "conv1", x, spec(32, 3, 1));
    TensorId r = relu(b, "relu", c1);
    b.output(qconv(b, "conv9", r, spec(16, 9, 4)));
    b.g.name = "chain";
    g = b.verified();
  }
};

TEST(Partition, ReasonsAndPlacement) {
  Chain c;
  Platform p = testing::dianaUncalibratedCpu();
  PartitionResult r = run(c.g, p);
  ASSERT_EQ(r.nodes.size(), 3u);
  // conv1: the tiler's schedule + relayout of the NCHW graph input 4096 B * 4. Run whole with a
  // single buffer it would take job 150 + 8096 + 296 and DMA 326 + 582, unhidden: the tiler's
  // schedule is never slower than that.
  double conv1 = tiled(c.g, 0, p, 0);
  EXPECT_GT(conv1, 150 + 8096 + 296);
  EXPECT_LE(conv1, 150 + 8096 + 296 + 908);
  EXPECT_EQ(c.g.nodes[0].accel, 0);
  EXPECT_EQ(r.nodes[0].accel, 0);
  EXPECT_EQ(r.nodes[0].reason, "node 'conv1' (Conv): digital: only legal accelerator (" +
                                   cyclesText(conv1 + 16384) + " cycles)");
  ASSERT_EQ(r.nodes[0].candidates.size(), 2u);
  EXPECT_EQ(r.nodes[0].candidates[0].accel, -1);
  EXPECT_EQ(r.nodes[0].candidates[1].accel, 0);
  EXPECT_DOUBLE_EQ(r.nodes[0].candidates[1].cycles, conv1 + 16384);
  EXPECT_THAT(r.nodes[0].candidates[1].note, ::testing::StartsWith("setup "));
  EXPECT_THAT(r.nodes[0].candidates[1].note, HasSubstr(" + exposed dma "));
  EXPECT_THAT(r.nodes[0].candidates[1].note, ::testing::EndsWith(" + relayout 16384"));

  EXPECT_EQ(c.g.nodes[1].accel, -1);
  EXPECT_EQ(r.nodes[1].reason, "node 'relu' (Relu): no accelerator supports clip");
  // The CPU pays the relayout of conv1's CHW_W16 output back to NCHW: 8192 B * 4.
  EXPECT_DOUBLE_EQ(r.nodes[1].candidates[0].cycles, 8192.0 * 10 + 8192.0 * 4);

  EXPECT_EQ(c.g.nodes[2].accel, -1);
  EXPECT_EQ(r.nodes[2].reason, "node 'conv9' (Conv): digital: kernel 9x9 not in {1,3,5,7}");
}

TEST(Partition, CheapestAcceleratorWinsNotTheFirstListed) {
  Chain c;
  Platform p = slowFirst();
  PartitionResult r = run(c.g, p);
  EXPECT_EQ(c.g.nodes[0].accel, 1);  // "digital", not "slow" at index 0
  ASSERT_EQ(r.nodes[0].candidates.size(), 3u);
  EXPECT_EQ(r.nodes[0].candidates[1].accel, 0);
  EXPECT_GT(r.nodes[0].candidates[1].cycles, r.nodes[0].candidates[2].cycles);
  EXPECT_THAT(r.nodes[0].reason,
              HasSubstr("node 'conv1' (Conv): digital: cheapest legal accelerator (" +
                        cyclesText(tiled(c.g, 0, p, 1) + 16384) + " cycles; also legal: slow "));
  EXPECT_EQ(r.nodes[2].reason,
            "node 'conv9' (Conv): slow: kernel 9x9 not in {1,3,5,7}; digital: kernel 9x9 not in "
            "{1,3,5,7}");
}

TEST(Partition, TiesGoToTheLowerIndex) {
  Result<Platform> p = testing::loadEdited("twins.json", [](nlohmann::json& j) {
    nlohmann::json twin = j["accelerators"][0];
    twin["name"] = "digital2";
    j["accelerators"].push_back(twin);
  });
  ASSERT_TRUE(p.ok()) << p.diag().message;
  Chain c;
  run(c.g, p.value());
  EXPECT_EQ(c.g.nodes[0].accel, 0);
}

TEST(Partition, RejectionsOfOtherAcceleratorsAreListed) {
  Result<Platform> p = testing::loadEdited("small.json", [](nlohmann::json& j) {
    nlohmann::json small = j["accelerators"][0];
    small["name"] = "small";
    small["l1"]["activation_bytes"] = 256;
    j["accelerators"].push_back(small);
    j["cpu"]["cost"].erase("kernels");  // the relayout's 16384 cycles: 4096 bytes at 4 per byte
  });
  ASSERT_TRUE(p.ok()) << p.diag().message;
  Chain c;
  PartitionResult r = run(c.g, p.value());
  EXPECT_EQ(r.nodes[0].reason,
            "node 'conv1' (Conv): digital: only legal accelerator (" +
                cyclesText(tiled(c.g, 0, p.value(), 0) + 16384) +
                " cycles); rejected: small: no tiling fits: smallest tiles (K16 x H1 x W16) need L1 "
                "buffers 1088 B > L1 256 B");
}

TEST(Partition, LayersLargerThanL1AreTiledOnTheAccelerator) {
  GraphBuilder b;
  b.output(qconv(b, "big", act(b, "x", {1, 64, 64, 64}), spec(64, 3, 1)));
  Graph& g = b.verified();
  run(g, testing::dianaUncalibratedCpu());
  EXPECT_EQ(g.nodes[0].accel, 0);
}

TEST(Partition, NoTilingStaysOnCpu) {
  GraphBuilder b;  // one 16-channel block of weights exceeds the weight memory
  b.output(qconv(b, "wide", act(b, "x", {1, 512, 4, 4}), spec(16, 3, 1)));
  Graph& g = b.verified();
  PartitionResult r = run(g, testing::dianaUncalibratedCpu());
  EXPECT_EQ(g.nodes[0].accel, -1);
  EXPECT_EQ(r.nodes[0].reason,
            "node 'wide' (Conv): digital: no tiling fits: smallest tiles (K16 x H1 x W4) need weight "
            "stream of one job 73792 B > weight memory 64000 B (input channels are not tiled)");
}

TEST(Partition, RelayoutChargedOnlyAcrossLayouts) {
  Platform p = testing::dianaUncalibratedCpu();
  // conv1 -> conv2 on the same layout: conv2 pays no input relayout, only its graph-output
  // relayout.
  GraphBuilder b;
  TensorId c1 = qconv(b, "conv1", act(b, "x", {1, 16, 16, 16}), spec(16, 3, 1));
  b.output(qconv(b, "conv2", c1, spec(16, 3, 1)));
  Graph& g = b.verified();
  PartitionResult r = run(g, p);
  ASSERT_EQ(g.nodes[1].accel, 0);
  // The tiler's schedule (at most job 150 + 4048 + 148 and DMA 326 + 326 unhidden) + the output
  // relayout 4096 B * 4, no input relayout.
  double conv2 = tiled(g, 1, p, 0);
  EXPECT_LE(conv2, 4346 + 652);
  EXPECT_DOUBLE_EQ(r.nodes[1].candidates[1].cycles, conv2 + 16384);

  // digital conv -> analog conv: CHW_W16 (2048 B) to HWC_C64 (4096 B) costs 4096 B * 4.
  GraphBuilder m;
  TensorId d = qconv(m, "dconv", act(m, "x", {1, 16, 8, 8}), spec(16, 3, 1));
  ConvSpec a = spec(16, 3, 1);
  m.output(analogConv(m, "aconv", d, a));
  Graph& mg = m.verified();
  PartitionResult mr = run(mg, p);
  ASSERT_EQ(mg.nodes[0].accel, 0);
  ASSERT_EQ(mg.nodes[1].accel, 1);
  ASSERT_EQ(mr.nodes[1].candidates.size(), 2u);
  EXPECT_THAT(mr.nodes[1].candidates[1].note,
              HasSubstr(" + relayout 32768"));  // in 16384 + out 16384
}

// x -> dconv (digital qconv) -> aconv (analog) -> add(dconv, aconv) -> out
struct Mixed {
  Graph g;
  Mixed() {
    GraphBuilder b;
    TensorId x = act(b, "x", {1, 16, 8, 8});
    TensorId d = qconv(b, "dconv", x, spec(16, 3, 1));
    TensorId a = analogConv(b, "aconv", d, spec(16, 3, 1));
    b.output(qadd(b, "add", d, a));
    b.g.name = "mixed";
    g = b.verified();
  }
  std::vector<int> accels() const {
    std::vector<int> v;
    for (const Node& n : g.nodes) v.push_back(n.accel);
    return v;
  }
};

TEST(Partition, ConfFiltersAcceleratorsByKind) {
  Platform p = testing::dianaUncalibratedCpu();
  Mixed mixed;
  run(mixed.g, p, {Conf::Mixed, {}, false});
  EXPECT_EQ(mixed.accels(), (std::vector<int>{0, 1, 0}));

  Mixed dig;
  PartitionResult r = run(dig.g, p, {Conf::Digital, {}, false});
  EXPECT_EQ(dig.accels(), (std::vector<int>{0, -1, 0}));
  EXPECT_EQ(r.nodes[1].reason,
            "node 'aconv' (Conv): no accelerator supports analog_conv2d with conf digital");

  Mixed ana;
  r = run(ana.g, p, {Conf::Analog, {}, false});
  EXPECT_EQ(ana.accels(), (std::vector<int>{-1, 1, -1}));
  EXPECT_EQ(r.nodes[0].reason,
            "node 'dconv' (Conv): no accelerator supports qconv2d with conf analog");
  EXPECT_EQ(r.nodes[2].reason, "node 'add' (Add): no accelerator supports qadd with conf analog");

  Mixed cpu;
  r = run(cpu.g, p, {Conf::Cpu, {}, false});
  EXPECT_EQ(cpu.accels(), (std::vector<int>{-1, -1, -1}));
  EXPECT_EQ(r.nodes[0].reason, "node 'dconv' (Conv): conf cpu: nothing offloaded");
}

TEST(Partition, HostPlatformRunsEverythingOnCpu) {
  Result<Platform> host = platformByName("host", builtinBackends(), testing::platformsDir());
  ASSERT_TRUE(host.ok()) << host.diag().message;
  Mixed m;
  PartitionResult r = run(m.g, host.value());
  EXPECT_EQ(m.accels(), (std::vector<int>{-1, -1, -1}));
  EXPECT_EQ(r.nodes[0].reason, "node 'dconv' (Conv): no accelerator supports qconv2d");
  EXPECT_EQ(r.nodes[0].candidates.size(), 1u);
}

TEST(Partition, PinsForceACore) {
  Platform p = slowFirst();
  Chain c;
  PartitionOptions o;
  o.pins = {{"conv1", "slow"}};
  PartitionResult r = run(c.g, p, o);
  EXPECT_EQ(c.g.nodes[0].accel, 0);
  EXPECT_THAT(r.nodes[0].reason, HasSubstr("node 'conv1' (Conv): pinned to slow ("));

  Chain c2;
  o.pins = {{"conv1", "cpu"}};
  r = run(c2.g, p, o);
  EXPECT_EQ(c2.g.nodes[0].accel, -1);
  EXPECT_EQ(r.nodes[0].reason, "node 'conv1' (Conv): pinned to cpu");
}

TEST(Partition, PinErrors) {
  Platform p = testing::dianaUncalibratedCpu();
  auto err = [&](std::map<std::string, std::string> pins, Conf conf = Conf::Mixed) {
    Mixed m;
    Chain c;
    Graph& g = pins.count("conv9") || pins.count("relu") || pins.count("conv1") ? c.g : m.g;
    return runError(g, p, {conf, std::move(pins), false});
  };
  EXPECT_EQ(err({{"conv9", "digital"}}),
            "pin 'conv9=digital': node 'conv9' (Conv): digital: kernel 9x9 not in {1,3,5,7}");
  EXPECT_EQ(err({{"relu", "digital"}}),
            "pin 'relu=digital': node 'relu' (Relu): digital has no pattern for clip");
  EXPECT_EQ(err({{"nope", "digital"}}),
            "pin 'nope=digital': no node named 'nope' in graph 'mixed'");
  EXPECT_EQ(
      err({{"conv1", "tpu"}}),
      "pin 'conv1=tpu': no core named 'tpu' in platform 'diana' (cores: cpu, digital, analog)");
  EXPECT_EQ(err({{"aconv", "analog"}}, Conf::Digital),
            "pin 'aconv=analog': accelerator 'analog' (analog) is disabled by conf digital");
  EXPECT_EQ(err({{"dconv", "analog"}}),
            "pin 'dconv=analog': node 'dconv' (Conv): analog has no pattern for qconv2d");

  GraphBuilder b;
  b.output(qconv(b, "wide", act(b, "x", {1, 512, 4, 4}), spec(16, 3, 1)));
  EXPECT_EQ(
      runError(b.verified(), p, {Conf::Mixed, {{"wide", "digital"}}, false}),
      "pin 'wide=digital': node 'wide' (Conv): digital: no tiling fits: smallest tiles (K16 x H1 x "
      "W4) need weight stream of one job 73792 B > weight memory 64000 B (input channels are not "
      "tiled)");
}

TEST(Partition, CpuByCostIsOptional) {
  Platform p = testing::dianaUncalibratedCpu();
  auto tinyAdd = [] {
    GraphBuilder b;
    b.output(qadd(b, "add", act(b, "a", {1, 4, 1, 4}), act(b, "b", {1, 4, 1, 4})));
    return b;
  };
  // Accelerator: the tiler's schedule (at most 150 + (64/16 + 23) + DMA 3 * (70 + 64/16) = 399)
  // + relayouts 2 * 64 * 4 + 64 * 4 = 768; CPU: 16 * 10.
  GraphBuilder def = tinyAdd();
  PartitionResult r = run(def.verified(), p);
  double add = tiled(def.g, 0, p, 0) + 768;
  EXPECT_LE(add, 399 + 768);
  EXPECT_EQ(def.g.nodes[0].accel, 0);  // HTVM's policy: every legal layer is offloaded
  EXPECT_EQ(r.nodes[0].reason,
            "node 'add' (Add): digital: only legal accelerator (" + cyclesText(add) + " cycles)");

  GraphBuilder byCost = tinyAdd();
  r = run(byCost.verified(), p, {Conf::Mixed, {}, true});
  EXPECT_EQ(byCost.g.nodes[0].accel, -1);
  EXPECT_EQ(r.nodes[0].reason,
            "node 'add' (Add): cpu cheaper (160 cycles) than digital (" + cyclesText(add) +
                " cycles)");

  Chain big;  // conv1's CPU estimate is far above the accelerator's: still offloaded
  run(big.g, p, {Conf::Mixed, {}, true});
  EXPECT_EQ(big.g.nodes[0].accel, 0);
}

TEST(Partition, ConfNames) {
  EXPECT_STREQ(confName(Conf::Cpu), "cpu");
  EXPECT_STREQ(confName(Conf::Digital), "digital");
  EXPECT_STREQ(confName(Conf::Analog), "analog");
  EXPECT_STREQ(confName(Conf::Mixed), "mixed");
}

}  // namespace
}  // namespace htvm
