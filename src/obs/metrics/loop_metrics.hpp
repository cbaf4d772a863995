#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace parley::obs::metrics {

// A count written by one thread (its event loop) and read by the scraper: a relaxed load and
// store, never a read-modify-write, so counting costs what a plain increment costs and no two
// threads contend for it. Totals are summed over the loops at scrape time.
class loop_counter {
 public:
  void add(std::uint64_t amount = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Bucket bounds in seconds shared by every loop's copy of a histogram.
inline constexpr std::array<double, 14> k_latency_bounds = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
    0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    0.25};

// A latency histogram kept like loop_counter: one writer, any readers.
class loop_histogram {
 public:
  void observe(std::chrono::nanoseconds elapsed);
  // Per-bucket counts (not cumulative); the last is above every bound.
  [[nodiscard]] const std::array<loop_counter, k_latency_bounds.size() + 1>& buckets() const {
    return buckets_;
  }
  [[nodiscard]] std::uint64_t sum_nanoseconds() const { return sum_ns_.value(); }

 private:
  std::array<loop_counter, k_latency_bounds.size() + 1> buckets_;
  loop_counter sum_ns_;
};

// Inputs the server refuses, each answered with an HTTP status or a close code.
enum class rejection : std::uint8_t {
  http_bad_request,         // 400: unparsable request, head over 8 KiB, bad upgrade
  http_body_too_large,      // 413
  http_request_timeout,     // 408: part of a request, not the rest, within the handshake timeout
  http_no_request_timeout,  // 408: a new connection that sent nothing within the handshake timeout
  http_method_not_allowed,  // 405
  http_upgrade_required,    // 426: a WebSocket path without a (version 13) upgrade
  http_forbidden_origin,    // 403: an upgrade from an Origin not in security.allowed_origins
  http_too_many_connections,  // 429: an upgrade beyond limits.connections_per_ip
  http_accept_rate_limited,   // 429: an upgrade beyond limits.accepts_per_second_per_ip
  http_too_many_headers,      // 431: more header lines than limits.max_request_headers
  http_slow_request,          // 408: a request slower than limits.request_min_bytes_per_second
  ws_protocol_error,          // 1002
  ws_invalid_utf8,            // 1007
  ws_message_too_big,         // 1009
  ws_invalid_deflate,         // 1007: a compressed message that does not inflate
  chat_binary_message,        // 1003
  chat_invalid_join,          // 1008: username or age
  chat_duplicate_username,    // 1003
  chat_rate_limited,          // 1008: a legacy client past limits.messages_per_second and tolerance
  chat_unavailable,           // 1013: cluster mode, the username could not be claimed in Redis
  auth_invalid_token,         // 1008: an upgrade without a valid token while authentication is on
  auth_token_expired,         // 4001: a connection whose token's exp passed
  count,
};
std::string_view label(rejection reason);

// Why a TLS handshake failed, in net::tls_layer's order.
inline constexpr std::array<std::string_view, 3> k_tls_failure_reasons = {"protocol", "plain_http",
                                                                          "timeout"};

// Bucket bounds (events) of the replay size histogram.
inline constexpr std::array<double, 5> k_replay_size_bounds = {0, 10, 100, 1000, 10000};

// The codes of parley.v1 `error` events (chat/v1/error_code.hpp names them from this list).
inline constexpr std::array<std::string_view, 13> k_protocol_error_codes = {
    "bad_json",      "bad_request",    "unknown_type",        "bad_room",
    "not_joined",    "already_joined", "too_many_rooms",      "room_limit",
    "text_too_long", "rate_limited",   "history_unavailable", "unavailable",
    "invalid_token"};

// The HTTP methods and statuses http_requests_total tells apart; anything else is "other".
inline constexpr std::array<std::string_view, 2> k_methods = {"GET", "HEAD"};
inline constexpr std::array<int, 14> k_statuses = {101, 200, 304, 400, 403, 404, 405,
                                                   408, 413, 426, 429, 431, 500, 503};
// Close codes 1000..1015 are counted each; any other as "other".
inline constexpr int k_first_close_code = 1000;
inline constexpr std::size_t k_close_codes = 16;

// Everything one event loop counts. Only that loop's thread writes it.
struct loop_metrics {
  loop_counter connections_opened;
  loop_counter connections_closed_http;       // never upgraded
  loop_counter connections_closed_websocket;  // upgraded
  loop_counter bytes_in;
  loop_counter bytes_out;
  loop_counter messages_received;   // chat messages from clients
  loop_counter messages_delivered;  // frames queued to recipients (one per recipient)
  loop_counter slow_consumer_closes;
  loop_counter output_dropped;  // queued output freed unsent (slow consumers, closed connections)
  // Messages over limits.messages_per_second: refused (v1) or tolerated (legacy, until closed).
  loop_counter messages_rate_limited;
  loop_counter tls_handshakes_ok;
  std::array<loop_counter, k_tls_failure_reasons.size()> tls_handshake_failures;
  loop_counter tls_reloads_ok;      // certificate and key reloaded (SIGHUP; counted on loop 0)
  loop_counter tls_reloads_failed;  // ... refused: the old ones stay in use
  loop_counter memory_releases;     // malloc_trim after a burst (loop 0's, app/memory_release.hpp)
  loop_histogram fanout_latency;    // message received -> this loop's last recipient queued
  // permessage-deflate (counted on the loop that compressed or inflated).
  loop_counter ws_compressions;           // frames compressed: once per broadcast, not recipient
  loop_counter ws_compressions_skipped;   // ... sent plain instead: short or incompressible
  loop_counter ws_compression_bytes_in;   // payload bytes before compression
  loop_counter ws_compression_bytes_out;  // ... after
  loop_counter ws_inflations;             // compressed messages received
  loop_counter ws_inflated_bytes;         // ... their size once inflated
  // Rooms' history (counted on the rooms' home loops).
  loop_counter events_stored;         // messages, joins and leaves given an id
  loop_counter history_reads_memory;  // replays and history requests answered from memory
  loop_counter history_reads_store;   // ... that needed the store
  loop_counter replays;               // joins with `since`
  loop_counter replayed_events;       // events those replays handed out
  std::array<loop_counter, k_replay_size_bounds.size() + 1> replay_sizes;  // per bucket
  loop_counter gaps;  // gap events sent (replays and recent history)
  std::array<loop_counter, k_protocol_error_codes.size()> protocol_errors;  // parley.v1 errors
  std::array<loop_counter, k_close_codes + 1> closes_by_code;
  std::array<loop_counter, static_cast<std::size_t>(rejection::count)> rejections;
  // [method][status], each with a trailing "other".
  std::array<std::array<loop_counter, k_statuses.size() + 1>, k_methods.size() + 1> http_requests;
  loop_histogram http_response_time;

  void count_close(int code);
  void count_rejection(rejection reason) { rejections[static_cast<std::size_t>(reason)].add(); }
  void count_protocol_error(std::size_t code) { protocol_errors[code].add(); }
  void count_replay(std::size_t events);
  void count_http(std::string_view method, int status, std::chrono::nanoseconds took);
};

// How many loops have slots of their own; loops beyond share one (then a count may be lost to a
// race, never corrupted: still relaxed atomics).
inline constexpr std::size_t k_max_loops = 256;

// The metrics of event loop `loop` (0 for code that runs on no loop).
loop_metrics& for_loop(std::size_t loop);
// The first `count` loops' metrics, for the scraper.
std::span<const loop_metrics> loops(std::size_t count);

}  // namespace parley::obs::metrics
