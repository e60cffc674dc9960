#!/usr/bin/env bash
# Benchmark (prints figures; not a test): host inference time of the generated C (`htvm compile
# --conf cpu`, built with gcc -O2 and the generated Makefile's flags) next to ONNX Runtime
# (onnxruntime-node 1.15.0, CPU provider, one intra-op thread) on the same input, for every real
# model. Each figure is the median of RUNS single-sample runs after 20 warm-up runs
# (tests/bench/host_time.c, tests/bench/ort_time.js).
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
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
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

printf '%-52s %10s %10s %9s\n' model "htvm us" "ORT us" "ORT/htvm"
i=0
for model in "${models[@]}"; do
  i=$((i + 1))
  dir="$work/m$i"
  input="$(dirname "$model")/input.npy"
  [[ -f "$input" ]] || input="$(dirname "$model")/../input.npy"
  "$htvm" compile "$model" --conf cpu -o "$dir" >/dev/null
  # The generated Makefile's sources and flags, with the timing harness instead of demo/main.c.
  srcs=$(sed -n 's/^MODEL_SRCS = //p' "$dir/Makefile")
  (cd "$dir" && gcc -std=c11 -O2 -Wall -Wextra -Werror -ffp-contract=off -Iinclude -Isrc -Iruntime \
    -o host_time $srcs "$root/tests/bench/host_time.c" -lm)
  ours=$("$dir/host_time" "$input" "$runs")
  theirs=$(node "$root/tests/bench/ort_time.js" "$ort_dir" "$model" "$input" "$runs")
  printf '%-52s %10s %10s %9s\n' "${model#"$shared"/}" "$ours" "$theirs" \
    "$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.2f", a / b }')"
done
