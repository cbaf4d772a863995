#include "config/keys.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "config/options.hpp"

namespace parley::config {
namespace {

TEST(keys, derive_flag_and_environment_names_mechanically) {
  const key* port = find_key("metrics.port");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(flag_name(*port), "--metrics-port");
  EXPECT_EQ(env_name(*port), "PARLEY_METRICS_PORT");
  const key* grace = find_key("limits.slow_consumer_grace_ms");
  ASSERT_NE(grace, nullptr);
  EXPECT_EQ(flag_name(*grace), "--limits-slow-consumer-grace-ms");
  EXPECT_EQ(env_name(*grace), "PARLEY_LIMITS_SLOW_CONSUMER_GRACE_MS");
}

TEST(keys, has_every_documented_key_once) {
  const std::set<std::string> expected = {
      "server.port",
      "server.bind",
      "server.threads",
      "server.web_root",
      "server.echo_endpoint",
      "server.shutdown_timeout_ms",
      "limits.max_message_size",
      "limits.max_queued_bytes",
      "limits.soft_queued_bytes",
      "limits.slow_consumer_grace_ms",
      "limits.socket_send_buffer",
      "limits.handshake_timeout_ms",
      "limits.close_timeout_ms",
      "limits.ping_interval_ms",
      "limits.max_text_bytes",
      "limits.max_rooms_per_connection",
      "limits.max_rooms",
      "limits.history_per_second",
      "limits.messages_per_second",
      "limits.messages_burst",
      "limits.legacy_rate_tolerance",
      "limits.connections_per_ip",
      "limits.accepts_per_second_per_ip",
      "limits.accepts_burst_per_ip",
      "limits.max_request_headers",
      "limits.request_min_bytes_per_second",
      "ws.compression",
      "ws.compression_min_size",
      "security.allowed_origins",
      "security.trusted_proxies",
      "tls.cert_file",
      "tls.key_file",
      "auth.jwt_secret",
      "auth.jwt_public_key",
      "auth.jwt_user_claim",
      "history.on_join",
      "history.max_events",
      "history.max_age_s",
      "history.memory_events",
      "history.max_replay",
      "storage.engine",
      "storage.path",
      "storage.commit_interval_ms",
      "cluster.redis",
      "cluster.node_id",
      "cluster.lease_ms",
      "memory.release_interval_ms",
      "memory.release_after_bytes",
      "memory.malloc_arenas",
      "metrics.enabled",
      "metrics.port",
      "metrics.bind",
      "metrics.tls",
      "tracing.enabled",
      "tracing.endpoint",
      "tracing.sample_ratio",
      "tracing.service_name",
      "log.level",
      "log.format",
      "log.file",
      "log.access",
  };
  std::set<std::string> names;
  for (const auto& k : all_keys()) EXPECT_TRUE(names.emplace(k.name).second) << k.name;
  EXPECT_EQ(names, expected);
}

TEST(keys, cluster_redis_takes_redis_urls_only) {
  const key* redis = find_key("cluster.redis");
  ASSERT_NE(redis, nullptr);
  ASSERT_NE(redis->check, nullptr);
  EXPECT_TRUE(redis->check("").empty());
  EXPECT_TRUE(redis->check("redis://127.0.0.1:6379").empty());
  EXPECT_TRUE(redis->check("redis://a:6379/2,redis://b:6380").empty());
  EXPECT_FALSE(redis->check("127.0.0.1:6379").empty());
  EXPECT_FALSE(redis->check("redis://host").empty());
  EXPECT_FALSE(redis->check("redis://:6379").empty());
}

TEST(keys, keep_the_flags_that_existed_before_as_aliases) {
  std::set<std::string> flags;
  for (const auto& k : all_keys()) {
    EXPECT_TRUE(flags.insert(flag_name(k)).second) << k.name;
    if (!k.alias.empty()) {
      EXPECT_TRUE(flags.emplace(k.alias).second) << k.alias;
    }
  }
  for (const char* old :
       {"--port", "--bind", "--threads", "--web-root", "--echo-endpoint", "--shutdown-timeout-ms",
        "--max-message-size", "--max-queued-bytes", "--soft-queued-bytes",
        "--slow-consumer-grace-ms", "--handshake-timeout-ms", "--close-timeout-ms",
        "--ping-interval-ms", "--log-level"}) {
    EXPECT_TRUE(flags.contains(old)) << old;
  }
}

TEST(keys, list_each_table_in_one_run_so_help_groups_them) {
  std::set<std::string> finished;
  std::string current;
  for (const auto& k : all_keys()) {
    const std::string table(k.name.substr(0, k.name.find('.')));
    if (table == current) continue;
    EXPECT_FALSE(finished.contains(table)) << table << " appears twice apart";
    if (!current.empty()) finished.insert(current);
    current = table;
  }
}

TEST(keys, default_text_reads_the_defaults_of_options) {
  EXPECT_EQ(default_text(*find_key("server.port")), "9090");
  EXPECT_EQ(default_text(*find_key("server.bind")), "\"0.0.0.0\"");
  EXPECT_EQ(default_text(*find_key("server.web_root")), "\"\"");
  EXPECT_EQ(default_text(*find_key("server.echo_endpoint")), "false");
  EXPECT_EQ(default_text(*find_key("server.shutdown_timeout_ms")), "5000");
  EXPECT_EQ(default_text(*find_key("memory.release_interval_ms")), "1000");
  EXPECT_EQ(default_text(*find_key("memory.release_after_bytes")), "16777216");
  EXPECT_EQ(default_text(*find_key("memory.malloc_arenas")), "1");
  EXPECT_EQ(default_text(*find_key("metrics.port")), "9797");
  EXPECT_EQ(default_text(*find_key("tracing.sample_ratio")), "1.0");
  EXPECT_EQ(default_text(*find_key("log.access")), "true");
}

TEST(keys, store_and_load_round_trip_every_member) {
  for (const auto& k : all_keys()) {
    options opts;
    value changed;
    switch (k.target.type) {
      case value_type::boolean:
        changed = !std::get<bool>(k.target.load(opts));
        break;
      case value_type::integer:
        changed = k.max;
        break;
      case value_type::ratio:
        changed = 0.25;
        break;
      case value_type::text:
        changed = k.choices.empty() ? std::string("changed") : std::string(k.choices.back());
        break;
    }
    k.target.store(opts, changed);
    EXPECT_EQ(k.target.load(opts), changed) << k.name;
  }
}

TEST(keys, integer_ranges_fit_their_members) {
  options opts;
  find_key("server.port")->target.store(opts, std::int64_t{65535});
  EXPECT_EQ(opts.port, 65535);
  find_key("limits.max_queued_bytes")->target.store(opts, std::int64_t{1} << 34);
  EXPECT_EQ(opts.max_queued_bytes, std::uint64_t{1} << 34);
  find_key("limits.ping_interval_ms")->target.store(opts, std::int64_t{1234});
  EXPECT_EQ(opts.ping_interval, std::chrono::milliseconds(1234));
  find_key("memory.release_after_bytes")->target.store(opts, std::int64_t{1} << 40);
  EXPECT_EQ(opts.memory_release_after_bytes, std::uint64_t{1} << 40);
}

}  // namespace
}  // namespace parley::config
