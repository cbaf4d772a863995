#include "obs/metrics/loop_metrics.hpp"
#include "obs/metrics/chat_metrics.hpp"
#include "obs/metrics/cluster_metrics.hpp"
#include "obs/metrics/store_metrics.hpp"

#include <algorithm>

#include "obs/metrics/chat_metrics.hpp"
#include "obs/metrics/store_metrics.hpp"

namespace parley::obs::metrics {

namespace {
// Static and zero-initialised: a loop's slot costs memory only once it is written.
std::array<loop_metrics, k_max_loops> all_loops;

template <class Array, class Value>
std::size_t index_or_other(const Array& known, const Value& value) {
  const auto found = std::find(known.begin(), known.end(), value);
  return static_cast<std::size_t>(found - known.begin());  // known.size(): "other"
}
}  // namespace

void loop_histogram::observe(std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const auto bound = std::lower_bound(k_latency_bounds.begin(), k_latency_bounds.end(), seconds);
  buckets_[static_cast<std::size_t>(bound - k_latency_bounds.begin())].add();
  sum_ns_.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, elapsed.count())));
}

std::string_view label(rejection reason) {
  switch (reason) {
    case rejection::http_bad_request:
      return "http_bad_request";
    case rejection::http_body_too_large:
      return "http_body_too_large";
    case rejection::http_request_timeout:
      return "http_request_timeout";
    case rejection::http_no_request_timeout:
      return "http_no_request_timeout";
    case rejection::http_method_not_allowed:
      return "http_method_not_allowed";
    case rejection::http_upgrade_required:
      return "http_upgrade_required";
    case rejection::http_forbidden_origin:
      return "http_forbidden_origin";
    case rejection::http_too_many_connections:
      return "http_too_many_connections";
    case rejection::http_accept_rate_limited:
      return "http_accept_rate_limited";
    case rejection::http_too_many_headers:
      return "http_too_many_headers";
    case rejection::http_slow_request:
      return "http_slow_request";
    case rejection::ws_protocol_error:
      return "ws_protocol_error";
    case rejection::ws_invalid_utf8:
      return "ws_invalid_utf8";
    case rejection::ws_message_too_big:
      return "ws_message_too_big";
    case rejection::ws_invalid_deflate:
      return "ws_invalid_deflate";
    case rejection::chat_binary_message:
      return "chat_binary_message";
    case rejection::chat_invalid_join:
      return "chat_invalid_join";
    case rejection::chat_duplicate_username:
      return "chat_duplicate_username";
    case rejection::chat_rate_limited:
      return "chat_rate_limited";
    case rejection::chat_unavailable:
      return "chat_unavailable";
    case rejection::auth_invalid_token:
      return "auth_invalid_token";
    case rejection::auth_token_expired:
      return "auth_token_expired";
    case rejection::count:
      break;
  }
  return "other";
}

void loop_metrics::count_close(int code) {
  const int offset = code - k_first_close_code;
  const bool known = offset >= 0 && offset < static_cast<int>(k_close_codes);
  closes_by_code[known ? static_cast<std::size_t>(offset) : k_close_codes].add();
}

void loop_metrics::count_http(std::string_view method, int status, std::chrono::nanoseconds took) {
  http_requests[index_or_other(k_methods, method)][index_or_other(k_statuses, status)].add();
  http_response_time.observe(took);
}

void loop_metrics::count_replay(std::size_t events) {
  replays.add();
  replayed_events.add(events);
  std::size_t bucket = 0;
  while (bucket < k_replay_size_bounds.size() &&
         static_cast<double>(events) > k_replay_size_bounds[bucket]) {
    ++bucket;
  }
  replay_sizes[bucket].add();
}

loop_metrics& for_loop(std::size_t loop) {
  return all_loops[std::min(loop, k_max_loops - 1)];
}

std::span<const loop_metrics> loops(std::size_t count) {
  return {all_loops.data(), std::min(count, k_max_loops)};
}

chat_metrics& chat_counters() {
  static chat_metrics counters;
  return counters;
}

store_metrics& store_counters() {
  static store_metrics counters;
  return counters;
}

cluster_metrics& cluster_counters() {
  static cluster_metrics counters;
  return counters;
}

}  // namespace parley::obs::metrics
