#include "config/keys.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <type_traits>

#include "config/options.hpp"
#include "http/client_address.hpp"
#include "http/origin_policy.hpp"

namespace parley::config {
namespace {

// The key's value type follows from its member's C++ type.
template <class T>
constexpr value_type type_of() {
  if constexpr (std::is_same_v<T, bool>) {
    return value_type::boolean;
  } else if constexpr (std::is_same_v<T, double>) {
    return value_type::ratio;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value_type::text;
  } else {
    return value_type::integer;  // an integral type or a std::chrono::duration
  }
}

template <class T>
value to_value(const T& member) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    return static_cast<std::int64_t>(member);
  } else if constexpr (std::is_same_v<T, std::chrono::milliseconds> ||
                       std::is_same_v<T, std::chrono::seconds>) {
    return static_cast<std::int64_t>(member.count());
  } else {
    return member;
  }
}

template <class T>
void from_value(const value& v, T& member) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    member = static_cast<T>(std::get<std::int64_t>(v));  // the key's range fits T
  } else if constexpr (std::is_same_v<T, std::chrono::milliseconds> ||
                       std::is_same_v<T, std::chrono::seconds>) {
    member = T(std::get<std::int64_t>(v));
  } else {
    member = std::get<T>(v);
  }
}

template <auto member>
constexpr binding bind() {
  using type = std::remove_cvref_t<decltype(std::declval<options&>().*member)>;
  return {type_of<type>(), [](options& opts, const value& v) { from_value(v, opts.*member); },
          [](const options& opts) { return to_value(opts.*member); }};
}

std::string_view check_ip_address(std::string_view text) {
  const std::string address(text);
  unsigned char buffer[sizeof(in6_addr)];
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
      inet_pton(AF_INET6, address.c_str(), buffer) == 1) {
    return {};
  }
  return "must be an IP address, such as 0.0.0.0 or ::1";
}

std::string_view check_http_url(std::string_view text) {
  if (text.starts_with("http://")) return {};
  return "must be an http:// URL (the exporter speaks plain HTTP; put TLS in a local collector)";
}

std::string_view check_not_empty(std::string_view text) {
  return text.empty() ? "must not be empty" : std::string_view{};
}

// Comma-separated redis://host:port[/db] URLs (TOML has them as one string, like the flag).
std::string_view check_redis_urls(std::string_view text) {
  constexpr std::string_view k_problem =
      "must be empty or redis://host:port[/db] URLs separated by commas";
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view url = text.substr(0, comma);
    if (!url.starts_with("redis://") || url.size() == 8) return k_problem;
    const auto host_port = url.substr(8, url.find('/', 8) - 8);
    const auto colon = host_port.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == host_port.size()) {
      return k_problem;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return {};
}

constexpr std::int64_t k_hour_ms = 3'600'000;
constexpr std::int64_t k_max_port = 65535;

const std::vector<key>& table() {
  static const std::vector<key> keys = {
      {.name = "server.port",
       .help = "TCP port for HTTP and WebSocket (0: any free port)",
       .target = bind<&options::port>(),
       .max = k_max_port,
       .alias = "--port"},
      {.name = "server.bind",
       .help = "IP address to listen on",
       .target = bind<&options::bind_address>(),
       .check = check_ip_address,
       .alias = "--bind"},
      {.name = "server.threads",
       .help = "event-loop threads (0: one per core)",
       .target = bind<&options::threads>(),
       .max = 1024,
       .alias = "--threads"},
      {.name = "server.web_root",
       .help = "serve the web client from this folder (empty: the copy built in)",
       .target = bind<&options::web_root>(),
       .alias = "--web-root"},
      {.name = "server.echo_endpoint",
       .help = "serve the /echo WebSocket (conformance tests)",
       .target = bind<&options::echo_endpoint>(),
       .alias = "--echo-endpoint"},
      {.name = "server.shutdown_timeout_ms",
       .help = "on SIGTERM/SIGINT, how long to wait for WebSockets to close before exiting",
       .target = bind<&options::shutdown_timeout>(),
       .max = k_hour_ms,
       .alias = "--shutdown-timeout-ms"},
      {.name = "limits.max_message_size",
       .help = "largest WebSocket message in bytes; larger ones close with 1009",
       .target = bind<&options::max_message_size>(),
       .min = 1,
       .max = std::int64_t{1} << 30,
       .alias = "--max-message-size"},
      {.name = "limits.max_queued_bytes",
       .help = "unsent output a client may leave unread before it is closed at once (1008)",
       .target = bind<&options::max_queued_bytes>(),
       .min = 1024,
       .max = std::int64_t{1} << 34,
       .alias = "--max-queued-bytes"},
      {.name = "limits.soft_queued_bytes",
       .help = "unsent output a client may keep for the grace period before it is closed (1008)",
       .target = bind<&options::soft_queued_bytes>(),
       .min = 1024,
       .max = std::int64_t{1} << 34,
       .alias = "--soft-queued-bytes"},
      {.name = "limits.slow_consumer_grace_ms",
       .help = "how long a client may stay above limits.soft_queued_bytes",
       .target = bind<&options::slow_consumer_grace>(),
       .max = k_hour_ms,
       .alias = "--slow-consumer-grace-ms"},
      {.name = "limits.socket_send_buffer",
       .help = "kernel send buffer of each client socket in bytes (SO_SNDBUF; 0: the kernel's own)",
       .target = bind<&options::socket_send_buffer>(),
       .max = std::int64_t{1} << 30},
      {.name = "limits.handshake_timeout_ms",
       .help = "time to send a complete HTTP request (and keep-alive idle time)",
       .target = bind<&options::handshake_timeout>(),
       .min = 1,
       .max = k_hour_ms,
       .alias = "--handshake-timeout-ms"},
      {.name = "limits.close_timeout_ms",
       .help = "time a client has to answer our close frame",
       .target = bind<&options::close_timeout>(),
       .min = 1,
       .max = 600'000,
       .alias = "--close-timeout-ms"},
      {.name = "limits.ping_interval_ms",
       .help = "ping a quiet WebSocket after this long; drop it after twice this long (0: off)",
       .target = bind<&options::ping_interval>(),
       .max = k_hour_ms,
       .alias = "--ping-interval-ms"},
      {.name = "limits.max_text_bytes",
       .help = "longest text of a parley.v1 message in bytes (longer: error text_too_long)",
       .target = bind<&options::max_text_bytes>(),
       .min = 1,
       .max = std::int64_t{1} << 30},
      {.name = "limits.max_rooms_per_connection",
       .help = "rooms one parley.v1 connection may be in at once",
       .target = bind<&options::max_rooms_per_connection>(),
       .min = 1,
       .max = 100'000},
      {.name = "limits.max_rooms",
       .help = "rooms the server holds (a join naming a new room beyond it is refused)",
       .target = bind<&options::max_rooms>(),
       .min = 1,
       .max = 100'000'000},
      {.name = "limits.history_per_second",
       .help = "history requests per second per connection (as many at once)",
       .target = bind<&options::history_per_second>(),
       .min = 1,
       .max = 100'000},
      {.name = "limits.messages_per_second",
       .help = "WebSocket messages per second per connection (0: no limit); parley.v1: error "
               "rate_limited, legacy: close 1008 past limits.legacy_rate_tolerance",
       .target = bind<&options::messages_per_second>(),
       .max = 1'000'000},
      {.name = "limits.messages_burst",
       .help = "messages a connection may send at once before limits.messages_per_second applies",
       .target = bind<&options::messages_burst>(),
       .min = 1,
       .max = 1'000'000},
      {.name = "limits.legacy_rate_tolerance",
       .help = "messages a legacy client may send beyond the rate limit (delivered) before it is "
               "closed with 1008",
       .target = bind<&options::legacy_rate_tolerance>(),
       .max = 1'000'000},
      {.name = "limits.connections_per_ip",
       .help = "WebSocket connections open at once per client address (0: no limit); more get 429",
       .target = bind<&options::connections_per_ip>(),
       .max = 10'000'000},
      {.name = "limits.accepts_per_second_per_ip",
       .help =
           "new WebSocket connections per second per client address (0: no limit); more get 429",
       .target = bind<&options::accepts_per_second_per_ip>(),
       .max = 1'000'000},
      {.name = "limits.accepts_burst_per_ip",
       .help = "new WebSocket connections one client address may open at once before "
               "limits.accepts_per_second_per_ip applies",
       .target = bind<&options::accepts_burst_per_ip>(),
       .min = 1,
       .max = 10'000'000},
      {.name = "limits.max_request_headers",
       .help = "header lines of one HTTP request; more get 431",
       .target = bind<&options::max_request_headers>(),
       .min = 1,
       .max = 10'000},
      {.name = "limits.request_min_bytes_per_second",
       .help = "slowloris guard: a request under way must arrive at this many bytes a second, "
               "checked each second from its first byte; slower gets 408 (0: off)",
       .target = bind<&options::request_min_bytes_per_second>(),
       .max = 100'000'000},
      {.name = "ws.compression",
       .help = "permessage-deflate (RFC 7692): on accepts clients' offers, off ignores them",
       .target = bind<&options::compression>(),
       .choices = {"off", "on"}},
      {.name = "ws.compression_min_size",
       .help = "payloads shorter than this (bytes) go out uncompressed even to deflate clients",
       .target = bind<&options::compression_min_size>(),
       .max = std::int64_t{1} << 30},
      {.name = "security.allowed_origins",
       .help = "Origins whose pages may open a WebSocket (comma-separated: self, *, "
               "scheme://host[:port|:*], scheme://*.domain); requests without Origin are allowed",
       .target = bind<&options::allowed_origins>(),
       .check = http::origin_list_problem},
      {.name = "security.trusted_proxies",
       .help = "proxies (IP addresses or networks, comma-separated) whose X-Forwarded-For names "
               "the client",
       .target = bind<&options::trusted_proxies>(),
       .check = http::proxy_list_problem},
      {.name = "tls.cert_file",
       .help = "PEM certificate chain; with tls.key_file, server.port serves https:// and wss:// "
               "only (reloaded on SIGHUP)",
       .target = bind<&options::tls_cert_file>()},
      {.name = "tls.key_file",
       .help = "PEM private key of tls.cert_file (reloaded with it on SIGHUP)",
       .target = bind<&options::tls_key_file>()},
      {.name = "auth.jwt_secret",
       .help = "HS256 key of the JWTs clients must present (empty: no HS256); with "
               "auth.jwt_public_key empty too, no authentication",
       .target = bind<&options::jwt_secret>()},
      {.name = "auth.jwt_public_key",
       .help = "PEM file of the RSA (RS256) or P-256 (ES256) public key that verifies clients' "
               "JWTs (empty: none)",
       .target = bind<&options::jwt_public_key>()},
      {.name = "auth.jwt_user_claim",
       .help = "the JWT claim that must equal the username",
       .target = bind<&options::jwt_user_claim>(),
       .check = check_not_empty},
      {.name = "history.on_join",
       .help = "recent events a join without `since` receives",
       .target = bind<&options::history_on_join>(),
       .max = 100'000},
      {.name = "history.max_events",
       .help = "events each room keeps",
       .target = bind<&options::history_max_events>(),
       .min = 1,
       .max = 100'000'000},
      {.name = "history.max_age_s",
       .help = "seconds each event is kept",
       .target = bind<&options::history_max_age>(),
       .min = 1,
       .max = std::int64_t{100} * 365 * 24 * 3600},
      {.name = "history.memory_events",
       .help = "newest events of each room also kept in memory when a store holds them",
       .target = bind<&options::history_memory_events>(),
       .min = 1,
       .max = 100'000'000},
      {.name = "history.max_replay",
       .help = "most events a join with `since` replays (older ones: a gap)",
       .target = bind<&options::history_max_replay>(),
       .min = 1,
       .max = 100'000'000},
      {.name = "storage.engine",
       .help = "where history and id counters live: sqlite (a file) or memory (lost on restart)",
       .target = bind<&options::storage_engine>(),
       .choices = {"sqlite", "memory"}},
      {.name = "storage.path",
       .help = "the data folder of the sqlite engine (made if missing)",
       .target = bind<&options::storage_path>(),
       .check = check_not_empty},
      {.name = "storage.commit_interval_ms",
       .help = "the sqlite writer commits at most this often (a crash loses about this much)",
       .target = bind<&options::storage_commit_interval>(),
       .max = 60'000},
      {.name = "cluster.redis",
       .help = "redis://host:port[/db] of the Redis the nodes share (empty: one node, no Redis); "
               "several, comma-separated: shards, in the same order on every node",
       .target = bind<&options::cluster_redis>(),
       .check = check_redis_urls},
      {.name = "cluster.node_id",
       .help = "this node's name in the cluster (empty: host name and pid)",
       .target = bind<&options::cluster_node_id>()},
      {.name = "cluster.lease_ms",
       .help = "a node's usernames expire this long after it stops refreshing them (a crash)",
       .target = bind<&options::cluster_lease>(),
       .min = 1000,
       .max = k_hour_ms},
      {.name = "memory.release_interval_ms",
       .help = "check this often whether to return freed memory to the system (0: off)",
       .target = bind<&options::memory_release_interval>(),
       .max = k_hour_ms},
      {.name = "memory.release_after_bytes",
       .help = "release after this much traffic (4 KiB per closed connection) or heap freed",
       .target = bind<&options::memory_release_after_bytes>(),
       .min = 1,
       .max = std::int64_t{1} << 40},
      {.name = "memory.malloc_arenas",
       .help = "glibc malloc arenas all threads share (0: glibc's default, 8 per core)",
       .target = bind<&options::memory_malloc_arenas>(),
       .max = 1024},
      {.name = "metrics.enabled",
       .help = "serve Prometheus metrics on their own port",
       .target = bind<&options::metrics_enabled>()},
      {.name = "metrics.port",
       .help = "TCP port for /metrics (0: any free port)",
       .target = bind<&options::metrics_port>(),
       .max = k_max_port},
      {.name = "metrics.bind",
       .help = "IP address the metrics port listens on",
       .target = bind<&options::metrics_bind>(),
       .check = check_ip_address},
      {.name = "metrics.tls",
       .help = "serve /metrics over https:// only, with tls.cert_file and tls.key_file "
               "(reloaded with them on SIGHUP)",
       .target = bind<&options::metrics_tls>()},
      {.name = "tracing.enabled",
       .help = "export OpenTelemetry traces (OTLP/HTTP JSON)",
       .target = bind<&options::tracing_enabled>()},
      {.name = "tracing.endpoint",
       .help = "OTLP/HTTP traces URL of the collector",
       .target = bind<&options::tracing_endpoint>(),
       .check = check_http_url},
      {.name = "tracing.sample_ratio",
       .help = "share of traces recorded, from 0 to 1",
       .target = bind<&options::tracing_sample_ratio>()},
      {.name = "tracing.service_name",
       .help = "service.name of the exported spans",
       .target = bind<&options::tracing_service_name>(),
       .check = check_not_empty},
      {.name = "log.level",
       .help = "least severe level logged",
       .target = bind<&options::log_level>(),
       .choices = {"trace", "debug", "info", "warn", "error", "critical", "off"}},
      {.name = "log.format",
       .help = "text: the tutorial's line format; json: one JSON object per line",
       .target = bind<&options::log_format>(),
       .choices = {"text", "json"}},
      {.name = "log.file",
       .help = "append the log to this file (empty: standard output)",
       .target = bind<&options::log_file>()},
      {.name = "log.access",
       .help = "log each WebSocket upgrade and close under parley.access",
       .target = bind<&options::log_access>()},
  };
  return keys;
}

}  // namespace

std::span<const key> all_keys() {
  return table();
}

const key* find_key(std::string_view name) {
  const auto& keys = table();
  const auto found =
      std::find_if(keys.begin(), keys.end(), [name](const key& k) { return k.name == name; });
  return found == keys.end() ? nullptr : &*found;
}

std::string flag_name(const key& k) {
  std::string flag = "--";
  for (const char c : k.name) flag += (c == '.' || c == '_') ? '-' : c;
  return flag;
}

std::string env_name(const key& k) {
  std::string env = "PARLEY_";
  for (const char c : k.name) {
    env += (c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

std::string default_text(const key& k) {
  return to_toml(k.target.load(options{}));
}

}  // namespace parley::config
