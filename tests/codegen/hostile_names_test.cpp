// Names from a model file reach comments and banners of the generated project. They need be
// neither ASCII nor valid UTF-8: a right-to-left override (U+202E) in a node name made gcc fail
// with -Werror=bidi-chars after `compile` had succeeded. The project must build, run, and hold
// only ASCII in its sources (report.json's handling of such names: tests/driver/report_json_test).
#include <gtest/gtest.h>


#include "codegen_test_util.h"

namespace htvm {
namespace {

using namespace htvm::testing;

const std::string kRtl = "rtl\xe2\x80\xae" "evil";  // U+202E RIGHT-TO-LEFT OVERRIDE, as UTF-8
const std::string kBroken = "bad\xff\xfe" "name";   // not UTF-8 at all

// x -> cast i8 ("rtl...") -> cast f32 ("bad..."): y = x for the small integers used here.
Graph hostileGraph() {
  GraphBuilder b;
  TensorId x = b.input("in\xc3\xa9", {DType::F32, {1, 4}});  // a well-formed non-ASCII name too
  TensorId q = b.node(kRtl, OpKind::Cast, {x}, DType::I8);
  return b.output(b.node(kBroken, OpKind::Cast, {q}, DType::F32));
}

TEST(HostileNames, ProjectBuildsRunsAndItsSourcesAreAscii) {
  TempDir dir("names");
  EXPECT_EQ(compileAndRun(hostileGraph(), dir.path(), {1, -2, 3, 127}),
            (std::vector<float>{1, -2, 3, 127}));
  for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
    const std::string ext = e.path().extension().string();
    if (!e.is_regular_file() || (ext != ".c" && ext != ".h" && e.path().filename() != "Makefile"))
      continue;
    std::string text = readText(e.path());
    for (size_t i = 0; i < text.size(); ++i)
      ASSERT_LT(static_cast<unsigned char>(text[i]), 0x80)
          << e.path() << " byte " << i << ": " << text.substr(i > 40 ? i - 40 : 0, 80);
  }
  // The override shows as its three UTF-8 bytes, escaped, where the node is described.
  std::string layers = readText(dir.path() / "src/cpu_layers.c");
  EXPECT_NE(layers.find("rtl\\xe2\\x80\\xaeevil"), std::string::npos) << layers;
}

}  // namespace
}  // namespace htvm
