#!/usr/bin/env bash
# The CPU cost model against QEMU: profiles every real model under every conf on rv32 (--profile
# individual, our schedule, the model's input.npy) for one platform, then compares each CPU
# layer's modeled cycles (report.json, from the platform's cpu.cost.kernels) with its measured
# ones (scripts/calibrate_cpu.py check). A test runs it per DIANA ISA variant; its bounds are the
# arguments after --.
#
#   scripts/check_cpu_model.sh [--htvm PATH] [--platform P] [--models DIR] [--keep DIR]
#                              [-- CHECK-ARGS...]   e.g. -- --tolerance 0.15 --min-share 0.95
#
# About 2 minutes on one core (31 profiles). --keep DIR leaves the projects, which
# `scripts/calibrate_cpu.py fit 'DIR/*'` refits from.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
htvm="$root/build/htvm"
platform=diana
models="$root/../shared/models/quantlib"
keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --htvm) htvm="$2"; shift 2 ;;
    --platform) platform="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "check_cpu_model: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -x "$htvm" ]] || { echo "check_cpu_model: no htvm binary at $htvm (use --htvm)" >&2; exit 2; }
if [[ -n "$keep" ]]; then
  work="$keep"
  mkdir -p "$work"
else
  work="$(mktemp -d -t htvm_check_cpu_XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi
found=0
for model in $(cd "$models" && find . -name '*.onnx' | sed 's|^\./||' | sort); do
  folder="$(dirname "$model")"
  confs=(cpu digital mixed)
  [[ "$folder" == */analog ]] && confs+=(analog)
  for conf in "${confs[@]}"; do
    dir="$work/${folder//\//.}.$conf"
    rm -rf "$dir"
    if ! "$htvm" profile "$models/$model" -o "$dir" --target rv32 --profile individual \
        --platform "$platform" --conf "$conf" --input "$models/$folder/input.npy" > "$dir.log" 2>&1; then
      echo "check_cpu_model: htvm profile failed for $model --conf $conf:" >&2
      tail -20 "$dir.log" >&2
      exit 1
    fi
    found=1
  done
done
[[ $found == 1 ]] || { echo "check_cpu_model: no models under $models" >&2; exit 2; }
echo "platform $platform:"
/usr/bin/python3 "$root/scripts/calibrate_cpu.py" check "$work/*" "$@"
