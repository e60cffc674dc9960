#!/usr/bin/env bash
# Installs, builds and runs every test: the full ctest suite (unit, end-to-end on the real models,
# generated corpus, fuzz corpus replay), then one clang build with ASan + UBSan + libFuzzer
# instrumentation (-DHTVM_FUZZ=ON) that runs the bad-input corpus and the frontend tests again and
# the short, deterministic fuzz run (scripts/fuzz.sh --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j "$jobs"

# Sanitizer and fuzzing pass: only the binaries the bad-input checks and the fuzz targets need.
bash scripts/fuzz.sh --configure --build build-fuzz
cmake --build build-fuzz -j "$jobs" --target htvm htvm_frontend_tests htvm_fuzz_compile htvm_fuzz_npy \
  htvm_fuzz_platform >build-fuzz/build.log 2>&1 || { tail -40 build-fuzz/build.log; exit 1; }
ctest --test-dir build-fuzz --output-on-failure -j "$jobs" -L "badinput|frontend"
bash scripts/fuzz.sh --quick --build build-fuzz
