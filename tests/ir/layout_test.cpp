// Storage layouts: sizes and element positions worked out by hand from the definitions.
#include "ir/layout.h"

#include <gtest/gtest.h>

#include <set>

namespace htvm {
namespace {

TEST(Layout, ChwW16Rev4PadsRowsAndReversesWords) {
  TensorType t{DType::I8, {1, 2, 3, 5}, Layout::CHW_W16_REV4};
  EXPECT_EQ(storageElements(t), 2 * 3 * 16);
  EXPECT_EQ(t.bytes(), 96);
  // (c=0,h=0,w=0) is byte 0 of word 0, stored at position 3.
  EXPECT_EQ(physicalIndex(t, 0), 3);
  // (c=0,h=0,w=4): plain position 4 -> word 1, byte 0 -> stored at 7.
  EXPECT_EQ(physicalIndex(t, 4), 7);
  // (c=0,h=1,w=0): plain position 16 -> 19.
  EXPECT_EQ(physicalIndex(t, 5), 19);
  // (c=1,h=2,w=3): plain (1*3+2)*16+3 = 83 -> word 20, byte 3 -> 80.
  EXPECT_EQ(physicalIndex(t, 1 * 15 + 2 * 5 + 3), 80);
}

TEST(Layout, HwcC64Rev4GroupsChannelsPerPixel) {
  TensorType t{DType::I8, {1, 3, 2, 2}, Layout::HWC_C64_REV4};
  EXPECT_EQ(storageElements(t), 2 * 2 * 64);
  // (c=2,h=1,w=0): plain (1*2+0)*64+2 = 130 -> 129.
  EXPECT_EQ(physicalIndex(t, 2 * 4 + 1 * 2 + 0), 129);
}

TEST(Layout, Vec16Rev4AndNchw) {
  TensorType v{DType::I8, {1, 20}, Layout::VEC16_REV4};
  EXPECT_EQ(storageElements(v), 32);
  EXPECT_EQ(physicalIndex(v, 17), 18);
  TensorType n{DType::I16, {1, 3, 4, 4}, Layout::NCHW};
  EXPECT_EQ(n.bytes(), 96);
  EXPECT_EQ(physicalIndex(n, 17), 17);
}

TEST(Layout, EveryElementHasItsOwnStoragePosition) {
  for (Layout l : {Layout::CHW_W16_REV4, Layout::HWC_C64_REV4}) {
    TensorType t{DType::I8, {1, 5, 3, 7}, l};
    std::set<int64_t> seen;
    for (int64_t i = 0; i < t.elements(); ++i) {
      int64_t p = physicalIndex(t, i);
      EXPECT_GE(p, 0);
      EXPECT_LT(p, storageElements(t));
      EXPECT_TRUE(seen.insert(p).second) << layoutName(l) << " element " << i;
    }
  }
}

TEST(Layout, AppliesOnlyToBatchOneInt8) {
  EXPECT_TRUE(layoutApplies({DType::I8, {1, 4, 4, 4}}, Layout::CHW_W16_REV4));
  EXPECT_FALSE(layoutApplies({DType::I16, {1, 4, 4, 4}}, Layout::CHW_W16_REV4));
  EXPECT_FALSE(layoutApplies({DType::I8, {2, 4, 4, 4}}, Layout::HWC_C64_REV4));
  EXPECT_TRUE(layoutApplies({DType::I8, {1, 10}}, Layout::VEC16_REV4));
  EXPECT_FALSE(layoutApplies({DType::I8, {1, 10}}, Layout::CHW_W16_REV4));
}

}  // namespace
}  // namespace htvm
