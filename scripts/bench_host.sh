#!/usr/bin/env bash
# Benchmark (prints figures; not a test): host inference time of the generated C (`htvm compile
# --conf cpu`, built with the generated Makefile's flags twice: the portable default, gcc -O2 for
# the x86-64 baseline, and `-O3 -march=native`, i.e. `make OPT=3 HOST_ARCH=native`) next to ONNX
# Runtime (onnxruntime-node 1.15.0, CPU provider, one intra-op thread) on the same input, for every
# real model, with the ratios ORT/htvm (above 1: htvm is faster). Each figure is the median of RUNS
# single-sample runs after 20 warm-up runs (tests/bench/host_time.c, tests/bench/ort_time.js).
#
#   scripts/bench_host.sh [--htvm PATH] [--runs N] [MODEL.onnx ...]
#
# Default models: every .onnx under ../shared/models/quantlib (input: the model folder's
# input.npy); default htvm: build/htvm; default RUNS: 200. onnxruntime-node is taken from
# tests/gen/node_modules when tests/gen/ort_check installed it there, else installed once with npm
# into ${XDG_CACHE_HOME:-~/.cache}/htvm/ort.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
htvm="$root/build/htvm"
runs=200
models=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --htvm) htvm="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "bench_host: unknown option '$1'" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
shared="$root/../shared/models/quantlib"
if [[ ${#models[@]} -eq 0 ]]; then
  mapfile -t models < <(find "$shared" -name '*.onnx' | sort)
fi
[[ -x "$htvm" ]] || { echo "bench_host: no htvm binary at $htvm (use --htvm)" >&2; exit 2; }

ort_dir="$root/tests/gen/node_modules"
if [[ ! -f "$ort_dir/onnxruntime-node/package.json" ]]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/htvm/ort"
  ort_dir="$cache/node_modules"
  if [[ ! -f "$ort_dir/onnxruntime-node/package.json" ]]; then
    echo "bench_host: installing onnxruntime-node@1.15.0 into $cache" >&2
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-audit --no-fund onnxruntime-node@1.15.0 >/dev/null
  fi
fi

work="$(mktemp -d -t htvm_bench_host_XXXXXX)"
trap 'rm -rf "$work"' EXIT

printf '%-52s %9s %9s %9s %8s %8s\n' model "O2 us" "native us" "ORT us" "ORT/O2" "ORT/nat"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
i=0
for model in "${models[@]}"; do
  i=$((i + 1))
  dir="$work/m$i"
  input="$(dirname "$model")/input.npy"
  [[ -f "$input" ]] || input="$(dirname "$model")/../input.npy"
  "$htvm" compile "$model" --conf cpu -o "$dir" >/dev/null
  # The generated project's sources (project.mk) and its Makefile's flags, with the timing harness
  # instead of demo/main.c.
  srcs=$(sed -n 's/^MODEL_SRCS = //p' "$dir/project.mk")
  flags="-std=c11 -Wall -Wextra -Werror -ffp-contract=off -Iinclude -Isrc -Iruntime"
  (cd "$dir" && gcc $flags -O2 -o host_time $srcs "$root/tests/bench/host_time.c" -lm &&
    gcc $flags -O3 -march=native -o host_time_native $srcs "$root/tests/bench/host_time.c" -lm)
  ours=$("$dir/host_time" "$input" "$runs")
  native=$("$dir/host_time_native" "$input" "$runs")
  theirs=$(node "$root/tests/bench/ort_time.js" "$ort_dir" "$model" "$input" "$runs")
  printf '%-52s %9s %9s %9s %8s %8s\n' "${model#"$shared"/}" "$ours" "$native" "$theirs" \
    "$(ratio "$theirs" "$ours")" "$(ratio "$theirs" "$native")"
done
