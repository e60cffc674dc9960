#!/usr/bin/env bash
# Benchmark: modeled accelerator performance of our schedule (double-buffered tiles, L1 residency)
# against the HTVM-style one (single buffer, blocking DMA, every layer through L2) on the same
# cycle model, for ResNet8, DS-CNN, MobileNetV1 and DAE in the digital conf (digital exports) and
# the mixed conf (the analog exports where they exist: DAE has none).
#
# Numbers come from running the generated program on the simulator: a small harness links the
# generated C, runs one sample once to boot, resets the HAL's counters, runs it again and prints
# each accelerator's elapsed_cycles (the timeline with overlap) and serial counters. The CPU
# layers' cycles come from the compiler's CPU cost model (report.json), as does the CPU-only
# build's total. The compiler's own prediction of the accelerator part is printed next to the
# measurement (they must agree). Also printed: the tiler's wall time, worst layer.
#
#   scripts/bench_accel.sh [HTVM_BINARY] [MODELS_DIR]
# HTVM_BINARY defaults to build/htvm and must accept `compile --schedule ours|htvm`.
set -euo pipefail
cd "$(dirname "$0")/.."
htvm=${1:-build/htvm}
models=${2:-../shared/models/quantlib}
python=${PYTHON:-/usr/bin/python3}
if ! "$htvm" compile --help 2>/dev/null | grep -q -- --schedule; then
  echo "bench_accel: $htvm has no --schedule option (see the pipeline's CompileOptions::schedule)" >&2
  exit 2
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cat > "$out/bench_main.c" <<'EOF'
/* Runs the model twice on one sample (the first run boots the HAL) and prints the simulator's
 * counters of the second run: accel name elapsed serial compute weights setup dma jobs dma_calls. */
#include <stdio.h>

#include "htvm_hal.h"
#include "htvm_model.h"

static float in[HTVM_INPUT_ELEMS];
static float out[HTVM_OUTPUT_ELEMS];

int main(int argc, char** argv) {
  FILE* f;
  uint32_t a;
  if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) return 2;
  if (fread(in, sizeof in, 1, f) != 1) return 2;
  fclose(f);
  if (htvm_model_run(in, out) != 0) return 1;
  htvm_perf_reset();
  if (htvm_model_run(in, out) != 0) return 1;
  for (a = 0; a < htvm_num_accels; ++a) {
    htvm_perf_t p;
    htvm_perf_read(a, &p);
    printf("%s %llu %llu %llu %llu %llu %llu %llu %llu\n", htvm_accels[a].name,
           (unsigned long long)p.elapsed_cycles,
           (unsigned long long)(p.compute_cycles + p.weight_cycles + p.setup_cycles + p.dma_cycles),
           (unsigned long long)p.compute_cycles, (unsigned long long)p.weight_cycles,
           (unsigned long long)p.setup_cycles, (unsigned long long)p.dma_cycles, (unsigned long long)p.jobs,
           (unsigned long long)p.dma_calls);
  }
  return 0;
}
EOF

rows="$out/rows.txt"
: > "$rows"
for net in resnet8 dscnn mobilenetv1 dae; do
  for conf in digital mixed; do
    # mixed runs the analog export (its non-grouped convs on the analog core) where there is one;
    # on a digital export mixed places exactly what digital does.
    folder="$models/$net"
    if [[ $conf == mixed && -d "$folder/analog" ]]; then folder="$folder/analog"; fi
    model=$(ls "$folder"/*.onnx | head -1)
    "$python" -c "import numpy as np, sys; x = np.load(sys.argv[1]).astype(np.float32); x[:1].tofile(sys.argv[2])" \
      "$folder/testdata/inputs.npy" "$out/$net.$conf.bin"
    for sched in ours htvm; do
      dir="$out/$net.$conf.$sched"
      "$htvm" compile "$model" -o "$dir" --conf "$conf" --schedule "$sched" > /dev/null
      gcc -std=c11 -O2 -ffp-contract=off -I"$dir/include" -I"$dir/src" -I"$dir/runtime" -o "$dir/bench" \
        "$dir"/src/*.c "$dir"/runtime/hal/sim/*.c "$out/bench_main.c" -lm
      "$dir/bench" "$out/$net.$conf.bin" > "$dir/perf.txt"
      echo "$net $conf $sched $dir" >> "$rows"
    done
  done
done

"$python" - "$rows" <<'EOF'
import json, sys

def load(dir):
    r = json.load(open(dir + "/report.json"))
    perf = {}
    for line in open(dir + "/perf.txt"):
        f = line.split()
        perf[f[0]] = dict(zip(["elapsed", "serial", "compute", "weights", "setup", "dma", "jobs", "calls"],
                              map(int, f[1:])))
    acc = [l for l in r["layers"] if l.get("core", "cpu") != "cpu"]
    cpu = sum(l["modeled"]["cycles"] for l in r["layers"] if l.get("core", "cpu") == "cpu")
    sim = sum(p["elapsed"] for p in perf.values())
    return dict(report=r, perf=perf, sim=sim, cpu=cpu, acc=acc,
                predicted=sum(l["modeled"]["cycles"] for l in acc),
                macs=sum(l.get("macs", 0) for l in acc),
                compute=sum(l["modeled"]["compute"] for l in acc),
                weights=sum(l["modeled"]["weights"] for l in acc),
                setup=sum(l["modeled"]["overhead"] for l in acc),
                exposed=sum(l["modeled"]["exposed_dma"] for l in acc),
                tiled=sum(1 for l in acc if l["modeled"]["tiles"] > 1),
                tiler_ms=max([l["modeled"].get("tiler_ms", 0) for l in acc] or [0]),
                resident=len(r.get("l1_residency", [])),
                cpu_only=r["performance"]["cpu_only_cycles"])

runs = {}
for line in open(sys.argv[1]):
    net, conf, sched, dir = line.split()
    runs[(net, conf, sched)] = load(dir)

print("Accelerator part: simulator elapsed cycles (= compiler prediction), both schedules on the same cycle model.")
hdr = ("net", "conf", "sched", "acc cycles", "predicted", "compute", "weights", "setup", "exp. DMA", "util",
       "tiled", "resident", "ours/htvm")
print("%-11s %-7s %-5s %10s %10s %9s %8s %7s %8s %6s %5s %8s %9s" % hdr)
for (net, conf, sched), v in runs.items():
    h = runs[(net, conf, "htvm")]
    util = v["macs"] / (v["sim"] * 256.0) if v["sim"] else 0.0
    ratio = "%.3f" % (v["sim"] / h["sim"]) if sched == "ours" else ""
    print("%-11s %-7s %-5s %10d %10d %9d %8d %7d %8d %5.1f%% %5d %8d %9s" % (
        net, conf, sched, v["sim"], v["predicted"], v["compute"], v["weights"], v["setup"], v["exposed"],
        100 * util, v["tiled"], v["resident"], ratio))
    assert v["sim"] == v["predicted"], "%s %s %s: simulator %d != prediction %d" % (net, conf, sched, v["sim"],
                                                                                  v["predicted"])

print()
print("Whole network: accelerator cycles (simulator) + CPU layers (CPU cost model), vs the CPU-only build.")
print("%-11s %-7s %-5s %10s %10s %11s %12s %9s %9s" % ("net", "conf", "sched", "acc", "cpu", "total", "cpu-only",
                                                      "speed-up", "ours/htvm"))
for (net, conf, sched), v in runs.items():
    h = runs[(net, conf, "htvm")]
    total, htotal = v["sim"] + v["cpu"], h["sim"] + h["cpu"]
    print("%-11s %-7s %-5s %10d %10d %11d %12d %8.1fx %9s" % (
        net, conf, sched, v["sim"], v["cpu"], total, v["cpu_only"], v["cpu_only"] / total,
        "%.3f" % (total / htotal) if sched == "ours" else ""))

print()
print("Floor: the job work (compute + weights + setup), what remains when every DMA cycle is hidden. On these")
print("nets both schedules have the same job work; the cycle model fixes it per layer (one job per depthwise")
print("channel, FIFO and block cycles, OX padded to 16, weight streaming not overlapped).")
for (net, conf, sched), v in runs.items():
    if conf == "digital" and sched == "ours":
        floor = v["compute"] + v["weights"] + v["setup"]
        h = runs[(net, conf, "htvm")]
        print("%-11s floor %8d = %.3f x htvm; ours %8d = %.3f x floor" % (net, floor, floor / h["sim"], v["sim"],
                                                                        v["sim"] / floor))

r8 = runs.get(("resnet8", "digital", "ours"))
if r8:
    bound = r8["macs"] / 256.0
    print()
    print("ResNet8 (digital, ours): %d cycles = %.2fx the MAC bound (%d MACs / 256 = %.0f); the cycle model's own"
          " compute term alone is %d cycles (%.2fx the MAC bound)." % (
              r8["sim"], r8["sim"] / bound, r8["macs"], bound, r8["compute"], r8["compute"] / bound))
print()
print("Tiler wall time, worst layer: " + ", ".join(
    "%s %.2f ms" % (net, v["tiler_ms"]) for (net, conf, sched), v in runs.items() if conf == "digital" and sched == "ours"))
EOF
