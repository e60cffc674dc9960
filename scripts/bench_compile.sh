#!/usr/bin/env bash
# Benchmark: wall time of `htvm compile` (import, integerize, plan, emit C) for every real model,
# median of 5 runs, as printed by htvm itself. Usage: scripts/bench_compile.sh [MODELS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:-../shared/models/quantlib}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-48s %10s\n' model "compile ms"
for m in $(find "$models" -name '*.onnx' | sort); do
  times=()
  for _ in 1 2 3 4 5; do
    t=$(./build/htvm compile "$m" -o "$out/p" | sed -n 's/.* in \([0-9.]*\) ms (.*/\1/p')
    times+=("$t")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
  printf '%-48s %10s\n' "${m#$models/}" "$median"
done
