#!/usr/bin/env bash
# Installs, builds and runs every test: the full ctest suite (unit, end-to-end on the real models,
# generated corpus), then the bad-input corpus again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j "$jobs"

# Sanitizer pass: only the binaries the bad-input checks need.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHTVM_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs" --target htvm htvm_frontend_tests >build-asan/build.log 2>&1 ||
  { tail -40 build-asan/build.log; exit 1; }
ctest --test-dir build-asan --output-on-failure -j "$jobs" -L "badinput|frontend"
