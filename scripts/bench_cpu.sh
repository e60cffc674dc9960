#!/usr/bin/env bash
# Benchmark (prints figures; not a test) of the generated CPU kernels, in one run:
#  1. rv32 instructions per MAC of the CPU conv and dense kernels, one row per layer. The model is
#     compiled with `htvm compile --conf cpu`; tests/bench/rv32_layer_harness.py writes a bare-metal
#     harness that calls each layer's function from src/cpu_layers.c once between two `rdinstret`
#     reads (no profiling hooks, nothing else of the model runs); it is built for the platform's
#     cpu.march/cpu.mabi (DIANA: rv32imafc/ilp32f; --platform diana_rv32imac for rv32imac) with
#     picolibc's semihosting crt0 and run on qemu-system-riscv32 with -icount shift=0.
#  2. the host (x86-64) build of every real model next to ONNX Runtime (scripts/bench_host.sh:
#     onnxruntime-node, one thread, same input, medians of many runs), with the ratio.
#
#   scripts/bench_cpu.sh [--htvm PATH] [--platform P] [--keep DIR] [--host-runs N] [--no-host]
#                        [MODEL.onnx ...]
#
# Default model for part 1: ResNet8 (../shared/models/quantlib/resnet8/ResNet_QL_NOANNOTATION.onnx);
# part 2 always covers every real model. Default htvm: build/htvm. Needs riscv64-unknown-elf-gcc
# with picolibc and qemu-system-riscv32 (Debian: gcc-riscv64-unknown-elf
# picolibc-riscv64-unknown-elf qemu-system-misc), and npm for part 2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
htvm="$root/build/htvm"
keep=""
host_runs=200
host=1
platform=diana
models=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --htvm) htvm="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --platform) platform="$2"; shift 2 ;;
    --host-runs) host_runs="$2"; shift 2 ;;
    --no-host) host=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "bench_cpu: unknown option '$1'" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
[[ ${#models[@]} -gt 0 ]] ||
  models=("$root/../shared/models/quantlib/resnet8/ResNet_QL_NOANNOTATION.onnx")
for tool in riscv64-unknown-elf-gcc qemu-system-riscv32; do
  command -v "$tool" >/dev/null || { echo "bench_cpu: $tool not found" >&2; exit 2; }
done
[[ -x "$htvm" ]] || { echo "bench_cpu: no htvm binary at $htvm (use --htvm)" >&2; exit 2; }

if [[ -n "$keep" ]]; then
  work="$keep"
  mkdir -p "$work"
else
  work="$(mktemp -d -t htvm_bench_cpu_XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi

# Same code flags as the generated Makefile's rv32 build (the ISA is the platform's, read from the
# project's target.mk); picolibc's default linker script with flash and RAM placed in the QEMU
# virt machine's DRAM (0x80000000).
cflags=(-std=c11 -O2 -Wall -Wextra -Werror -ffp-contract=off
        --specs=picolibc.specs --crt0=semihost --oslib=semihost)
ldflags=(-Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x400000
         -Wl,--defsym=__ram=0x80400000 -Wl,--defsym=__ram_size=0x400000
         -Wl,--defsym=__stack_size=0x4000)

i=0
for model in "${models[@]}"; do
  i=$((i + 1))
  dir="$work/m$i"
  "$htvm" compile "$model" --conf cpu --platform "$platform" -o "$dir" >/dev/null
  /usr/bin/python3 "$root/tests/bench/rv32_layer_harness.py" "$dir" "$dir/bench.c"
  march=$(sed -n 's/^RV32_MARCH = //p' "$dir/target.mk")
  mabi=$(sed -n 's/^RV32_MABI = //p' "$dir/target.mk")
  march=${march:-rv32imac} mabi=${mabi:-ilp32}
  riscv64-unknown-elf-gcc "${cflags[@]}" -march="$march" -mabi="$mabi" -I"$dir/src" \
    -o "$dir/bench.elf" "$dir/src/cpu_layers.c" "$dir/src/weights.c" "$dir/bench.c" "${ldflags[@]}"
  echo "$model ($march/$mabi, gcc -O2, qemu -icount)"
  timeout 600 qemu-system-riscv32 -machine virt -nographic -bios none -kernel "$dir/bench.elf" \
    -semihosting-config enable=on,target=native -icount shift=0 </dev/null
  echo
done

if [[ $host -eq 1 ]]; then
  echo "host (x86-64) build vs ONNX Runtime, every real model"
  bash "$root/scripts/bench_host.sh" --htvm "$htvm" --runs "$host_runs"
fi
