#include "report.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace parley::bench {
namespace {

const char* mode_name(run_mode m) {
  switch (m) {
    case run_mode::fanout:
      return "fanout";
    case run_mode::connect:
      return "connect";
    case run_mode::idle:
      return "idle";
    case run_mode::storm:
      return "storm";
  }
  return "?";
}

// A JSON number, or null for "not measured".
std::string number_or_null(double v) {
  return std::isnan(v) ? "null" : fmt::format("{:.6g}", v);
}
std::string number_or_null(std::int64_t v) {
  return v < 0 ? "null" : std::to_string(v);
}

const char* protocol_name(wire_protocol p) {
  return p == wire_protocol::v1 ? "v1" : "legacy";
}

bool is_fanout(const options& o) {
  return o.mode == run_mode::fanout;
}

}  // namespace

void print_summary(const options& o, const run_report& r) {
  std::FILE* out = stderr;
  fmt::print(out, "mode {}: {} clients, {} thread(s), protocol {}, {} room(s)\n", mode_name(o.mode),
             o.clients, o.threads, protocol_name(o.protocol), o.rooms);
  fmt::print(out, "  joined: {} of {} join notices, {} greetings, connect {} s\n", r.join_notices,
             r.expected_join_notices, r.greetings, number_or_null(r.connect_s));
  if (is_fanout(o)) {
    fmt::print(out, "  {} senders, {} B text, {}, warmup {} s, measured {} s\n", o.senders, o.size,
               o.rate > 0 ? fmt::format("rate {}/s", o.rate) : fmt::format("window {}", o.window),
               o.warmup_s, o.duration_s);
    fmt::print(out, "  sent {} messages ({} measured, {:.0f}/s)\n", r.messages_sent,
               r.messages_sent_measured, r.messages_per_s);
    fmt::print(out, "  delivered {} of {} ({:.0f} deliveries/s measured)\n", r.deliveries,
               r.expected_deliveries, r.deliveries_per_s);
    fmt::print(out, "  latency us: p50 {} p99 {} p99.9 {} max {} ({} samples)\n",
               r.latency.quantile(0.5), r.latency.quantile(0.99), r.latency.quantile(0.999),
               r.latency.max(), r.latency.count());
  }
  if (o.mode == run_mode::storm) {
    fmt::print(out, "  storm: {} seeded, {} reconnects with since = last id - {}\n", o.history,
               o.clients, o.since_back);
    fmt::print(out,
               "  storm: {} joined in {} s (all join notices {} s, server cpu {} s); replayed {} "
               "events, fewest {}, {} gaps\n",
               r.resumed, number_or_null(r.storm_s), number_or_null(r.storm_all_s),
               number_or_null(r.storm_server_cpu_s), r.replayed, number_or_null(r.replay_min),
               r.replay_gaps);
  }
  fmt::print(out, "  cpu (cores) in the {}: loadgen {} server {}\n",
             is_fanout(o) ? "measured window" : "join", number_or_null(r.loadgen_cpu_util),
             number_or_null(r.server_cpu_util));
  if (r.rss_before >= 0)
    fmt::print(out, "  server rss: {} -> {} bytes, {:.0f} bytes/connection\n", r.rss_before,
               r.rss_after, r.rss_per_conn);
  fmt::print(out,
             "  lost {} out_of_order {} seq_gaps {} errors {} (connect {}, handshake {}, "
             "closed {}, protocol {}, timeouts {})\n",
             r.lost, r.out_of_order, r.seq_gaps, r.errors.total(), r.errors.connect_failed,
             r.errors.handshake_failed, r.errors.unexpected_close, r.errors.protocol,
             r.errors.timeouts);
  fmt::print(out, "  loadgen used {:.2f} CPU s in {:.2f} s; {}\n", r.loadgen_cpu_s, r.wall_s,
             r.healthy() ? "OK" : "FAILED");
}

void print_json(const options& o, const run_report& r) {
  const bool fanout = is_fanout(o);
  const std::string latency =
      fanout ? fmt::format(R"({{"count":{},"p50":{},"p90":{},"p99":{},"p999":{},"max":{}}})",
                           r.latency.count(), r.latency.quantile(0.5), r.latency.quantile(0.9),
                           r.latency.quantile(0.99), r.latency.quantile(0.999), r.latency.max())
             : "null";
  const auto& e = r.errors;
  const bool storm = o.mode == run_mode::storm;
  fmt::print("{{\"protocol\":\"{}\",\"rooms\":{},", protocol_name(o.protocol), o.rooms);
  fmt::print(
      "\"history\":{},\"since_back\":{},\"storm_s\":{},\"storm_all_s\":{},"
      "\"storm_server_cpu_s\":{},\"resumed\":{},\"replayed\":{},\"replay_min\":{},"
      "\"replay_gaps\":{},",
      storm ? std::to_string(o.history) : "null", storm ? std::to_string(o.since_back) : "null",
      number_or_null(r.storm_s), number_or_null(r.storm_all_s),
      number_or_null(r.storm_server_cpu_s), r.resumed, r.replayed, number_or_null(r.replay_min),
      r.replay_gaps);
  fmt::print(
      "\"mode\":\"{}\",\"clients\":{},\"threads\":{},\"senders\":{},\"size\":{},"
      "\"window\":{},\"rate\":{},\"warmup_s\":{},\"duration_s\":{},"
      "\"messages_sent\":{},\"messages_sent_measured\":{},\"messages_per_s\":{},"
      "\"deliveries\":{},\"deliveries_measured\":{},\"expected_deliveries\":{},"
      "\"deliveries_per_s\":{},\"latency_us\":{},"
      "\"connect_s\":{},\"greetings\":{},\"join_notices\":{},\"expected_join_notices\":{},"
      "\"rss_before_bytes\":{},\"rss_after_bytes\":{},\"rss_per_conn_bytes\":{},"
      "\"lost\":{},\"out_of_order\":{},\"seq_gaps\":{},\"errors\":{},"
      "\"error_detail\":{{\"connect_failed\":{},\"handshake_failed\":{},"
      "\"unexpected_close\":{},\"protocol\":{},\"timeouts\":{}}},"
      "\"pings\":{},\"leaves\":{},\"other_lines\":{},"
      "\"loadgen_cpu_util\":{},\"server_cpu_util\":{},\"loadgen_cpu_s\":{:.3f},\"wall_s\":{:.3f},"
      "\"ok\":{}}}\n",
      mode_name(o.mode), o.clients, o.threads, fanout ? o.senders : 0, fanout ? o.size : 0,
      fanout && o.rate <= 0 ? std::to_string(o.window) : "null",
      fanout && o.rate > 0 ? fmt::format("{}", o.rate) : "null", fanout ? o.warmup_s : 0,
      fanout ? o.duration_s : 0, r.messages_sent, r.messages_sent_measured,
      fmt::format("{:.1f}", r.messages_per_s), r.deliveries, r.deliveries_measured,
      r.expected_deliveries, fmt::format("{:.1f}", r.deliveries_per_s), latency,
      number_or_null(r.connect_s), r.greetings, r.join_notices, r.expected_join_notices,
      number_or_null(r.rss_before), number_or_null(r.rss_after), number_or_null(r.rss_per_conn),
      r.lost, r.out_of_order, r.seq_gaps, e.total(), e.connect_failed, e.handshake_failed,
      e.unexpected_close, e.protocol, e.timeouts, r.pings, r.leaves, r.other_lines,
      number_or_null(r.loadgen_cpu_util), number_or_null(r.server_cpu_util), r.loadgen_cpu_s,
      r.wall_s, r.healthy() ? "true" : "false");
  std::fflush(stdout);
}

}  // namespace parley::bench
