#include "cluster/redis_connection.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace parley::cluster {
namespace {

TEST(redis_connection, parses_host_port_and_database) {
  const auto a = parse_redis_url("redis://127.0.0.1:6380/2");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.db, 2);
  const auto b = parse_redis_url("redis://redis:6379");
  EXPECT_EQ(b.host, "redis");
  EXPECT_EQ(b.db, 0);
}

TEST(redis_connection, refuses_urls_without_scheme_or_port) {
  EXPECT_THROW(parse_redis_url("127.0.0.1:6379"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://host"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://host:x"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://host:6379/x"), std::invalid_argument);
}

}  // namespace
}  // namespace parley::cluster
