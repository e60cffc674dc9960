// The .npy reader: the values of a well-formed file, and an error naming the file and the reason
// for every malformed one (the bytes are written here by hand from the format's definition, not
// by the writer under test).
#include "support/npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace htvm {
namespace {

using ::testing::HasSubstr;

// A version-1 .npy file: magic, version, 2-byte little-endian header length, the dict literal
// padded with spaces and a newline to a multiple of 64 bytes, then `payload`.
std::string npyBytes(const std::string& dict, const std::string& payload, char major = 1) {
  std::string header = dict;
  size_t lenBytes = major == 1 ? 2 : 4;
  while ((8 + lenBytes + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string s = std::string("\x93NUMPY", 6) + major + '\0';
  for (size_t i = 0; i < lenBytes; ++i) s += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return s + header + payload;
}

std::string floats(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  size_t i = 0;
  for (float f : v) std::memcpy(&s[4 * i++], &f, 4);
  return s;
}

struct NpyFile {
  std::filesystem::path path;
  explicit NpyFile(const std::string& bytes) {
    path = std::filesystem::temp_directory_path() /
           ("htvm_npy_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".npy");
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~NpyFile() { std::filesystem::remove(path); }
  std::string error() const {
    Result<NpyArray> r = loadNpy(path.string());
    if (r.ok()) return "(loaded)";
    EXPECT_THAT(r.diag().message, HasSubstr(path.string()));
    return r.diag().message;
  }
};

const std::string kF32x23 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

TEST(Npy, ReadsAWellFormedFloat32File) {
  NpyFile f(npyBytes(kF32x23, floats({1, 2, 3, 4, 5, -6.5f})));
  Result<NpyArray> r = loadNpy(f.path.string());
  ASSERT_TRUE(r.ok()) << r.diag().message;
  EXPECT_EQ(r->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r->data, (std::vector<float>{1, 2, 3, 4, 5, -6.5f}));
}

TEST(Npy, ReadsVersion2AndScalars) {
  NpyFile v2(npyBytes(kF32x23, floats({1, 2, 3, 4, 5, 6}), 2));
  EXPECT_EQ(v2.error(), "(loaded)");
  NpyFile scalar(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats({7})));
  EXPECT_EQ(scalar.error(), "(loaded)");
}

TEST(Npy, TruncatedDataIsAnErrorWithTheByteCounts) {
  NpyFile f(npyBytes(kF32x23, floats({1, 2, 3, 4, 5})));  // 5 of 6 floats
  EXPECT_THAT(f.error(), HasSubstr("needs 24 data bytes, but the file holds 20 (truncated)"));
}

TEST(Npy, TrailingBytesAreAnError) {
  NpyFile f(npyBytes(kF32x23, floats({1, 2, 3, 4, 5, 6}) + "xy"));
  EXPECT_THAT(f.error(), HasSubstr("needs 24 data bytes, but the file holds 26 (trailing bytes)"));
}

TEST(Npy, MalformedHeadersNameTheirFault) {
  NpyFile magic("PK\x03\x04 not an npy file at all");
  EXPECT_THAT(magic.error(), HasSubstr("not a .npy file"));
  NpyFile version(npyBytes(kF32x23, floats({1, 2, 3, 4, 5, 6}), 9));
  EXPECT_THAT(version.error(), HasSubstr("version 9 is not 1, 2 or 3"));
  std::string cut = npyBytes(kF32x23, "");
  NpyFile past(cut.substr(0, 30));  // the header length says 118 bytes
  EXPECT_THAT(past.error(), HasSubstr("runs past the end of the 30-byte file"));
  NpyFile ints(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", floats({1, 2, 3, 4, 5, 6})));
  EXPECT_THAT(ints.error(), HasSubstr("dtype '<i4' is not little-endian float32"));
  NpyFile noShape(npyBytes("{'descr': '<f4', 'fortran_order': False}", floats({1})));
  EXPECT_THAT(noShape.error(), HasSubstr("no shape tuple"));
  NpyFile negative(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }", floats({1})));
  EXPECT_THAT(negative.error(), HasSubstr("is not a tuple of non-negative integers"));
}

// A shape whose element count overflows 64 bits (or just asks for exabytes) is refused before
// anything is allocated.
TEST(Npy, HostileShapesAreRefusedWithoutAllocating) {
  NpyFile huge(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                        floats({1})));
  EXPECT_THAT(huge.error(), HasSubstr("is larger than"));
  NpyFile digits(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
                          floats({1})));
  EXPECT_THAT(digits.error(), HasSubstr("is larger than"));
}

// Found by fuzzing: a shape whose text goes on past its closing parenthesis. The check read the
// tuple up to the first ')' ("(2)", 8 bytes, matching the data) while xtensor's reader took
// everything up to the last one and allocated 2 x 99999999999 x 4 bytes (about 745 GiB here;
// tests/fuzz/corpus/npy/shape_past_tuple.npy asks for 96 GiB). The reader is one strict parser now: text after a value is an
// error, and no header can make it allocate more than the bytes it was given.
TEST(Npy, ShapeTextRunningPastItsTupleIsAnError) {
  NpyFile f(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2), 99999999999), }",
                     floats({1, 2})));
  EXPECT_THAT(f.error(), HasSubstr(".npy header expects a quoted key at byte 55"));
  NpyFile twice(npyBytes("{'descr': '<f4', 'shape': (2,), 'shape': (9,), }", floats({1, 2})));
  EXPECT_THAT(twice.error(), HasSubstr("unknown or repeated key 'shape'"));
  NpyFile after(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } (9,)",
                         floats({1, 2})));
  EXPECT_THAT(after.error(), HasSubstr("has text after its closing '}'"));
}

TEST(Npy, FortranOrderIsReadInRowMajorOrder) {
  // [[1, 2, 3], [4, 5, 6]] stored column by column.
  NpyFile f(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                     floats({1, 4, 2, 5, 3, 6})));
  Result<NpyArray> r = loadNpy(f.path.string());
  ASSERT_TRUE(r.ok()) << r.diag().message;
  EXPECT_EQ(r->data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, ParsesBytesInMemoryAndNamesThemInErrors) {
  Result<NpyArray> r = parseNpy(npyBytes(kF32x23, floats({1, 2, 3, 4, 5, 6})), "mem.npy");
  ASSERT_TRUE(r.ok()) << r.diag().message;
  EXPECT_EQ(r->shape, (std::vector<int64_t>{2, 3}));
  Result<NpyArray> bad = parseNpy("", "mem.npy");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.diag().message, "mem.npy: not a .npy file (no \\x93NUMPY magic)");
}

}  // namespace
}  // namespace htvm
