#!/usr/bin/env bash
# Installs what htvm needs from Debian's packages (as root, or through sudo when not root) and
# builds it into ./build. Safe to run repeatedly: apt is only asked when a package is missing, and
# the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ make cmake pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler
  libcli11-dev nlohmann-json3-dev libfmt-dev libxtensor-dev
  googletest libgtest-dev libgmock-dev
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc
  python3 python3-onnx python3-numpy
  clang libclang-rt-14-dev  # the fuzzing and sanitizer build (libFuzzer's runtime is in -rt-)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if ! cmake --build build -j "$jobs" >build/build.log 2>&1; then
  grep -E 'error|Error' -A5 build/build.log | head -60 >&2
  echo "setup: build failed (full log: build/build.log)" >&2
  exit 1
fi
echo "setup: build/htvm ready"
