// htvm_rv32.ld: the GNU ld script of the bare-metal RV32 build (`make TARGET=rv32`), for
// picolibc's semihosting crt0 on `qemu-system-riscv32 -machine virt`. QEMU's DRAM stands in for
// three memories, each its own region so that an overflow is a link error that names it:
//   flash   0x80000000, 4 MiB (assumed: DIANA boots from L2, no source gives a flash size; 4 MiB
//           holds the largest real model's code and weights several times): code, const weights,
//           and the load image of .data;
//   l2      0x80400000, the platform's L2 (`l2.bytes`, passed by make as __htvm_l2_bytes): stack,
//           .data, .bss, and, at or past the host-private first `l2.host_private_bytes`, the
//           activation arena (network.o's .bss) that accelerator DMA reads and writes;
//   sim_l1  0x81000000: the simulator's pool of accelerator memories (sim_state.o's `pool`,
//           placed by file and section name). It models the accelerators' own L1s, not L2.
// The heap is empty (picolibc's malloc would fail; the driver also checks that none is linked).
// Needs -ffunction-sections -fdata-sections (the Makefile passes them) for `.bss.pool`.
#include <fmt/format.h>

#include <algorithm>

#include "codegen/c/emit_context.h"

namespace htvm {
namespace {

// The same sum as HTVM_L1_POOL_BYTES in htvm_platform.h: each activation L1, plus the analog
// arrays; at least 4 bytes, rounded up to 16.
int64_t simPoolBytes(const EmitContext& ctx) {
  int64_t pool = 0;
  for (const AccelTarget& a : ctx.opts.accels)
    pool += a.actL1Bytes + (a.kind == AccelTarget::Kind::Analog ? a.arrayRows * a.arrayCols : 0);
  pool = std::max<int64_t>(pool, 4);
  return (pool + 15) / 16 * 16;
}

}  // namespace

std::string emitLinkerScript(const EmitContext& ctx) {
  std::string s = "/* " + ctx.banner("htvm_rv32.ld") + " */\n";
  s += R"LD(/* Memory map on qemu-system-riscv32 -machine virt (DRAM from 0x80000000):
 *   flash   0x80000000  4 MiB (assumed)     .text, .rodata (weights), .data load image
 *   l2      0x80400000  platform l2.bytes   stack, .data, .bss, activation arena
 *   sim_l1  0x81000000  simulator pool      accelerator L1s as the simulator models them
 * make passes __htvm_l2_bytes, __htvm_l2_private_bytes and __htvm_stack_bytes (--defsym);
 * without them L2 is the whole 12 MiB window, with no private part, and the stack 8 KiB. */
OUTPUT_ARCH(riscv)
ENTRY(_start)

MEMORY
{
  flash  (rx) : ORIGIN = 0x80000000, LENGTH = 0x400000
  l2     (rw) : ORIGIN = 0x80400000, LENGTH = DEFINED(__htvm_l2_bytes) ? __htvm_l2_bytes : 0xC00000
  sim_l1 (rw) : ORIGIN = 0x81000000, LENGTH = @POOL@
}

/* What picolibc's crt0 and libc expect of the memory map. */
__flash = ORIGIN(flash);
__flash_size = LENGTH(flash);
__ram = ORIGIN(l2);
__ram_size = LENGTH(l2);
__htvm_l2_private = DEFINED(__htvm_l2_private_bytes) ? __htvm_l2_private_bytes : 0;
__htvm_stack_size = DEFINED(__htvm_stack_bytes) ? __htvm_stack_bytes : 8192;

SECTIONS
{
  .text : {
    KEEP(*(.text.init.enter))          /* crt0's _start first: QEMU jumps to 0x80000000 */
    KEEP(*(.init .init.*))
    *(.text.unlikely .text.unlikely.*)
    *(.text.startup .text.startup.*)
    *(.text .text.*)
    KEEP(*(.fini .fini.*))
  } >flash

  .rodata : {
    *(.rodata .rodata.* .srodata .srodata.*)
    . = ALIGN(8);
    PROVIDE_HIDDEN(__preinit_array_start = .);
    KEEP(*(.preinit_array))
    PROVIDE_HIDDEN(__preinit_array_end = .);
    PROVIDE_HIDDEN(__init_array_start = .);
    KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*)))
    KEEP(*(.init_array))
    PROVIDE_HIDDEN(__init_array_end = .);
    PROVIDE_HIDDEN(__fini_array_start = .);
    KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*)))
    KEEP(*(.fini_array))
    PROVIDE_HIDDEN(__fini_array_end = .);
  } >flash

  /* Listed before .bss so that this rule, not the generic one, takes the pool. */
  .sim_l1 (NOLOAD) : ALIGN(16) {
    *sim_state.o(.bss.pool)
  } >sim_l1

  /* Lowest in L2, so an overflow runs off the bottom of L2 instead of into .data/.bss; the demo
   * paints it at startup and reports the high-water mark. */
  .stack (NOLOAD) : ALIGN(16) {
    __htvm_stack_bottom = .;
    . += __htvm_stack_size;
    . = ALIGN(16);
    __stack = .;
  } >l2

  /* crt0 copies __data_size bytes from __data_source to __data_start: .data and .tdata must have
   * the same layout in flash and in L2 (ALIGN_WITH_INPUT, checked below). */
  .data : ALIGN_WITH_INPUT {
    *(.data .data.*)
    . = ALIGN(8);
    PROVIDE(__global_pointer$ = . + 0x800);
    *(.sdata .sdata.* .sdata2 .sdata2.*)
    . = ALIGN(8);
  } >l2 AT>flash
  .tdata : ALIGN_WITH_INPUT {
    *(.tdata .tdata.*)
    . = ALIGN(8);
  } >l2 AT>flash
  __data_start = ADDR(.data);
  __data_source = LOADADDR(.data);
  __data_end = ADDR(.tdata) + SIZEOF(.tdata);
  __data_size = __data_end - __data_start;
  __data_source_size = LOADADDR(.tdata) + SIZEOF(.tdata) - __data_source;
  __tls_base = ADDR(.tdata);
  __tdata_source = LOADADDR(.tdata);
  __tdata_size = SIZEOF(.tdata);

  /* Thread-local zero data (picolibc's errno): ld does not advance over .tbss, so .tbss_space
   * reserves its bytes. crt0 zeroes from here to __bss_end. */
  .tbss (NOLOAD) : ALIGN(8) {
    *(.tbss .tbss.* .tcommon)
  } >l2
  .tbss_space ADDR(.tbss) (NOLOAD) : {
    . += SIZEOF(.tbss);
  } >l2
  __bss_start = ADDR(.tbss);
  PROVIDE(__tbss_size = SIZEOF(.tbss));
  PROVIDE(__tls_size = __data_end - __tls_base + SIZEOF(.tbss));
  PROVIDE(__tls_align = MAX(ALIGNOF(.tdata), ALIGNOF(.tbss)));

  .bss (NOLOAD) : ALIGN(8) {
    *(.sbss .sbss.*)
    EXCLUDE_FILE(*network.o) *(.bss .bss.*)
    *(COMMON)
  } >l2

  /* The activation arena: accelerators reach only L2 past the host-private part. */
  .l2_shared MAX(ALIGN(16), ORIGIN(l2) + __htvm_l2_private) (NOLOAD) : {
    *network.o(.bss .bss.*)
    . = ALIGN(8);
  } >l2
  __bss_end = .;
  __bss_size = __bss_end - __bss_start;
  end = __bss_end;
  _end = __bss_end;
  __end = __bss_end;

  /* No heap: malloc has zero bytes to hand out. */
  __heap_start = __bss_end;
  __heap_end = __bss_end;

  /DISCARD/ : {
    *(.note .note.*)
    *(.eh_frame .eh_frame.*)
  }
}

ASSERT(__data_size == __data_source_size, "htvm: .data/.tdata differ in layout between flash and l2")
ASSERT(__heap_end == __heap_start, "htvm: the heap must be empty")
ASSERT(LENGTH(l2) <= ORIGIN(sim_l1) - ORIGIN(l2), "htvm: l2 larger than the 12 MiB RAM window of this map")
ASSERT(__htvm_l2_private <= LENGTH(l2), "htvm: l2 host-private part larger than l2")
ASSERT(__bss_end <= ORIGIN(l2) + LENGTH(l2), "htvm: stack, static data and the activation arena do not fit in region l2 (the platform's L2)")
)LD";
  const std::string key = "@POOL@";
  size_t at = s.find(key);
  HTVM_CHECK(at != std::string::npos) << "linker script template lacks " << key;
  s.replace(at, key.size(), fmt::format("{:#x}", simPoolBytes(ctx)));
  return s;
}

}  // namespace htvm
