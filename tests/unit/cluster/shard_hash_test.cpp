#include "cluster/shard_hash.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace parley::cluster {
namespace {

// FNV-1a 64's published test vectors: every node, whatever its build, agrees on them.
TEST(shard_hash, is_fnv1a_64) {
  EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

TEST(shard_hash, one_shard_holds_everything) {
  EXPECT_EQ(shard_of("lobby", 1), 0U);
  EXPECT_EQ(shard_of("", 1), 0U);
}

TEST(shard_hash, spreads_rooms_over_every_shard) {
  std::array<int, 3> counts{};
  for (int i = 0; i < 300; ++i) ++counts[shard_of("room-" + std::to_string(i), counts.size())];
  for (const int count : counts) EXPECT_GT(count, 60);
}

}  // namespace
}  // namespace parley::cluster
