// demo/main.c and include/htvm_profile.h.
//
// demo/main.c drives htvm_model_run(): it reads N samples of raw little-endian float32, runs the
// model on each and writes the N outputs. On the host the files come from argv (IN.bin OUT.bin
// [TRACE.bin]); built for rv32 (-DHTVM_TARGET_RV32, semihosting under QEMU, which passes no
// argv) they are the fixed names htvm_in.bin, htvm_out.bin, htvm_trace.bin in QEMU's working
// directory, read and written with picolibc's semihosting open/read/write (its stdio FILEs would
// allocate buffers with malloc).
// Built with -DHTVM_TRACE it implements htvm_trace_tensor(), one record per layer and sample:
// int32 node index, uint32 byte count, then the layer output's raw bytes.
// Built with -DHTVM_PROFILE=1 (global) or 2 (individual) it measures the first sample, after one
// warm-up run so one-time setup is excluded: rdcycle/rdinstret on rv32, CLOCK_MONOTONIC
// nanoseconds on the host, plus the simulator's modeled accelerator cycles (htvm_perf_read), and
// prints `htvm_profile:` lines that the driver parses (src/driver/profile.cpp). Per layer it uses
// HTVM_PROFILE_BEGIN/END when network.c brackets its layers with them; otherwise the trace hook
// after each layer marks the boundary (the Makefile adds -DHTVM_TRACE to individual builds).
// -DHTVM_INDEFINITE=1 keeps running the last sample forever (power measurement).
// On rv32 main also paints the stack region at startup and reports its high-water mark.
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"

namespace htvm {
namespace {

void lines(CWriter& w, std::initializer_list<const char*> ls) {
  for (const char* l : ls) w.line(l);
}

// Per-target file access: stdio on the host, semihosting file descriptors on rv32.
void emitFileIo(CWriter& w) {
  w.directive("#if HTVM_TARGET_RV32");
  w.comment(
      "Semihosting passes no arguments: fixed names, relative to the directory QEMU runs in.\n"
      "picolibc's semihosting open/read/write need no FILE buffers (those come from malloc).");
  w.directive("#define HTVM_IN_FILE \"htvm_in.bin\"");
  w.directive("#define HTVM_OUT_FILE \"htvm_out.bin\"");
  w.directive("#define HTVM_TRACE_FILE \"htvm_trace.bin\"");
  w.line("typedef int htvm_file;");
  w.directive("#define HTVM_NO_FILE (-1)");
  {
    auto f = w.block("static htvm_file htvm_open(const char* path, int for_write)");
    w.line(
        "return for_write ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : open(path, "
        "O_RDONLY);");
  }
  {
    auto f = w.block("static long htvm_size(htvm_file f)");
    w.line("const off_t n = lseek(f, 0, SEEK_END);");
    w.line("return n < 0 || lseek(f, 0, SEEK_SET) != 0 ? -1l : (long)n;");
  }
  {
    auto f = w.block("static unsigned long htvm_read(htvm_file f, void* p, unsigned long n)");
    w.line("unsigned long done = 0;");
    {
      auto b = w.block("while (done < n)");
      w.line("const ssize_t r = read(f, (char*)p + done, n - done);");
      w.line("if (r <= 0) break;");
      w.line("done += (unsigned long)r;");
    }
    w.line("return done;");
  }
  {
    auto f = w.block("static int htvm_write(htvm_file f, const void* p, unsigned long n)");
    w.line("unsigned long done = 0;");
    {
      auto b = w.block("while (done < n)");
      w.line("const ssize_t r = write(f, (const char*)p + done, n - done);");
      w.line("if (r <= 0) return -1;");
      w.line("done += (unsigned long)r;");
    }
    w.line("return 0;");
  }
  w.line("static int htvm_close(htvm_file f) { return close(f); }");
  w.directive("#else");
  w.line("typedef FILE* htvm_file;");
  w.directive("#define HTVM_NO_FILE NULL");
  w.line(
      "static htvm_file htvm_open(const char* path, int for_write) { return fopen(path, "
      "for_write ? \"wb\" : \"rb\"); }");
  {
    auto f = w.block("static long htvm_size(htvm_file f)");
    w.line("long n;");
    w.line(
        "if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) "
        "return -1l;");
    w.line("return n;");
  }
  w.line(
      "static unsigned long htvm_read(htvm_file f, void* p, unsigned long n) { return (unsigned "
      "long)fread(p, 1, n, f); }");
  w.line(
      "static int htvm_write(htvm_file f, const void* p, unsigned long n) { return fwrite(p, 1, "
      "n, f) == n ? 0 : -1; }");
  w.line("static int htvm_close(htvm_file f) { return fclose(f); }");
  w.directive("#endif");
  w.blank();
}

void emitStackPaint(CWriter& w) {
  w.directive("#if HTVM_TARGET_RV32");
  w.comment(
      "Stack high-water mark. htvm_rv32.ld reserves [__htvm_stack_bottom, __stack); main paints\n"
      "the part below its own frame at startup and, after the run, counts from the bottom the\n"
      "words still painted. The peak includes crt0's and main's frames.");
  w.line("extern uint8_t __htvm_stack_bottom[];");
  w.line("extern uint8_t __stack[];");
  w.directive("#define HTVM_STACK_PAINT 0xA5C3F00Du");
  {
    auto f = w.block("static void htvm_stack_paint(void)");
    w.line("uintptr_t sp;");
    w.line("volatile uint32_t* p = (volatile uint32_t*)(uintptr_t)__htvm_stack_bottom;");
    w.line("__asm__ volatile(\"mv %0, sp\" : \"=r\"(sp));");
    w.line("while ((uintptr_t)p + 64u < sp) *p++ = HTVM_STACK_PAINT; /* 64 bytes clear of sp */");
  }
  {
    auto f = w.block("static unsigned long htvm_stack_size(void)");
    w.line("return (unsigned long)((uintptr_t)__stack - (uintptr_t)__htvm_stack_bottom);");
  }
  {
    auto f = w.block("static unsigned long htvm_stack_peak(void)");
    w.line(
        "const volatile uint32_t* p = (const volatile uint32_t*)(uintptr_t)__htvm_stack_bottom;");
    w.line("const uintptr_t top = (uintptr_t)__stack;");
    w.line("while ((uintptr_t)p < top && *p == HTVM_STACK_PAINT) ++p;");
    w.line("return (unsigned long)(top - (uintptr_t)p);");
  }
  w.directive("#endif");
  w.blank();
}

void emitProfiler(CWriter& w, const EmitContext& ctx) {
  w.directive("#if HTVM_PROFILE");
  w.line("typedef struct { uint64_t cycles, instret, accel; } htvm_counts;");
  w.blank();
  w.directive("#if defined(__riscv) && __riscv_xlen == 32");
  w.directive("#define HTVM_COUNTER_UNIT \"cycles\"");
  w.comment(
      "csrr from cycle (0xc00), cycleh (0xc80), instret (0xc02), instreth (0xc82), spelled with\n"
      ".insn (the immediate is the CSR number as a signed 12-bit value): gcc >= 12 accepts the\n"
      "csrr mnemonic only with Zicsr in -march, and the Makefile asks for plain rv32imac.");
  w.directive(
      "#define HTVM_CSR(imm, v) __asm__ volatile(\".insn i 0x73, 2, %0, x0, \" #imm : \"=r\"(v))");
  {
    auto f = w.block("static void htvm_counts_cpu(htvm_counts* c)");
    w.line("uint32_t hi, lo, hi2;");
    {
      auto b = w.block("do", "} while (hi != hi2);");
      lines(w, {"HTVM_CSR(-896, hi);", "HTVM_CSR(-1024, lo);", "HTVM_CSR(-896, hi2);"});
    }
    w.line("c->cycles = ((uint64_t)hi << 32) | lo;");
    {
      auto b = w.block("do", "} while (hi != hi2);");
      lines(w, {"HTVM_CSR(-894, hi);", "HTVM_CSR(-1022, lo);", "HTVM_CSR(-894, hi2);"});
    }
    w.line("c->instret = ((uint64_t)hi << 32) | lo;");
  }
  w.directive("#else");
  w.comment("Host fallback: no cycle counter, CLOCK_MONOTONIC nanoseconds; no instruction count.");
  w.directive("#define HTVM_COUNTER_UNIT \"ns\"");
  {
    auto f = w.block("static void htvm_counts_cpu(htvm_counts* c)");
    w.line("struct timespec ts;");
    w.line("clock_gettime(CLOCK_MONOTONIC, &ts);");
    w.line("c->cycles = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;");
    w.line("c->instret = 0;");
  }
  w.directive("#endif");
  w.blank();
  if (ctx.hasAccel) {
    w.comment(
        "Modeled cycles of all accelerators so far: the span of each accelerator's timeline,\n"
        "where DMA overlaps jobs (the serial counters would count hidden copies too); on rv32\n"
        "the simulator's own instructions are not the accelerator's time.");
    auto f = w.block("static uint64_t htvm_accel_cycles(void)");
    w.line("uint64_t sum = 0;");
    w.line("htvm_perf_t p;");
    w.line("uint32_t a;");
    {
      auto b = w.block("for (a = 0; a < htvm_num_accels; ++a)");
      w.line("htvm_perf_read(a, &p);");
      w.line("sum += p.elapsed_cycles;");
    }
    w.line("return sum;");
  } else {
    w.line("static uint64_t htvm_accel_cycles(void) { return 0; }");
  }
  w.blank();
  {
    auto f = w.block("static void htvm_counts_now(htvm_counts* c)");
    w.line("htvm_counts_cpu(c);");
    w.line("c->accel = htvm_accel_cycles();");
  }
  {
    auto f = w.block(
        "static void htvm_counts_add(htvm_counts* acc, const htvm_counts* from, const "
        "htvm_counts* to)");
    w.line("acc->cycles += to->cycles - from->cycles;");
    w.line("acc->instret += to->instret - from->instret;");
    w.line("acc->accel += to->accel - from->accel;");
  }
  w.line("static int htvm_prof_recording; /* 1 while the profiled run executes */");
  w.line("static int htvm_prof_warm_up;   /* 1 during the warm-up run (no trace records) */");
  w.line("static htvm_counts htvm_prof_total;");
  w.blank();
  w.directive("#if HTVM_PROFILE == 2");
  w.line("static htvm_counts htvm_prof_layer[HTVM_NUM_LAYERS];");
  w.line("static htvm_counts htvm_prof_begin_at;");
  w.line("static htvm_counts htvm_prof_mark_at;");
  w.line(
      "static int htvm_prof_hooks; /* network.c brackets its layers with HTVM_PROFILE_BEGIN/END "
      "*/");
  {
    auto f = w.block("void htvm_profile_begin(int layer)");
    w.line("(void)layer;");
    w.line("if (!htvm_prof_recording) return;");
    w.line("htvm_prof_hooks = 1;");
    w.line("htvm_counts_now(&htvm_prof_begin_at);");
  }
  {
    auto f = w.block("void htvm_profile_end(int layer)");
    w.line("htvm_counts now;");
    w.line("if (!htvm_prof_recording || layer < 0 || layer >= HTVM_NUM_LAYERS) return;");
    w.line("htvm_counts_now(&now);");
    w.line("htvm_counts_add(&htvm_prof_layer[layer], &htvm_prof_begin_at, &now);");
  }
  w.directive("#ifdef HTVM_TRACE");
  w.comment(
      "Without the network.c hooks, the trace hook after each layer marks the boundary: layer i\n"
      "is charged everything since the previous boundary.");
  {
    auto f = w.block("static void htvm_profile_mark(int layer)");
    w.line("htvm_counts now;");
    w.line(
        "if (!htvm_prof_recording || htvm_prof_hooks || layer < 0 || layer >= HTVM_NUM_LAYERS) "
        "return;");
    w.line("htvm_counts_now(&now);");
    w.line("htvm_counts_add(&htvm_prof_layer[layer], &htvm_prof_mark_at, &now);");
    w.line("htvm_prof_mark_at = now;");
  }
  w.directive("#endif");
  w.directive("#endif");
  w.blank();
  {
    auto f = w.block("static int htvm_profile_run(void)");
    w.line("htvm_counts start, end;");
    w.line("int rc;");
    w.line("htvm_prof_recording = 1;");
    w.line("htvm_counts_now(&start);");
    w.directive("#if HTVM_PROFILE == 2");
    w.line("htvm_prof_mark_at = start;");
    w.directive("#endif");
    w.line("rc = htvm_model_run(htvm_in, htvm_out);");
    w.line("htvm_counts_now(&end);");
    w.line("htvm_prof_recording = 0;");
    w.line("htvm_counts_add(&htvm_prof_total, &start, &end);");
    w.line("return rc;");
  }
  {
    auto f = w.block("static void htvm_profile_print(void)");
    w.line(
        "printf(\"htvm_profile: mode %s, unit %s\\n\", HTVM_PROFILE == 2 ? \"individual\" : "
        "\"global\",");
    w.line("       HTVM_COUNTER_UNIT);");
    w.directive("#if HTVM_PROFILE == 2");
    {
      auto b = w.block("for (int i = 0; i < HTVM_NUM_LAYERS; ++i)");
      w.line("printf(\"htvm_profile: layer %d cycles %llu instret %llu accel_cycles %llu\\n\", i,");
      w.line(
          "       (unsigned long long)htvm_prof_layer[i].cycles, (unsigned long "
          "long)htvm_prof_layer[i].instret,");
      w.line("       (unsigned long long)htvm_prof_layer[i].accel);");
    }
    w.directive("#endif");
    w.line("printf(\"htvm_profile: total cycles %llu instret %llu accel_cycles %llu\\n\",");
    w.line(
        "       (unsigned long long)htvm_prof_total.cycles, (unsigned long "
        "long)htvm_prof_total.instret,");
    w.line("       (unsigned long long)htvm_prof_total.accel);");
  }
  w.directive("#endif");
  w.blank();
}

void emitTraceHook(CWriter& w) {
  w.directive("#ifdef HTVM_TRACE");
  w.directive("#if HTVM_TRACE_RECORDS");
  w.line("static htvm_file htvm_trace_file = HTVM_NO_FILE;");
  w.line("static int htvm_trace_failed;");
  w.directive("#endif");
  w.blank();
  auto fn = w.block(
      "void htvm_trace_tensor(int node_index, const char* node_name, const void* data, unsigned "
      "bytes)");
  w.line("(void)node_name;");
  w.directive("#if HTVM_PROFILE == 2");
  w.line("htvm_profile_mark(node_index);");
  w.directive("#endif");
  w.directive("#if HTVM_TRACE_RECORDS");
  w.line("const int32_t index = (int32_t)node_index;");
  w.line("const uint32_t size = (uint32_t)bytes;");
  w.directive("#if HTVM_PROFILE");
  w.line("if (htvm_prof_warm_up) return;");
  w.directive("#endif");
  w.line("if (htvm_trace_file == HTVM_NO_FILE) return;");
  w.line("if (htvm_write(htvm_trace_file, &index, sizeof index) != 0 ||");
  w.line("    htvm_write(htvm_trace_file, &size, sizeof size) != 0 ||");
  w.line("    (bytes > 0u && htvm_write(htvm_trace_file, data, bytes) != 0))");
  w.line("  htvm_trace_failed = 1;");
  w.directive("#else");
  w.line("(void)node_index;");
  w.line("(void)data;");
  w.line("(void)bytes;");
  w.directive("#endif");
}

void emitMain(CWriter& w) {
  auto fn = w.block("int main(int argc, char** argv)");
  lines(w, {"const char* in_path;", "const char* out_path;"});
  w.directive("#if HTVM_TRACE_RECORDS");
  w.line("const char* trace_path = NULL;");
  w.directive("#endif");
  lines(w, {"htvm_file in;", "htvm_file out;", "long in_bytes;", "unsigned long samples;",
            "unsigned long s;",
            "const unsigned long sample_bytes = (unsigned long)HTVM_INPUT_ELEMS * 4ul;"});
  w.directive("#if HTVM_TARGET_RV32");
  lines(w, {"(void)argc;", "(void)argv;", "htvm_stack_paint();", "in_path = HTVM_IN_FILE;",
            "out_path = HTVM_OUT_FILE;"});
  w.directive("#if HTVM_TRACE_RECORDS");
  w.line("trace_path = HTVM_TRACE_FILE;");
  w.directive("#endif");
  w.directive("#else");
  {
    auto b = w.block("if (argc < 3 || argc > 4)");
    w.line("fprintf(stderr, \"usage: htvm_demo IN.bin OUT.bin [TRACE.bin]\\n\");");
    w.line("return 2;");
  }
  lines(w, {"in_path = argv[1];", "out_path = argv[2];"});
  {
    auto b = w.block("if (argc == 4)");
    w.directive("#if HTVM_TRACE_RECORDS");
    w.line("trace_path = argv[3];");
    w.directive("#else");
    w.line("fprintf(stderr, \"htvm_demo: TRACE.bin needs the trace build (make trace)\\n\");");
    w.line("return 2;");
    w.directive("#endif");
  }
  w.directive("#endif");
  w.line("in = htvm_open(in_path, 0);");
  {
    auto b = w.block("if (in == HTVM_NO_FILE)");
    w.line("fprintf(stderr, \"htvm_demo: cannot open %s\\n\", in_path);");
    w.line("return 2;");
  }
  {
    auto b = w.block("if ((in_bytes = htvm_size(in)) < 0)");
    w.line("fprintf(stderr, \"htvm_demo: cannot size %s\\n\", in_path);");
    w.line("htvm_close(in);");
    w.line("return 2;");
  }
  {
    auto b = w.block("if ((unsigned long)in_bytes % sample_bytes != 0ul)");
    w.line(
        "fprintf(stderr, \"htvm_demo: %s has %ld bytes, not a multiple of %lu (one "
        "sample)\\n\", in_path,");
    w.line("        in_bytes, sample_bytes);");
    w.line("htvm_close(in);");
    w.line("return 2;");
  }
  w.line("samples = (unsigned long)in_bytes / sample_bytes;");
  w.directive("#if HTVM_INDEFINITE");
  {
    auto b = w.block("if (samples == 0ul)");
    w.line(
        "fprintf(stderr, \"htvm_demo: running indefinitely needs one sample in %s\\n\", in_path);");
    w.line("htvm_close(in);");
    w.line("return 2;");
  }
  w.directive("#endif");
  w.line("out = htvm_open(out_path, 1);");
  {
    auto b = w.block("if (out == HTVM_NO_FILE)");
    w.line("fprintf(stderr, \"htvm_demo: cannot create %s\\n\", out_path);");
    w.line("htvm_close(in);");
    w.line("return 1;");
  }
  w.directive("#if HTVM_TRACE_RECORDS");
  {
    auto b = w.block(
        "if (trace_path != NULL && (htvm_trace_file = htvm_open(trace_path, 1)) == HTVM_NO_FILE)");
    w.line("fprintf(stderr, \"htvm_demo: cannot create %s\\n\", trace_path);");
    w.line("htvm_close(in);");
    w.line("htvm_close(out);");
    w.line("return 1;");
  }
  w.directive("#endif");
  {
    auto loop = w.block("for (s = 0; s < samples; ++s)");
    w.line("int rc;");
    {
      auto b = w.block("if (htvm_read(in, htvm_in, sizeof htvm_in) != sizeof htvm_in)");
      w.line("fprintf(stderr, \"htvm_demo: short read in sample %lu\\n\", s);");
      w.line("return 2;");
    }
    w.directive("#if HTVM_PROFILE");
    w.comment(
        "Sample 0 is profiled, after a warm-up run that takes one-time setup (HAL init) and\n"
        "writes no trace records.");
    w.line("htvm_prof_warm_up = s == 0ul;");
    w.line("rc = htvm_model_run(htvm_in, htvm_out);");
    w.line("htvm_prof_warm_up = 0;");
    w.line("if (rc == 0 && s == 0ul) rc = htvm_profile_run();");
    w.directive("#else");
    w.line("rc = htvm_model_run(htvm_in, htvm_out);");
    w.directive("#endif");
    {
      auto b = w.block("if (rc != 0)");
      w.line("fprintf(stderr, \"htvm_demo: model failed on sample %lu\\n\", s);");
      w.line("return 1;");
    }
    {
      auto b = w.block("if (htvm_write(out, htvm_out, sizeof htvm_out) != 0)");
      w.line("fprintf(stderr, \"htvm_demo: cannot write %s\\n\", out_path);");
      w.line("return 1;");
    }
  }
  w.line("htvm_close(in);");
  {
    auto b = w.block("if (htvm_close(out) != 0)");
    w.line("fprintf(stderr, \"htvm_demo: cannot write %s\\n\", out_path);");
    w.line("return 1;");
  }
  w.directive("#if HTVM_TRACE_RECORDS");
  {
    auto b = w.block(
        "if (htvm_trace_file != HTVM_NO_FILE && (htvm_close(htvm_trace_file) != 0 || "
        "htvm_trace_failed))");
    w.line("fprintf(stderr, \"htvm_demo: cannot write %s\\n\", trace_path);");
    w.line("return 1;");
  }
  w.directive("#endif");
  w.directive("#if HTVM_PROFILE");
  w.line("if (samples > 0ul) htvm_profile_print();");
  w.directive("#endif");
  w.directive("#if HTVM_TARGET_RV32");
  w.line("const unsigned long stack_peak = htvm_stack_peak(), stack_size = htvm_stack_size();");
  w.line("printf(\"htvm_demo: stack peak %lu of %lu bytes\\n\", stack_peak, stack_size);");
  {
    auto b = w.block("if (stack_peak >= stack_size)");
    w.line(
        "fprintf(stderr, \"htvm_demo: stack overflow (%lu bytes reserved): raise "
        "STACK_BYTES\\n\", stack_size);");
    w.line("return 1;");
  }
  w.directive("#endif");
  w.line("printf(\"htvm_demo: %lu samples\\n\", samples);");
  w.directive("#if HTVM_INDEFINITE");
  w.comment("Power measurement: the last sample again and again, until the process is stopped.");
  {
    auto loop = w.block("for (s = 1;; ++s)");
    {
      auto b = w.block("if (htvm_model_run(htvm_in, htvm_out) != 0)");
      w.line("fprintf(stderr, \"htvm_demo: model failed in iteration %lu\\n\", s);");
      w.line("return 1;");
    }
    w.line("printf(\"htvm_demo: iteration %lu\\n\", s);");
  }
  w.directive("#else");
  w.line("return 0;");
  w.directive("#endif");
}

}  // namespace

std::string emitProfileHeader(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("htvm_profile.h"));
  w.comment(
      "Profiling hooks. HTVM_PROFILE (make PROFILE=...): 0 off, 1 global (demo/main.c times the\n"
      "whole htvm_model_run), 2 individual (every layer). network.c brackets layer i with\n"
      "HTVM_PROFILE_BEGIN(i) / HTVM_PROFILE_END(i); demo/main.c implements them (rdcycle and\n"
      "rdinstret on rv32, CLOCK_MONOTONIC nanoseconds on the host). Off, they compile to nothing.");
  w.directive("#ifndef HTVM_PROFILE_H");
  w.directive("#define HTVM_PROFILE_H");
  w.blank();
  w.directive("#ifndef HTVM_PROFILE");
  w.directive("#define HTVM_PROFILE 0");
  w.directive("#endif");
  w.blank();
  w.directive("#if HTVM_PROFILE == 2");
  w.directive("#ifdef __cplusplus");
  w.line("extern \"C\" {");
  w.directive("#endif");
  w.line("void htvm_profile_begin(int layer);");
  w.line("void htvm_profile_end(int layer);");
  w.directive("#ifdef __cplusplus");
  w.line("}");
  w.directive("#endif");
  w.directive("#define HTVM_PROFILE_BEGIN(layer) htvm_profile_begin(layer)");
  w.directive("#define HTVM_PROFILE_END(layer) htvm_profile_end(layer)");
  w.directive("#else");
  w.directive("#define HTVM_PROFILE_BEGIN(layer) ((void)0)");
  w.directive("#define HTVM_PROFILE_END(layer) ((void)0)");
  w.directive("#endif");
  w.blank();
  w.directive("#endif /* HTVM_PROFILE_H */");
  return w.str();
}

std::string emitDemo(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("main.c"));
  w.comment(
      "host:  htvm_demo IN.bin OUT.bin [TRACE.bin]\n"
      "rv32:  (semihosting, no arguments) htvm_in.bin -> htvm_out.bin [htvm_trace.bin]\n"
      "IN holds N samples of HTVM_INPUT_ELEMS little-endian float32 values back to back; OUT\n"
      "receives N outputs of HTVM_OUTPUT_ELEMS float32. Exit 0 on success, 2 on bad arguments or\n"
      "input, 1 on a write or model failure. Assumes a little-endian target. Build options:\n"
      "HTVM_TRACE (per-layer outputs), HTVM_PROFILE 1|2 (global|individual counts of sample 0),\n"
      "HTVM_INDEFINITE (loop forever), HTVM_TARGET_RV32 (bare metal under QEMU semihosting).");
  w.directive("#define _POSIX_C_SOURCE 200809L /* clock_gettime, and POSIX I/O on rv32 */");
  w.directive("#ifndef HTVM_TARGET_RV32");
  w.directive("#define HTVM_TARGET_RV32 0");
  w.directive("#endif");
  w.directive("#ifndef HTVM_INDEFINITE");
  w.directive("#define HTVM_INDEFINITE 0");
  w.directive("#endif");
  w.blank();
  w.directive("#include <stdint.h>");
  w.directive("#include <stdio.h>");
  w.directive("#if HTVM_TARGET_RV32");
  w.directive("#include <fcntl.h>");
  w.directive("#include <unistd.h>");
  w.directive("#endif");
  w.directive("#include <time.h>");
  w.blank();
  w.directive("#include \"htvm_model.h\"");
  w.directive("#include \"htvm_profile.h\"");
  if (ctx.hasAccel) {
    w.directive("#if HTVM_PROFILE");
    w.directive("#include \"htvm_hal.h\"");
    w.directive("#endif");
  }
  w.blank();
  w.line("static float htvm_in[HTVM_INPUT_ELEMS];");
  w.line("static float htvm_out[HTVM_OUTPUT_ELEMS];");
  w.blank();
  emitFileIo(w);
  emitStackPaint(w);
  emitProfiler(w, ctx);
  emitTraceHook(w);
  w.directive("#endif");
  w.blank();
  emitMain(w);
  return w.str();
}

}  // namespace htvm
