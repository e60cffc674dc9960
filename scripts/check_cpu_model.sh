#!/usr/bin/env bash
# The CPU cost model against QEMU: profiles every real model under every conf on rv32 for one
# platform (scripts/bench_network.sh --ours-only), then compares each CPU layer's modeled cycles
# (report.json, from the platform's cpu.cost.kernels) with its measured ones
# (scripts/calibrate_cpu.py check). A test runs it per DIANA ISA variant; its bounds are the
# arguments after --.
#
#   scripts/check_cpu_model.sh [--htvm PATH] [--platform P] [--models DIR] [--keep DIR]
#                              [-- CHECK-ARGS...]   e.g. -- --tolerance 0.15 --min-share 0.95
#
# About 2 minutes on one core (31 profiles). --keep DIR leaves the projects, which
# `scripts/calibrate_cpu.py fit 'DIR/*.ours'` refits from.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d -t htvm_check_cpu_XXXXXX)"
trap 'rm -rf "$work"' EXIT
bench=()
keep="$work/runs"
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    --htvm|--platform|--models) bench+=("$1" "$2"); shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "check_cpu_model: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] && shift
bash "$root/scripts/bench_network.sh" --ours-only "${bench[@]}" --keep "$keep" > "$work/bench.log" ||
  { cat "$work/bench.log"; exit 1; }
/usr/bin/python3 "$root/scripts/calibrate_cpu.py" check "$keep/*.ours" "$@"
