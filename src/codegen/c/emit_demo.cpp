// demo/main.c: a host (or semihosted) driver around htvm_model_run(). It reads N samples of raw
// little-endian float32 from IN.bin, runs the model on each and writes the N outputs to OUT.bin.
// Built with -DHTVM_TRACE it also implements htvm_trace_tensor(), appending one record per layer
// and sample to TRACE.bin: int32 node index, uint32 byte count, then the layer output's raw bytes.
// The file is the same for every model (sizes come from htvm_model.h), apart from its banner.
#include "codegen/c/c_writer.h"
#include "codegen/c/emit_context.h"

namespace htvm {

std::string emitDemo(const EmitContext& ctx) {
  CWriter w;
  w.comment(ctx.banner("main.c"));
  w.comment(
      "usage: htvm_demo IN.bin OUT.bin [TRACE.bin]\n"
      "IN.bin holds N samples of HTVM_INPUT_ELEMS little-endian float32 values back to back;\n"
      "OUT.bin receives N outputs of HTVM_OUTPUT_ELEMS float32. Exit 0 on success, 2 on bad\n"
      "arguments or input, 1 on a write or model failure. Assumes a little-endian target.");
  w.directive("#include <stdint.h>");
  w.directive("#include <stdio.h>");
  w.blank();
  w.directive("#include \"htvm_model.h\"");
  w.blank();
  w.line("static float htvm_in[HTVM_INPUT_ELEMS];");
  w.line("static float htvm_out[HTVM_OUTPUT_ELEMS];");
  w.blank();
  w.directive("#ifdef HTVM_TRACE");
  w.line("static FILE* htvm_trace_file;");
  w.line("static int htvm_trace_failed;");
  w.blank();
  {
    auto fn = w.block(
        "void htvm_trace_tensor(int node_index, const char* node_name, const void* data, unsigned "
        "bytes)");
    w.line("const int32_t index = (int32_t)node_index;");
    w.line("const uint32_t size = (uint32_t)bytes;");
    w.line("(void)node_name;");
    w.line("if (htvm_trace_file == NULL) return;");
    w.line("if (fwrite(&index, sizeof index, 1, htvm_trace_file) != 1 ||");
    w.line("    fwrite(&size, sizeof size, 1, htvm_trace_file) != 1 ||");
    w.line("    (bytes > 0u && fwrite(data, 1, bytes, htvm_trace_file) != bytes))");
    w.line("  htvm_trace_failed = 1;");
  }
  w.directive("#endif");
  w.blank();
  {
    auto fn = w.block("int main(int argc, char** argv)");
    w.line("FILE* in;");
    w.line("FILE* out;");
    w.line("long in_bytes;");
    w.line("unsigned long samples;");
    w.line("unsigned long s;");
    w.line("const unsigned long sample_bytes = (unsigned long)HTVM_INPUT_ELEMS * 4ul;");
    {
      auto b = w.block("if (argc < 3 || argc > 4)");
      w.line("fprintf(stderr, \"usage: htvm_demo IN.bin OUT.bin [TRACE.bin]\\n\");");
      w.line("return 2;");
    }
    w.directive("#ifndef HTVM_TRACE");
    {
      auto b = w.block("if (argc == 4)");
      w.line("fprintf(stderr, \"htvm_demo: TRACE.bin needs the trace build (make trace)\\n\");");
      w.line("return 2;");
    }
    w.directive("#endif");
    w.line("in = fopen(argv[1], \"rb\");");
    {
      auto b = w.block("if (in == NULL)");
      w.line("fprintf(stderr, \"htvm_demo: cannot open %s\\n\", argv[1]);");
      w.line("return 2;");
    }
    {
      auto b = w.block(
          "if (fseek(in, 0, SEEK_END) != 0 || (in_bytes = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) "
          "!= 0)");
      w.line("fprintf(stderr, \"htvm_demo: cannot size %s\\n\", argv[1]);");
      w.line("fclose(in);");
      w.line("return 2;");
    }
    {
      auto b = w.block("if ((unsigned long)in_bytes % sample_bytes != 0ul)");
      w.line(
          "fprintf(stderr, \"htvm_demo: %s has %ld bytes, not a multiple of %lu (one sample)\\n\", "
          "argv[1],");
      w.line("        in_bytes, sample_bytes);");
      w.line("fclose(in);");
      w.line("return 2;");
    }
    w.line("samples = (unsigned long)in_bytes / sample_bytes;");
    w.line("out = fopen(argv[2], \"wb\");");
    {
      auto b = w.block("if (out == NULL)");
      w.line("fprintf(stderr, \"htvm_demo: cannot create %s\\n\", argv[2]);");
      w.line("fclose(in);");
      w.line("return 1;");
    }
    w.directive("#ifdef HTVM_TRACE");
    {
      auto b = w.block("if (argc == 4)");
      w.line("htvm_trace_file = fopen(argv[3], \"wb\");");
      {
        auto b2 = w.block("if (htvm_trace_file == NULL)");
        w.line("fprintf(stderr, \"htvm_demo: cannot create %s\\n\", argv[3]);");
        w.line("fclose(in);");
        w.line("fclose(out);");
        w.line("return 1;");
      }
    }
    w.directive("#endif");
    {
      auto loop = w.block("for (s = 0; s < samples; ++s)");
      {
        auto b = w.block("if (fread(htvm_in, sizeof htvm_in, 1, in) != 1)");
        w.line("fprintf(stderr, \"htvm_demo: short read in sample %lu\\n\", s);");
        w.line("return 2;");
      }
      {
        auto b = w.block("if (htvm_model_run(htvm_in, htvm_out) != 0)");
        w.line("fprintf(stderr, \"htvm_demo: model failed on sample %lu\\n\", s);");
        w.line("return 1;");
      }
      {
        auto b = w.block("if (fwrite(htvm_out, sizeof htvm_out, 1, out) != 1)");
        w.line("fprintf(stderr, \"htvm_demo: cannot write %s\\n\", argv[2]);");
        w.line("return 1;");
      }
    }
    w.line("fclose(in);");
    {
      auto b = w.block("if (fclose(out) != 0)");
      w.line("fprintf(stderr, \"htvm_demo: cannot write %s\\n\", argv[2]);");
      w.line("return 1;");
    }
    w.directive("#ifdef HTVM_TRACE");
    {
      auto b = w.block(
          "if (htvm_trace_file != NULL && (fclose(htvm_trace_file) != 0 || htvm_trace_failed))");
      w.line("fprintf(stderr, \"htvm_demo: cannot write %s\\n\", argv[3]);");
      w.line("return 1;");
    }
    w.directive("#endif");
    w.line("printf(\"htvm_demo: %lu samples\\n\", samples);");
    w.line("return 0;");
  }
  return w.str();
}

}  // namespace htvm
