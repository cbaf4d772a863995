#include "chat/history_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::chat {
namespace {

constexpr std::uint64_t k_all = UINT64_MAX;  // "before" meaning newer than any

// An entry whose frame is just its id as text, so tests can tell entries apart.
history_cache::entry entry(std::uint64_t id, std::int64_t ts_ms = 0, std::string client_key = {}) {
  return {id, ts_ms, std::make_shared<const std::string>(std::to_string(id)),
          std::move(client_key)};
}

// The ids of the entries range() hands out.
std::vector<std::uint64_t> ids(const std::vector<const history_cache::entry*>& entries) {
  std::vector<std::uint64_t> out;
  for (const auto* e : entries) {
    EXPECT_EQ(*e->frame, std::to_string(e->id));
    out.push_back(e->id);
  }
  return out;
}

// A cache holding ids first..last, each at time id * 10.
history_cache filled(std::uint64_t first, std::uint64_t last) {
  history_cache cache(first);
  for (std::uint64_t id = first; id <= last; ++id) {
    cache.append(entry(id, static_cast<std::int64_t>(id) * 10));
  }
  return cache;
}

using id_list = std::vector<std::uint64_t>;

TEST(history_cache, starts_empty_at_its_floor) {
  const history_cache fresh(1);
  EXPECT_TRUE(fresh.empty());
  EXPECT_EQ(fresh.size(), 0U);
  EXPECT_EQ(fresh.floor(), 1U);
  EXPECT_TRUE(fresh.range(0, k_all, 50).empty());
  EXPECT_EQ(fresh.count(0, k_all), 0U);
  const history_cache restarted(4097);  // after a restart: complete from the next id only
  EXPECT_EQ(restarted.floor(), 4097U);
}

TEST(history_cache, reads_everything_after_an_id_oldest_first) {
  const auto cache = filled(1, 10);
  EXPECT_EQ(cache.size(), 10U);
  EXPECT_EQ(cache.newest().id, 10U);
  EXPECT_EQ(ids(cache.range(0, k_all, 100)), (id_list{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(ids(cache.range(7, k_all, 100)), (id_list{8, 9, 10}));
  EXPECT_TRUE(cache.range(10, k_all, 100).empty());
  EXPECT_TRUE(cache.range(50, k_all, 100).empty());
}

TEST(history_cache, reads_the_newest_limit_before_an_id) {
  const auto cache = filled(1, 10);
  EXPECT_EQ(ids(cache.range(0, 6, 100)), (id_list{1, 2, 3, 4, 5}));
  EXPECT_EQ(ids(cache.range(0, 6, 2)), (id_list{4, 5}));
  EXPECT_EQ(ids(cache.range(0, k_all, 3)), (id_list{8, 9, 10}));
  EXPECT_EQ(ids(cache.range(2, 6, 100)), (id_list{3, 4, 5}));
  EXPECT_TRUE(cache.range(0, 1, 100).empty());
  EXPECT_TRUE(cache.range(5, 6, 100).empty());
  EXPECT_TRUE(cache.range(6, 5, 100).empty());
  EXPECT_TRUE(cache.range(0, 0, 100).empty());  // nothing lies below id 0
  EXPECT_TRUE(cache.range(0, k_all, 0).empty());
}

TEST(history_cache, counts_like_it_reads) {
  const auto cache = filled(1, 10);
  EXPECT_EQ(cache.count(0, k_all), 10U);
  EXPECT_EQ(cache.count(7, k_all), 3U);
  EXPECT_EQ(cache.count(2, 6), 3U);
  EXPECT_EQ(cache.count(5, 6), 0U);
  EXPECT_EQ(cache.count(6, 2), 0U);
  EXPECT_EQ(cache.count(0, 0), 0U);
}

TEST(history_cache, reads_across_gaps_in_ids) {
  history_cache cache(1);
  for (std::uint64_t id : {1, 2, 3, 4097, 4098}) cache.append(entry(id));
  EXPECT_EQ(ids(cache.range(2, k_all, 100)), (id_list{3, 4097, 4098}));
  EXPECT_EQ(ids(cache.range(3, 4098, 100)), (id_list{4097}));
  EXPECT_EQ(ids(cache.range(100, k_all, 100)), (id_list{4097, 4098}));
  EXPECT_EQ(cache.count(3, 5000), 2U);
}

TEST(history_cache, is_bounded_by_count_and_raises_its_floor) {
  auto cache = filled(1, 10);
  cache.evict(4, 0, k_all);
  EXPECT_EQ(cache.size(), 4U);
  EXPECT_EQ(cache.floor(), 7U);
  EXPECT_EQ(ids(cache.range(0, k_all, 100)), (id_list{7, 8, 9, 10}));
  cache.append(entry(11));
  cache.evict(4, 0, k_all);
  EXPECT_EQ(ids(cache.range(0, k_all, 100)), (id_list{8, 9, 10, 11}));
  EXPECT_EQ(cache.floor(), 8U);
  cache.evict(0, 0, k_all);
  EXPECT_TRUE(cache.empty());
  EXPECT_EQ(cache.floor(), 12U);  // complete from the next id: nothing older is in memory
}

TEST(history_cache, is_bounded_by_age) {
  auto cache = filled(1, 10);  // id n at time 10n
  cache.evict(100, 55, k_all);
  EXPECT_EQ(ids(cache.range(0, k_all, 100)), (id_list{6, 7, 8, 9, 10}));
  EXPECT_EQ(cache.floor(), 6U);
  cache.evict(100, 60, k_all);  // 60 is not older than 60
  EXPECT_EQ(cache.floor(), 6U);
}

TEST(history_cache, never_evicts_what_the_store_has_not_settled) {
  auto cache = filled(1, 10);
  cache.evict(2, 1000, 4);  // everything too old and too many, but only 1..4 are in the store
  EXPECT_EQ(ids(cache.range(0, k_all, 100)), (id_list{5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(cache.floor(), 5U);
  cache.evict(2, 0, 8);  // the store caught up: back to the count bound
  EXPECT_EQ(ids(cache.range(0, k_all, 100)), (id_list{9, 10}));
}

TEST(history_cache, prepends_older_events_read_from_the_store_and_lowers_its_floor) {
  auto cache = filled(8, 10);
  EXPECT_EQ(cache.floor(), 8U);
  std::vector<history_cache::entry> older;
  for (std::uint64_t id : {5, 6, 7}) older.push_back(entry(id));
  cache.prepend(std::move(older), 5);
  EXPECT_EQ(cache.floor(), 5U);
  EXPECT_EQ(ids(cache.range(0, k_all, 100)), (id_list{5, 6, 7, 8, 9, 10}));
  cache.prepend({}, 1);  // the store holds nothing older: complete from 1
  EXPECT_EQ(cache.floor(), 1U);
  cache.prepend({}, 3);  // never raised by a prepend
  EXPECT_EQ(cache.floor(), 1U);
}

TEST(history_cache, finds_a_message_by_its_client_key_while_it_is_held) {
  history_cache cache(1);
  const auto key = history_cache::client_key("alice", "c-1");
  cache.append(entry(1, 0, key));
  cache.append(entry(2));
  cache.append(entry(3, 0, history_cache::client_key("bob", "c-1")));
  const auto* found = cache.find_client(key);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, 1U);
  EXPECT_EQ(cache.find_client(history_cache::client_key("alice", "c-2")), nullptr);
  EXPECT_EQ(cache.find_client(history_cache::client_key("bob", "c-1"))->id, 3U);
  cache.evict(2, 0, k_all);
  EXPECT_EQ(cache.find_client(key), nullptr);  // evicted: a retry is new again
  EXPECT_EQ(cache.find_client(history_cache::client_key("bob", "c-1"))->id, 3U);
}

TEST(history_cache, keeps_client_keys_apart_by_user) {
  // "ab" + "c" and "a" + "bc" must not be the same key.
  EXPECT_NE(history_cache::client_key("ab", "c"), history_cache::client_key("a", "bc"));
}

TEST(history_cache, remembers_client_keys_of_prepended_messages_without_overriding_newer) {
  auto cache = filled(5, 6);
  const auto key = history_cache::client_key("alice", "c-1");
  cache.append(entry(7, 0, key));
  std::vector<history_cache::entry> older;
  older.push_back(entry(3, 0, key));  // the same key on an older message: the newer one stays
  older.push_back(entry(4, 0, history_cache::client_key("alice", "c-0")));
  cache.prepend(std::move(older), 3);
  EXPECT_EQ(cache.find_client(key)->id, 7U);
  EXPECT_EQ(cache.find_client(history_cache::client_key("alice", "c-0"))->id, 4U);
  cache.evict(3, 0, k_all);  // drops 3 and 4: the key of 3 is still 7's
  EXPECT_EQ(cache.find_client(history_cache::client_key("alice", "c-0")), nullptr);
  ASSERT_NE(cache.find_client(key), nullptr);
  EXPECT_EQ(cache.find_client(key)->id, 7U);
}

TEST(history_cache, holds_many_events_in_bounded_memory) {
  history_cache cache(1);
  for (std::uint64_t id = 1; id <= 100'000; ++id) {
    cache.append(entry(id, static_cast<std::int64_t>(id)));
    cache.evict(1000, 0, k_all);
    ASSERT_LE(cache.size(), 1000U);
  }
  EXPECT_EQ(cache.floor(), 99'001U);
  EXPECT_EQ(ids(cache.range(99'997, k_all, 100)), (id_list{99'998, 99'999, 100'000}));
}

}  // namespace
}  // namespace parley::chat
