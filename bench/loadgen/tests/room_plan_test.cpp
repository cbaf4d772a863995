#include "room_plan.hpp"

#include <gtest/gtest.h>

namespace parley::bench {
namespace {

TEST(room_plan, one_room_is_the_lobby_with_everyone) {
  options o;
  o.clients = 100;
  EXPECT_EQ(room_name(o, room_of(o, 57)), "lobby");
  EXPECT_EQ(room_size(o, 0), 100u);
  EXPECT_EQ(expected_join_notices(o), 100u * 99 / 2);
}

TEST(room_plan, clients_deal_round_robin_into_named_rooms) {
  options o;
  o.clients = 1000;
  o.rooms = 100;
  EXPECT_EQ(room_of(o, 257), 57u);
  EXPECT_EQ(room_name(o, 57), "r57");
  EXPECT_EQ(room_size(o, 99), 10u);
  EXPECT_EQ(expected_join_notices(o), 100u * (10 * 9 / 2));
  o.clients = 7;
  o.rooms = 3;  // rooms of 3, 2, 2
  EXPECT_EQ(room_size(o, 0), 3u);
  EXPECT_EQ(room_size(o, 2), 2u);
  EXPECT_EQ(expected_join_notices(o), 3u + 1 + 1);
}

TEST(room_plan, the_storm_counts_client_0_beside_the_reconnecting_clients) {
  options o;
  o.mode = run_mode::storm;
  o.clients = 1000;
  EXPECT_EQ(o.connections(), 1001u);
  EXPECT_EQ(expected_join_notices(o), 1001u * 1000 / 2);
}

}  // namespace
}  // namespace parley::bench
