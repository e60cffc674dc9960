#!/usr/bin/env bash
# expect_error.sh: checks how `htvm compile` handles one file of the bad-input corpus.
#
#   expect_error.sh [--expect-ok] HTVM FILE
#
# Default: the compile must exit with code 2 within 5 seconds and print a message that contains
# the file's name and every line of FILE's .expect companion (bad_inputs.py writes it: the node,
# value and reason the message must name). With --expect-ok it must exit 0 instead. Either way its output
# must not mention "internal error" or "Sanitizer" (a crash or a sanitizer report is never a
# clean rejection).
set -u

expect_ok=0
if [[ "${1:-}" == "--expect-ok" ]]; then
  expect_ok=1
  shift
fi
if [[ $# -ne 2 ]]; then
  echo "usage: $0 [--expect-ok] HTVM FILE" >&2
  exit 2
fi
htvm="$1"
file="$2"
name="$(basename "$file")"

tmp="$(mktemp -d -t htvm_badinput_XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

timeout --kill-after=2 5 "$htvm" compile "$file" -o "$tmp/out" >"$tmp/log" 2>&1
rc=$?
out="$(cat "$tmp/log")"

fail() {
  echo "FAIL: htvm compile $file: $1"
  echo "---- exit code $rc, output:"
  echo "$out"
  exit 1
}

if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  fail "did not finish within 5 seconds"
fi
if grep -qi "internal error" "$tmp/log"; then
  fail "output mentions an internal error"
fi
if grep -q "Sanitizer" "$tmp/log"; then
  fail "output contains a sanitizer report"
fi
if [[ $expect_ok -eq 1 ]]; then
  [[ $rc -eq 0 ]] || fail "expected exit code 0"
else
  [[ $rc -eq 2 ]] || fail "expected exit code 2"
  [[ -n "$out" ]] || fail "expected an error message, got no output"
  grep -qF -- "$name" "$tmp/log" || fail "the message does not name the file '$name'"
  expect="${file%.onnx}.expect"
  [[ -s "$expect" ]] || fail "no expected message fragments in $expect"
  while IFS= read -r fragment; do
    grep -qF -- "$fragment" "$tmp/log" || fail "the message does not say \"$fragment\""
  done <"$expect"
fi
echo "ok: htvm compile $name: exit $rc"
echo "$out" | head -n 5
exit 0
