#!/usr/bin/env bash
# Prints one sha256 line per generated file for every real model under every conf (and both
# schedules), so that a restructuring can show its generated output is byte-identical:
#   bash scripts/codegen_digest.sh build/htvm > before.txt   (on the old commit)
#   bash scripts/codegen_digest.sh build/htvm > after.txt    (on the new one); diff before.txt after.txt
# report.json is digested with its timings ("ms", "tiler_ms") and the compiler's identity ("htvm":
# version, commit, command line) removed, which differ run to run and commit to commit; its key
# order is kept.
set -euo pipefail
htvm=$(realpath "${1:-build/htvm}")
models=${MODELS_DIR:-$(dirname "$0")/../../shared/models/quantlib}
scratch=$(mktemp -d)
untimed_report() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
def strip(v):
    if isinstance(v, list) and v and all(isinstance(p, tuple) for p in v):
        return [(k, strip(x)) for k, x in v if k not in ("ms", "tiler_ms", "htvm")]
    return [strip(x) for x in v] if isinstance(v, list) else v
print(json.dumps(strip(json.load(open(sys.argv[1]), object_pairs_hook=lambda p: [tuple(x) for x in p]))))
PY
}
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
      echo "$(untimed_report "$out/report.json" | sha256sum | cut -d' ' -f1)  ./report.json (untimed)" |
        sed "s|^|$rel $conf $sched |"
    done
  done
done
