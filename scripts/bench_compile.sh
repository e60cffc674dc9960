#!/usr/bin/env bash
# Benchmark: wall time of `htvm compile` (import, integerize, plan, emit C) for every real model,
# median of 5 runs, as printed by htvm itself; then how compile time grows with the layer count, on
# chains of 500, 2,000 and 10,000 digital conv layers (tests/gen/conv_chain.py; one run each, with
# the two planning passes whose cost depends on the layer count).
# Usage: scripts/bench_compile.sh [MODELS_DIR]
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

printf '\n%-10s %10s %10s %10s %12s\n' layers "total ms" "plan-arena" "plan-l1" "ms per layer"
for n in 500 2000 10000; do
  ${PYTHON:-/usr/bin/python3} tests/gen/conv_chain.py "$n" "$out/chain.onnx"
  line=$(./build/htvm compile "$out/chain.onnx" -o "$out/c" --conf digital)
  total=$(sed -n 's/.* in \([0-9.]*\) ms (.*/\1/p' <<<"$line")
  arena=$(sed -n 's/.*plan-arena \([0-9.]*\) ms.*/\1/p' <<<"$line")
  l1=$(sed -n 's/.*plan-l1 \([0-9.]*\) ms.*/\1/p' <<<"$line")
  awk -v n="$n" -v t="$total" -v a="$arena" -v l="$l1" 'BEGIN { printf "%-10s %10.0f %10.0f %10.0f %12.2f\n", n, t, a, l, t / n }'
done
