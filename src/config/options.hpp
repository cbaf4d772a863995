#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/defaults.hpp"

namespace parley::config {

// Everything the server can be told at start-up; config/keys.cpp maps each member to its key.
struct options {
  // [server]
  std::uint16_t port = defaults::port;  // 0: any free port (tests)
  std::string bind_address = defaults::bind_address;
  unsigned threads = defaults::threads;          // event loops; 0: one per core
  std::string web_root = defaults::web_root;     // empty: the embedded web client
  bool echo_endpoint = defaults::echo_endpoint;  // serve /echo (conformance tests)
  std::chrono::milliseconds shutdown_timeout = defaults::shutdown_timeout;

  // [limits]
  std::uint64_t max_message_size = defaults::max_message_size;
  // Unsent output per connection: over the hard limit a client is closed at once; above the soft
  // limit for longer than the grace period, too.
  std::uint64_t max_queued_bytes = defaults::max_queued_bytes;
  std::uint64_t soft_queued_bytes = defaults::soft_queued_bytes;
  std::chrono::milliseconds slow_consumer_grace = defaults::slow_consumer_grace;
  std::uint64_t socket_send_buffer = defaults::socket_send_buffer;  // SO_SNDBUF; 0: the kernel's
  std::chrono::milliseconds handshake_timeout = defaults::handshake_timeout;
  std::chrono::milliseconds close_timeout = defaults::close_timeout;
  std::chrono::milliseconds ping_interval = defaults::ping_interval;  // 0: never ping
  // What one parley.v1 connection may ask of the chat, and how many rooms the server holds.
  std::uint64_t max_text_bytes = defaults::max_text_bytes;
  unsigned max_rooms_per_connection = defaults::max_rooms_per_connection;
  unsigned max_rooms = defaults::max_rooms;
  unsigned history_per_second = defaults::history_per_second;
  unsigned messages_per_second = defaults::messages_per_second;  // 0: no limit
  unsigned messages_burst = defaults::messages_burst;
  unsigned legacy_rate_tolerance = defaults::legacy_rate_tolerance;
  unsigned connections_per_ip = defaults::connections_per_ip;                // 0: no limit
  unsigned accepts_per_second_per_ip = defaults::accepts_per_second_per_ip;  // 0: no limit
  unsigned accepts_burst_per_ip = defaults::accepts_burst_per_ip;
  unsigned max_request_headers = defaults::max_request_headers;
  unsigned request_min_bytes_per_second = defaults::request_min_bytes_per_second;  // 0: off

  // [security]
  std::string allowed_origins = defaults::allowed_origins;  // see http/origin_policy.hpp
  std::string trusted_proxies = defaults::trusted_proxies;  // IPs whose X-Forwarded-For counts

  // [tls]
  std::string tls_cert_file = defaults::tls_cert_file;  // PEM chain; with tls_key_file: TLS on
  std::string tls_key_file = defaults::tls_key_file;    // PEM private key

  // [ws]
  std::string compression = defaults::compression;  // off or on: permessage-deflate
  std::uint64_t compression_min_size = defaults::compression_min_size;
  // [auth]
  std::string jwt_secret = defaults::jwt_secret;          // HS256 key; empty: no HS256
  std::string jwt_public_key = defaults::jwt_public_key;  // PEM file (RS256/ES256); empty: none
  std::string jwt_user_claim = defaults::jwt_user_claim;  // must equal the username

  // [history]
  unsigned history_on_join = defaults::history_on_join;  // events a join without since receives
  unsigned history_max_events = defaults::history_max_events;  // per room
  std::chrono::seconds history_max_age = defaults::history_max_age;
  unsigned history_memory_events = defaults::history_memory_events;  // per room, with a store
  unsigned history_max_replay = defaults::history_max_replay;  // events one since-replay gives

  // [storage]
  std::string storage_engine = defaults::storage_engine;  // sqlite or memory
  std::string storage_path = defaults::storage_path;      // sqlite: the data folder
  std::chrono::milliseconds storage_commit_interval = defaults::storage_commit_interval;

  // [cluster]
  std::string cluster_redis = defaults::cluster_redis;  // redis://host:port[/db]; empty: one node
  std::string cluster_node_id = defaults::cluster_node_id;            // empty: host name and pid
  std::chrono::milliseconds cluster_lease = defaults::cluster_lease;  // username lease

  // [memory]
  // How often to check whether a burst is over and freed memory should go back to the system.
  std::chrono::milliseconds memory_release_interval = defaults::memory_release_interval;  // 0: off
  std::uint64_t memory_release_after_bytes = defaults::memory_release_after_bytes;
  unsigned memory_malloc_arenas = defaults::memory_malloc_arenas;  // 0: glibc's own choice

  // [metrics]
  bool metrics_enabled = defaults::metrics_enabled;
  std::uint16_t metrics_port = defaults::metrics_port;
  std::string metrics_bind = defaults::metrics_bind;
  bool metrics_tls = defaults::metrics_tls;  // https:// with tls.cert_file and tls.key_file

  // [tracing]
  bool tracing_enabled = defaults::tracing_enabled;
  std::string tracing_endpoint = defaults::tracing_endpoint;     // OTLP/HTTP traces URL
  double tracing_sample_ratio = defaults::tracing_sample_ratio;  // 0..1
  std::string tracing_service_name = defaults::tracing_service_name;

  // [log]
  std::string log_level = defaults::log_level;    // trace ... critical, off
  std::string log_format = defaults::log_format;  // text or json
  std::string log_file = defaults::log_file;      // empty: standard output
  bool log_access = defaults::log_access;         // parley.access lines
};

}  // namespace parley::config
