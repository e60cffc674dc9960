#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (compile, npy, platform) from a clang build with
# -DHTVM_FUZZ=ON, configured and built here if needed.
#
#   scripts/fuzz.sh --quick               the bounded run of the test command: a fixed seed and a
#                                         fixed number of executions per target (a time cap bounds a
#                                         slow machine), from the seed corpus only; libFuzzer keeps
#                                         some scheduling of its own, so coverage varies slightly
#   scripts/fuzz.sh --minutes 60          a long run: the minutes split evenly over the targets,
#                                         one after another (one core), the corpus kept and grown
#                                         in BUILD/fuzz-corpus/<target> across runs
#   scripts/fuzz.sh --minutes 20 --target npy      one target only
#   --build DIR                           the clang build to use (default build-fuzz)
#   scripts/fuzz.sh --configure           only configure that build (scripts/test.sh builds more
#                                         targets in it: htvm and the frontend tests under ASan)
#
# Prints per target the executions, the coverage (libFuzzer's cov: edges, ft: features) and the
# new corpus entries, and exits non-zero when any target finds a crash, a leak, a timeout or an
# out-of-memory; the input is kept in BUILD/fuzz-artifacts/. Minimize it with
#   BUILD/tests/fuzz/htvm_fuzz_<target> -minimize_crash=1 -runs=10000 <artifact>
# then add it to tests/fuzz/corpus/<target>/ with a regression test beside the module's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="" minutes=0 build=build-fuzz only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --configure) mode=configure ;;
    --minutes) mode=long; minutes="$2"; shift ;;
    --target) only="$2"; shift ;;
    --build) build="$2"; shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (see the comment at the top)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$mode" ] || { echo "fuzz.sh: give --quick, --minutes N or --configure" >&2; exit 2; }

targets=(compile npy platform)
[ -z "$only" ] || targets=("$only")
# --quick: executions per target, chosen so that the three together take about two minutes on
# one core of the development machine; the cap (seconds per target) only matters on a much slower
# or busier one, and keeps the three within three minutes.
declare -A quick_runs=([compile]=10000 [npy]=3000000 [platform]=200000)
quick_cap=60

# -O1: the instrumented build and the executions are both reasonably fast.
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DHTVM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
else
  cmake -S . -B "$build" >/dev/null
fi
[ "$mode" != configure ] || exit 0
cmake --build "$build" -j 2 --target "${targets[@]/#/htvm_fuzz_}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -40 "$build/fuzz-build.log"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Seeds and logs of a quick run are its own, so that it can run beside a long one.
seeds="$build/fuzz-seeds"
[ "$mode" != quick ] || seeds="$work/seeds"
/usr/bin/python3 tests/fuzz/seeds.py --out "$seeds" >/dev/null
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

failed=0
for t in "${targets[@]}"; do
  if [ "$mode" = quick ]; then
    corpus="$work/$t"  # new entries are thrown away: every quick run starts from the same seeds
    limits=(-seed=1 -runs="${quick_runs[$t]}" -max_total_time="$quick_cap")
  else
    corpus="$build/fuzz-corpus/$t"
    share=$((minutes * 60 / ${#targets[@]}))
    limits=(-seed=1 -max_total_time="$share")
  fi
  mkdir -p "$corpus"
  dict=()
  for d in "tests/fuzz/$t.dict" "$seeds/$t.dict"; do [ ! -f "$d" ] || dict=(-dict="$d"); done
  log="$build/fuzz-$mode-$t.log"
  start=$(date +%s)
  rc=0
  "$build/tests/fuzz/htvm_fuzz_$t" "${limits[@]}" "${dict[@]}" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$t-" "$corpus" "$seeds/$t" >"$log" 2>&1 || rc=$?
  secs=$(($(date +%s) - start))
  stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  execs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  added=$(grep -oE 'stat::new_units_added: +[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  printf 'fuzz %-8s %9s executions in %4ss, %s, %s new inputs\n' \
    "$t" "${execs:-?}" "$secs" "${stats:-no final stats}" "${added:-?}"
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "fuzz $t: FAILED (exit $rc); log $log" >&2
    grep -E 'ERROR|SUMMARY|Test unit written|artifact_prefix' "$log" | head -10 >&2 || true
  fi
done
exit "$failed"
