#!/usr/bin/env bash
# Benchmark (prints figures; not a test): whole-network cycles of every real model on rv32, per conf.
# Each row is one `htvm profile` run (rv32 on qemu-system-riscv32 -icount shift=0, --profile
# individual, -O2, the model's input.npy): CPU layers are measured (rdcycle, one cycle per
# instruction), accelerator layers are the simulator's modeled cycles, and the network is their sum,
# exactly as `htvm profile` prints its "(whole network)" row. Confs: cpu, digital and mixed for every
# model, and analog for the analog exports. Every accelerator conf is profiled twice, with our
# schedule and with the HTVM-style one (--schedule htvm: single buffer, blocking DMA, every layer
# through L2); the CPU code is the same in both, which the script checks (equal CPU instructions).
# The speed-up is over the same model's --conf cpu build on the same platform.
#
#   scripts/bench_network.sh [--htvm PATH] [--platform P] [--models DIR] [--keep DIR] [--csv FILE]
#                            [--markdown] [--ours-only]
#
# --platform is passed to htvm (default diana; its cpu.march/cpu.mabi set the rv32 build's ISA).
# --ours-only skips the HTVM-style schedule (half the runs; scripts/check_cpu_model.sh uses it).
# --markdown prints the table as the README has it. Needs riscv64-unknown-elf-gcc with picolibc
# and qemu-system-riscv32 (scripts/setup.sh installs them). About 2 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
htvm="$root/build/htvm"
platform=diana
models="$root/../shared/models/quantlib"
keep=""
csv=""
markdown=0
ours_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --htvm) htvm="$2"; shift 2 ;;
    --platform) platform="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --csv) csv="$2"; shift 2 ;;
    --markdown) markdown=1; shift ;;
    --ours-only) ours_only=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench_network: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -x "$htvm" ]] || { echo "bench_network: no htvm binary at $htvm (use --htvm)" >&2; exit 2; }
if [[ -n "$keep" ]]; then
  work="$keep"
  mkdir -p "$work"
else
  work="$(mktemp -d -t htvm_bench_network_XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi

runs="$work/runs.txt"
: > "$runs"
for model in $(cd "$models" && find . -name '*.onnx' | sed 's|^\./||' | sort); do
  folder="$(dirname "$model")"
  name="${folder//\//.}"
  confs=(cpu digital mixed)
  [[ "$folder" == */analog ]] && confs+=(analog)
  for conf in "${confs[@]}"; do
    scheds=(ours htvm)
    [[ $conf == cpu || $ours_only == 1 ]] && scheds=(ours)
    for sched in "${scheds[@]}"; do
      dir="$work/$name.$conf.$sched"
      rm -rf "$dir"
      if ! "$htvm" profile "$models/$model" -o "$dir" --target rv32 --profile individual \
          --platform "$platform" --conf "$conf" --schedule "$sched" --input "$models/$folder/input.npy" \
          > "$dir.log" 2>&1; then
        echo "bench_network: htvm profile failed for $model --conf $conf --schedule $sched:" >&2
        tail -20 "$dir.log" >&2
        exit 1
      fi
      echo "$name $conf $sched $dir/profile.json" >> "$runs"
    done
  done
done

/usr/bin/python3 - "$runs" "$platform" "$csv" "$markdown" <<'PY'
import json, sys

runs_file, platform, csv_file, markdown = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
runs = {}
for line in open(runs_file):
    name, conf, sched, path = line.split()
    t = json.load(open(path))["total"]
    # total.cycles = measured CPU layers + modeled accelerator layers; total.instructions = CPU part.
    runs[(name, conf, sched)] = dict(total=t["cycles"], acc=t["modeled_accel_cycles"],
                                     cpu=t["cycles"] - t["modeled_accel_cycles"], instr=t["instructions"])

rows = []
for (name, conf, sched), v in runs.items():
    if sched != "ours":
        continue
    cpu_only = runs[(name, "cpu", "ours")]["total"]
    h = runs.get((name, conf, "htvm"))
    if h is not None and h["instr"] != v["instr"]:
        sys.exit("bench_network: %s %s: CPU instructions differ between schedules (%d ours, %d htvm)"
                 % (name, conf, v["instr"], h["instr"]))
    rows.append(dict(model=name, conf=conf, total=v["total"], cpu=v["cpu"], acc=v["acc"],
                     cpu_share=100.0 * v["cpu"] / v["total"], htvm=h["total"] if h else None,
                     htvm_acc=h["acc"] if h else None,
                     ours_over_htvm=v["total"] / h["total"] if h else None, speedup=cpu_only / v["total"],
                     htvm_speedup=cpu_only / h["total"] if h else None))

num = lambda x: "{:,}".format(x) if x is not None else "-"
ratio = lambda x: "%.3f" % x if x is not None else "-"
times = lambda x: "%.1fx" % x if x is not None else "-"
cols = [("model", "model", str), ("conf", "conf", str), ("cycles", "total", num), ("CPU", "cpu", num),
        ("accel", "acc", num), ("CPU %", "cpu_share", lambda x: "%.1f" % x),
        ("htvm-sched", "htvm", num), ("h. accel", "htvm_acc", num), ("ours/htvm", "ours_over_htvm", ratio),
        ("speed-up", "speedup", times), ("h. speed-up", "htvm_speedup", times)]
print("Whole network on rv32 (platform %s): cycles per inference = CPU layers measured on QEMU"
      " + accelerator layers modeled; -O2, input.npy" % platform)
if markdown:
    print("| " + " | ".join(c[0] for c in cols) + " |")
    print("|" + "-|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f(r[k]) for _, k, f in cols) + " |")
else:
    widths = [18, 7, 11, 11, 9, 6, 11, 9, 9, 9, 11]
    line = lambda cells: " ".join(("%-*s" if i < 2 else "%*s") % (w, c)
                                  for i, (w, c) in enumerate(zip(widths, cells)))
    print(line([c[0] for c in cols]))
    for r in rows:
        print(line([f(r[k]) for _, k, f in cols]))
print("CPU: measured CPU cycles (CPU %: their share of the total); accel: modeled accelerator cycles;"
      " htvm-sched, h. accel: the same build with --schedule htvm; speed-up: cycles of the --conf cpu"
      " build / this build's.")
if csv_file:
    with open(csv_file, "w") as f:
        keys = list(rows[0].keys())
        f.write(",".join(keys) + "\n")
        for r in rows:
            f.write(",".join("" if r[k] is None else str(r[k]) for k in keys) + "\n")
PY
