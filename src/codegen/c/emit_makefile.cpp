// Makefile of the generated project. Targets:
//   make                 build/htvm_demo with the host gcc (links -lm)
//   make trace           build/htvm_demo_trace, the same with -DHTVM_TRACE
//   make TARGET=rv32     every .c compiled to build/rv32/*.o with riscv64-unknown-elf-gcc
//                        -march=rv32imac -mabi=ilp32 (picolibc headers); compile only until a
//                        linker script and startup code exist
//   make clean
// CC may be overridden on the command line or in the environment; CFLAGS are appended.
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
#   make TARGET=rv32     compile every .c to build/rv32/*.o (riscv64-unknown-elf-gcc, rv32imac/ilp32)
#   make clean
# CC can be overridden (make CC=clang); CFLAGS are appended to the fixed flags below.

TARGET ?= host

ifeq ($(TARGET),host)
ifeq ($(origin CC),default)
CC = gcc
endif
ARCH_FLAGS =
LDLIBS = -lm
else ifeq ($(TARGET),rv32)
ifeq ($(origin CC),default)
CC = riscv64-unknown-elf-gcc
endif
ARCH_FLAGS = -march=rv32imac -mabi=ilp32 --specs=picolibc.specs
else
$(error unknown TARGET '$(TARGET)': use host or rv32)
endif

# -ffp-contract=off: no fused multiply-add, so float results match the reference bit for bit.
HTVM_CFLAGS = -std=c11 -O2 -Wall -Wextra -Werror -ffp-contract=off $(ARCH_FLAGS) -Iinclude -Isrc -Iruntime $(CFLAGS)

MODEL_SRCS = @MODEL_SRCS@
HEADERS = @HEADERS@

.PHONY: all trace clean

ifeq ($(TARGET),host)
all: build/htvm_demo

trace: build/htvm_demo_trace

build/htvm_demo: $(MODEL_SRCS) demo/main.c $(HEADERS)
	@mkdir -p build
	$(CC) $(HTVM_CFLAGS) -o $@ $(MODEL_SRCS) demo/main.c $(LDLIBS)

build/htvm_demo_trace: $(MODEL_SRCS) demo/main.c $(HEADERS)
	@mkdir -p build
	$(CC) $(HTVM_CFLAGS) -DHTVM_TRACE -o $@ $(MODEL_SRCS) demo/main.c $(LDLIBS)
else
RV32_OBJS = $(patsubst %.c,build/rv32/%.o,$(notdir $(MODEL_SRCS))) build/rv32/main.o

all: $(RV32_OBJS)

trace:
	@echo "make trace: host only for now (use TARGET=host)" >&2
	@exit 1

vpath %.c $(sort $(dir $(MODEL_SRCS)))
build/rv32/%.o: %.c $(HEADERS)
	@mkdir -p build/rv32
	$(CC) $(HTVM_CFLAGS) -c -o $@ $<

build/rv32/main.o: demo/main.c $(HEADERS)
	@mkdir -p build/rv32
	$(CC) $(HTVM_CFLAGS) -c -o $@ $<
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
