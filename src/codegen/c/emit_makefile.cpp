// Makefile of the generated project. Targets:
//   make                 build/htvm_demo with the host gcc (links -lm)
//   make trace           build/htvm_demo_trace, the same with -DHTVM_TRACE
//   make TARGET=rv32     build/htvm_demo.elf: riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32,
//                        picolibc with its semihosting crt0 and OS library, htvm_rv32.ld, link map
//                        in build/htvm_demo.map; objects in build/rv32/
//   make [TARGET=rv32] run IN=x.bin OUT=y.bin   the demo on the host or on qemu-system-riscv32
//   make clean
// Options: PROFILE=none|global|individual, OPT=0..3, INDEFINITE=1, STACK_BYTES=N (rv32),
// HOST_ARCH=<gcc -march value> (host; empty keeps the portable x86-64 baseline). An
// optional target.mk (written by the htvm driver) sets the platform's L2 sizes and defaults for
// these. The flags of the last build are kept in build/flags-<target>, so changing any of them
// rebuilds. CC may be overridden on the command line or in the environment; CFLAGS are appended.
#include <fmt/format.h>

#include "codegen/c/c_syntax.h"
#include "codegen/c/emit_context.h"
#include "codegen/c/runtime_files.h"

namespace htvm {

std::string emitMakefile(const EmitContext& ctx) {
  std::string banner = ctx.banner("Makefile");
  std::string m = "# " + banner + "\n";
  // Recipe lines below start with a literal tab, as make requires.
  m += R"MK(#
#   make                 build/htvm_demo (host gcc)
#   make trace           build/htvm_demo_trace (-DHTVM_TRACE: per-layer outputs to TRACE.bin)
#   make run IN=x.bin OUT=y.bin
#   make TARGET=rv32     build/htvm_demo.elf: bare-metal rv32imac/ilp32, picolibc + semihosting,
#                        linked with htvm_rv32.ld (link map: build/htvm_demo.map)
#   make TARGET=rv32 trace                  build/htvm_demo_trace.elf
#   make TARGET=rv32 run IN=x.bin OUT=y.bin on qemu-system-riscv32 -machine virt; semihosting has
#                        no argv, so IN is copied to htvm_in.bin and htvm_out.bin to OUT
#   make clean
# Options: PROFILE=none|global|individual (cycle counts of sample 0: whole run or per layer),
#   OPT=0..3 (-O level), INDEFINITE=1 (run the last sample forever), STACK_BYTES=N (rv32 stack),
#   HOST_ARCH=<gcc -march value> for the host build, e.g. `make OPT=3 HOST_ARCH=native` (the
#   conv/dense kernels are written for auto-vectorisation, so wider SIMD such as AVX2/AVX-512 VNNI
#   speeds them up; the binary then runs only on such CPUs). Empty (the default) keeps gcc's
#   portable baseline (x86-64: SSE2). rv32 ignores it.
# target.mk (optional, written by htvm) sets HTVM_L2_BYTES / HTVM_L2_PRIVATE_BYTES from the
# platform file and the defaults chosen at compile time. CC can be overridden (make CC=clang);
# CFLAGS are appended to the fixed flags below.

-include target.mk

TARGET ?= host
PROFILE ?= none
OPT ?= 2
INDEFINITE ?= 0
STACK_BYTES ?= 8192
HOST_ARCH ?=
IN ?= htvm_in.bin
OUT ?= htvm_out.bin
QEMU ?= qemu-system-riscv32
QEMU_FLAGS = -machine virt -nographic -bios none -semihosting-config enable=on,target=native -icount shift=0

ifeq ($(PROFILE),none)
BUILD_DEFS =
else ifeq ($(PROFILE),global)
BUILD_DEFS = -DHTVM_PROFILE=1
else ifeq ($(PROFILE),individual)
# -DHTVM_TRACE: the hook after every layer marks layer boundaries (demo/main.c)
BUILD_DEFS = -DHTVM_PROFILE=2 -DHTVM_TRACE
else
$(error unknown PROFILE '$(PROFILE)': use none, global or individual)
endif
ifneq ($(INDEFINITE),0)
BUILD_DEFS += -DHTVM_INDEFINITE=1
endif

ifeq ($(TARGET),host)
ifeq ($(origin CC),default)
CC = gcc
endif
ARCH_FLAGS = $(if $(HOST_ARCH),-march=$(HOST_ARCH))
LDLIBS = -lm
LDFLAGS_ALL =
else ifeq ($(TARGET),rv32)
ifeq ($(origin CC),default)
CC = riscv64-unknown-elf-gcc
endif
# Sections per function and object: htvm_rv32.ld places the simulator's pool and the arena by name.
ARCH_FLAGS = -march=rv32imac -mabi=ilp32 --specs=picolibc.specs -DHTVM_TARGET_RV32=1 -ffunction-sections -fdata-sections
LDFLAGS_ALL = --crt0=semihost --oslib=semihost -T htvm_rv32.ld -Wl,--defsym=__htvm_stack_bytes=$(STACK_BYTES)
ifdef HTVM_L2_BYTES
LDFLAGS_ALL += -Wl,--defsym=__htvm_l2_bytes=$(HTVM_L2_BYTES)
endif
ifdef HTVM_L2_PRIVATE_BYTES
LDFLAGS_ALL += -Wl,--defsym=__htvm_l2_private_bytes=$(HTVM_L2_PRIVATE_BYTES)
endif
else
$(error unknown TARGET '$(TARGET)': use host or rv32)
endif

# -ffp-contract=off: no fused multiply-add, so float results match the reference bit for bit.
HTVM_CFLAGS = -std=c11 -O$(OPT) -Wall -Wextra -Werror -ffp-contract=off $(ARCH_FLAGS) $(BUILD_DEFS) -Iinclude -Isrc -Iruntime $(CFLAGS)

MODEL_SRCS = @MODEL_SRCS@
HEADERS = @HEADERS@ include/htvm_profile.h

# Rebuild whenever the compiler or any flag changes (PROFILE, OPT, ...).
FLAGS_FILE = build/flags-$(TARGET)
FLAGS_NOW = $(CC) $(HTVM_CFLAGS) $(LDFLAGS_ALL)
$(shell mkdir -p build && (echo '$(FLAGS_NOW)' | cmp -s - $(FLAGS_FILE) || echo '$(FLAGS_NOW)' > $(FLAGS_FILE)))

.PHONY: all trace run clean

ifeq ($(TARGET),host)
all: build/htvm_demo

trace: build/htvm_demo_trace

build/htvm_demo: $(MODEL_SRCS) demo/main.c $(HEADERS) $(FLAGS_FILE)
	@mkdir -p build
	$(CC) $(HTVM_CFLAGS) -o $@ $(MODEL_SRCS) demo/main.c $(LDLIBS)

build/htvm_demo_trace: $(MODEL_SRCS) demo/main.c $(HEADERS) $(FLAGS_FILE)
	@mkdir -p build
	$(CC) $(HTVM_CFLAGS) -DHTVM_TRACE -DHTVM_TRACE_RECORDS=1 -o $@ $(MODEL_SRCS) demo/main.c $(LDLIBS)

run: build/htvm_demo
	./build/htvm_demo $(IN) $(OUT)
else
RV32_OBJS = $(patsubst %.c,build/rv32/%.o,$(notdir $(MODEL_SRCS))) build/rv32/main.o
RV32_TRACE_OBJS = $(patsubst build/rv32/%,build/rv32-trace/%,$(RV32_OBJS))

all: build/htvm_demo.elf

trace: build/htvm_demo_trace.elf

vpath %.c $(sort $(dir $(MODEL_SRCS))) demo
build/rv32/%.o: %.c $(HEADERS) $(FLAGS_FILE)
	@mkdir -p build/rv32
	$(CC) $(HTVM_CFLAGS) -c -o $@ $<

build/rv32-trace/%.o: %.c $(HEADERS) $(FLAGS_FILE)
	@mkdir -p build/rv32-trace
	$(CC) $(HTVM_CFLAGS) -DHTVM_TRACE -DHTVM_TRACE_RECORDS=1 -c -o $@ $<

build/htvm_demo.elf: $(RV32_OBJS) htvm_rv32.ld
	$(CC) $(HTVM_CFLAGS) $(LDFLAGS_ALL) -Wl,-Map=build/htvm_demo.map -o $@ $(RV32_OBJS)

build/htvm_demo_trace.elf: $(RV32_TRACE_OBJS) htvm_rv32.ld
	$(CC) $(HTVM_CFLAGS) $(LDFLAGS_ALL) -Wl,-Map=build/htvm_demo_trace.map -o $@ $(RV32_TRACE_OBJS)

run: build/htvm_demo.elf
	@if [ '$(IN)' != htvm_in.bin ]; then cp '$(IN)' htvm_in.bin; fi
	$(QEMU) $(QEMU_FLAGS) -kernel build/htvm_demo.elf
	@if [ '$(OUT)' != htvm_out.bin ]; then cp htvm_out.bin '$(OUT)'; fi
endif

clean:
	rm -rf build
)MK";
  std::string srcs = "src/network.c src/cpu_layers.c src/weights.c";
  std::string headers = "include/htvm_model.h src/cpu_layers.h src/weights.h";
  if (ctx.hasAccel) {
    srcs += " src/accel_layers.c src/platform.c";
    headers += " src/accel_layers.h runtime/htvm_hal.h runtime/htvm_platform.h";
    for (const RuntimeFile& f : runtimeFiles()) {
      std::string path = std::string("runtime/") + f.path;
      bool isC = path.size() > 2 && path.compare(path.size() - 2, 2, ".c") == 0;
      (isC ? srcs : headers) += " " + path;
    }
  }
  auto replace = [&](const std::string& key, const std::string& value) {
    size_t at = m.find(key);
    HTVM_CHECK(at != std::string::npos) << "Makefile template lacks " << key;
    m.replace(at, key.size(), value);
  };
  replace("@MODEL_SRCS@", srcs);
  replace("@HEADERS@", headers);
  return m;
}

}  // namespace htvm
