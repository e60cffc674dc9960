#!/usr/bin/env bash
# Prints one sha256 line per generated file for every real model under every conf (and both
# schedules), so that a restructuring can show its generated output is byte-identical:
#   bash scripts/codegen_digest.sh build/htvm > before.txt   (on the old commit)
#   bash scripts/codegen_digest.sh build/htvm > after.txt    (on the new one); diff before.txt after.txt
# report.json is left out: it carries compile timings, which differ run to run.
set -euo pipefail
htvm=$(realpath "${1:-build/htvm}")
models=${MODELS_DIR:-$(dirname "$0")/../../shared/models/quantlib}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for onnx in $(find "$models" -name '*.onnx' | sort); do
  rel=${onnx#"$models"/}
  confs="cpu digital mixed"
  case "$rel" in */analog/*) confs="$confs analog" ;; esac
  for conf in $confs; do
    for sched in ours htvm; do
      out="$scratch/p"
      rm -rf "$out"
      "$htvm" compile "$onnx" -o "$out" --conf "$conf" --schedule "$sched" >/dev/null
      (cd "$out" && find . -type f ! -name report.json | sort | xargs sha256sum) |
        sed "s|^|$rel $conf $sched |"
    done
  done
done
