#include "obs/metrics/collector.hpp"

#include <prometheus/metric_family.h>

#include <string>

#include "obs/metrics/build_info.hpp"
#include "obs/metrics/chat_metrics.hpp"
#include "obs/metrics/cluster_families.hpp"
#include "obs/metrics/loop_metrics.hpp"
#include "obs/metrics/sample.hpp"
#include "obs/metrics/store_metrics.hpp"
#include "obs/tracing/tracer.hpp"

namespace parley::obs::metrics {

namespace {
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// The sum of one counter over every loop.
template <class Pick>
std::uint64_t total(std::span<const loop_metrics> loops, Pick pick) {
  std::uint64_t sum = 0;
  for (const auto& loop : loops) sum += pick(loop).value();
  return sum;
}

MetricFamily family(std::string name, std::string help, MetricType type,
                    std::vector<ClientMetric> samples) {
  return {std::move(name), std::move(help), type, std::move(samples)};
}

template <class Pick>
MetricFamily counter(std::span<const loop_metrics> loops, std::string name, std::string help,
                     Pick pick) {
  return family(std::move(name), std::move(help), MetricType::Counter,
                {sample(static_cast<double>(total(loops, pick)))});
}

template <class Pick>
MetricFamily histogram(std::span<const loop_metrics> loops, std::string name, std::string help,
                       Pick pick) {
  ClientMetric metric;
  std::uint64_t cumulative = 0;
  std::uint64_t sum_ns = 0;
  for (std::size_t i = 0; i <= k_latency_bounds.size(); ++i) {
    for (const auto& loop : loops) cumulative += pick(loop).buckets()[i].value();
    if (i < k_latency_bounds.size()) {
      metric.histogram.bucket.push_back({cumulative, k_latency_bounds[i]});
    }
  }
  for (const auto& loop : loops) sum_ns += pick(loop).sum_nanoseconds();
  metric.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = static_cast<double>(sum_ns) / 1e9;
  return family(std::move(name), std::move(help), MetricType::Histogram, {metric});
}

// A histogram from a single writer's loop_histogram (the store's writer thread).
MetricFamily single_histogram(std::string name, std::string help, const loop_histogram& h) {
  ClientMetric metric;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < k_latency_bounds.size(); ++i) {
    cumulative += h.buckets()[i].value();
    metric.histogram.bucket.push_back({cumulative, k_latency_bounds[i]});
  }
  cumulative += h.buckets()[k_latency_bounds.size()].value();
  metric.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = static_cast<double>(h.sum_nanoseconds()) / 1e9;
  return family(std::move(name), std::move(help), MetricType::Histogram, {metric});
}

MetricFamily replay_sizes(std::span<const loop_metrics> loops) {
  ClientMetric metric;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= k_replay_size_bounds.size(); ++i) {
    cumulative += total(
        loops, [&](const loop_metrics& l) -> const loop_counter& { return l.replay_sizes[i]; });
    if (i < k_replay_size_bounds.size()) {
      metric.histogram.bucket.push_back({cumulative, k_replay_size_bounds[i]});
    }
  }
  metric.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = static_cast<double>(total(
      loops, [](const loop_metrics& l) -> auto& { return l.replayed_events; }));
  return family("parley_replay_events",
                "Events handed out by each join with `since` (a replay after a reconnect)",
                MetricType::Histogram, {metric});
}

MetricFamily protocol_errors(std::span<const loop_metrics> loops) {
  std::vector<ClientMetric> samples;
  for (std::size_t i = 0; i < k_protocol_error_codes.size(); ++i) {
    const auto count = total(
        loops, [&](const loop_metrics& l) -> const loop_counter& { return l.protocol_errors[i]; });
    samples.push_back(
        sample(static_cast<double>(count), {{"code", std::string(k_protocol_error_codes[i])}}));
  }
  return family("parley_protocol_errors_total",
                "parley.v1 requests refused with an error event, by its code", MetricType::Counter,
                std::move(samples));
}

// TLS handshakes on `loops` by result, and their failures by reason, as `prefix`_handshakes_total
// and `prefix`_handshake_failures_total; `port` names the port in the help.
void add_handshake_families(std::span<const loop_metrics> loops, const std::string& prefix,
                            const std::string& port, std::vector<MetricFamily>& families) {
  const auto ok = total(
      loops, [](const loop_metrics& l) -> auto& { return l.tls_handshakes_ok; });
  std::uint64_t failed = 0;
  std::vector<ClientMetric> reasons;
  for (std::size_t i = 0; i < k_tls_failure_reasons.size(); ++i) {
    const auto count = total(loops, [&](const loop_metrics& l) -> const loop_counter& {
      return l.tls_handshake_failures[i];
    });
    failed += count;
    reasons.push_back(
        sample(static_cast<double>(count), {{"reason", std::string(k_tls_failure_reasons[i])}}));
  }
  families.push_back(family(prefix + "_handshakes_total",
                            "TLS handshakes on the " + port + ", by result", MetricType::Counter,
                            {sample(static_cast<double>(ok), {{"result", "ok"}}),
                             sample(static_cast<double>(failed), {{"result", "failed"}})}));
  families.push_back(family(prefix + "_handshake_failures_total",
                            "Failed TLS handshakes on the " + port +
                                ": protocol (bad or unsupported ClientHello), plain_http (an "
                                "http:// request to the TLS port), timeout",
                            MetricType::Counter, std::move(reasons)));
}

// TLS handshakes on the chat port, and certificate reloads.
void add_tls_families(std::span<const loop_metrics> all, std::vector<MetricFamily>& families) {
  add_handshake_families(all, "parley_tls", "chat port", families);
  const auto reloaded = total(
      all, [](const loop_metrics& l) -> auto& { return l.tls_reloads_ok; });
  const auto refused = total(
      all, [](const loop_metrics& l) -> auto& { return l.tls_reloads_failed; });
  families.push_back(family("parley_tls_reloads_total",
                            "Certificate and key reloads (SIGHUP), by result (failed: the old "
                            "ones stay in use)",
                            MetricType::Counter,
                            {sample(static_cast<double>(reloaded), {{"result", "ok"}}),
                             sample(static_cast<double>(refused), {{"result", "failed"}})}));
}

// The rooms and their history.
void add_chat_families(std::span<const loop_metrics> all, std::vector<MetricFamily>& families) {
  families.push_back(family("parley_rooms", "Rooms the server holds (with members or history)",
                            MetricType::Gauge,
                            {sample(static_cast<double>(chat_counters().rooms.value()))}));
  families.push_back(counter(
      all, "parley_events_stored_total", "Room events given an id (messages, joins, leaves)",
      [](const loop_metrics& l) -> auto& { return l.events_stored; }));
  const auto from_memory = total(
      all, [](const loop_metrics& l) -> auto& { return l.history_reads_memory; });
  const auto from_store = total(
      all, [](const loop_metrics& l) -> auto& { return l.history_reads_store; });
  families.push_back(family("parley_history_reads_total",
                            "Replays and history requests, by where their events came from",
                            MetricType::Counter,
                            {sample(static_cast<double>(from_memory), {{"source", "memory"}}),
                             sample(static_cast<double>(from_store), {{"source", "store"}})}));
  families.push_back(replay_sizes(all));
  families.push_back(counter(
      all, "parley_gaps_total", "Gap events sent: ids a replay or recent history could not include",
      [](const loop_metrics& l) -> auto& { return l.gaps; }));
  families.push_back(protocol_errors(all));

  const auto& store = store_counters();
  families.push_back(single_histogram("parley_storage_batch_seconds",
                                      "Seconds one write batch of the history store took "
                                      "(BEGIN to COMMIT)",
                                      store.batch_latency));
  const auto plain = [&](std::string name, std::string help, std::uint64_t value) {
    families.push_back(family(std::move(name), std::move(help), MetricType::Counter,
                              {sample(static_cast<double>(value))}));
  };
  plain("parley_storage_events_written_total", "Events the history store wrote",
        store.events_written.value());
  plain("parley_storage_write_failures_total",
        "Write batches the history store could not commit (disk full, I/O error)",
        store.write_failures.value());
  plain("parley_storage_events_dropped_total",
        "Events never written: their batch failed or the write queue was full",
        store.events_dropped.load(std::memory_order_relaxed));
  plain("parley_storage_reads_total", "History reads the store answered", store.reads.value());
  plain("parley_storage_read_failures_total", "History reads the store could not answer",
        store.read_failures.value());
}

MetricFamily http_requests(std::span<const loop_metrics> loops) {
  std::vector<ClientMetric> samples;
  for (std::size_t m = 0; m <= k_methods.size(); ++m) {
    for (std::size_t s = 0; s <= k_statuses.size(); ++s) {
      const auto count = total(loops, [&](const loop_metrics& l) -> const loop_counter& {
        return l.http_requests[m][s];
      });
      if (count == 0) continue;  // only what happened: 36 zero series help nobody
      const std::string method = m < k_methods.size() ? std::string(k_methods[m]) : "other";
      const std::string status = s < k_statuses.size() ? std::to_string(k_statuses[s]) : "other";
      samples.push_back(
          sample(static_cast<double>(count), {{"method", method}, {"status", status}}));
    }
  }
  return family("http_requests_total", "HTTP requests answered, by method and status",
                MetricType::Counter, std::move(samples));
}

MetricFamily closes(std::span<const loop_metrics> loops) {
  std::vector<ClientMetric> samples;
  for (std::size_t i = 0; i <= k_close_codes; ++i) {
    const auto count = total(
        loops, [&](const loop_metrics& l) -> const loop_counter& { return l.closes_by_code[i]; });
    if (count == 0) continue;
    const std::string code =
        i < k_close_codes ? std::to_string(k_first_close_code + static_cast<int>(i)) : "other";
    samples.push_back(sample(static_cast<double>(count), {{"code", code}}));
  }
  return family("parley_websocket_closes_total",
                "WebSocket sessions ended, by the first close code (1006: no close frame)",
                MetricType::Counter, std::move(samples));
}

MetricFamily rejections(std::span<const loop_metrics> loops) {
  std::vector<ClientMetric> samples;
  for (std::size_t i = 0; i < static_cast<std::size_t>(rejection::count); ++i) {
    const auto count =
        total(loops, [&](const loop_metrics& l) -> const loop_counter& { return l.rejections[i]; });
    samples.push_back(sample(static_cast<double>(count),
                             {{"reason", std::string(label(static_cast<rejection>(i)))}}));
  }
  return family("parley_rejected_inputs_total",
                "Inputs refused with an HTTP error or a close code, by reason", MetricType::Counter,
                std::move(samples));
}
}  // namespace

std::vector<MetricFamily> collector::Collect() const {
  const auto all = loops(loop_count_);
  // Ends are read before opens, and the difference clamped: a connection that opens and ends
  // during the scrape must not make the gauge negative.
  const auto closed_http = total(
      all, [](const loop_metrics& l) -> auto& { return l.connections_closed_http; });
  const auto closed_ws = total(
      all, [](const loop_metrics& l) -> auto& { return l.connections_closed_websocket; });
  const auto opened = total(
      all, [](const loop_metrics& l) -> auto& { return l.connections_opened; });
  const auto still_open = opened > closed_http + closed_ws ? opened - closed_http - closed_ws : 0;

  std::vector<MetricFamily> families;
  families.push_back(family(
      "parley_build_info", "Version and build of the running binary", MetricType::Gauge,
      {sample(1,
              {{"version", std::string(k_version)}, {"build_type", std::string(k_build_type)}})}));
  families.push_back(family("parley_connections_open", "TCP connections open now",
                            MetricType::Gauge, {sample(static_cast<double>(still_open))}));
  families.push_back(family("parley_connections_total",
                            "TCP connections ended, by outcome (websocket: it was upgraded)",
                            MetricType::Counter,
                            {sample(static_cast<double>(closed_http), {{"outcome", "http"}}),
                             sample(static_cast<double>(closed_ws), {{"outcome", "websocket"}})}));
  families.push_back(counter(
      all, "parley_connections_accepted_total", "TCP connections accepted",
      [](const loop_metrics& l) -> auto& { return l.connections_opened; }));
  families.push_back(counter(
      all, "parley_messages_received_total", "Chat messages received from clients",
      [](const loop_metrics& l) -> auto& { return l.messages_received; }));
  families.push_back(counter(
      all, "parley_messages_delivered_total",
      "Chat frames queued to recipients (one per recipient)",
      [](const loop_metrics& l) -> auto& { return l.messages_delivered; }));
  families.push_back(counter(
      all, "parley_bytes_received_total", "Bytes read from clients",
      [](const loop_metrics& l) -> auto& { return l.bytes_in; }));
  families.push_back(counter(
      all, "parley_bytes_sent_total", "Bytes written to clients",
      [](const loop_metrics& l) -> auto& { return l.bytes_out; }));
  families.push_back(counter(
      all, "parley_slow_consumer_closes_total",
      "Clients closed for leaving too much output unread (1008)",
      [](const loop_metrics& l) -> auto& { return l.slow_consumer_closes; }));
  families.push_back(counter(
      all, "parley_output_dropped_bytes_total",
      "Queued output freed unsent: slow consumers' and closed connections' (with frame overhead)",
      [](const loop_metrics& l) -> auto& { return l.output_dropped; }));
  families.push_back(counter(
      all, "parley_messages_rate_limited_total",
      "Messages over limits.messages_per_second (parley.v1: refused; legacy: tolerated, then "
      "closed)",
      [](const loop_metrics& l) -> auto& { return l.messages_rate_limited; }));
  families.push_back(counter(
      all, "parley_memory_releases_total",
      "Times freed heap memory was handed back to the system after a burst (malloc_trim)",
      [](const loop_metrics& l) -> auto& { return l.memory_releases; }));
  families.push_back(counter(
      all, "parley_ws_compressions_total",
      "Frames compressed for permessage-deflate peers (once per broadcast, however many get it)",
      [](const loop_metrics& l) -> auto& { return l.ws_compressions; }));
  families.push_back(counter(
      all, "parley_ws_compressions_skipped_total",
      "Frames sent uncompressed to permessage-deflate peers: too short or incompressible",
      [](const loop_metrics& l) -> auto& { return l.ws_compressions_skipped; }));
  families.push_back(counter(
      all, "parley_ws_compression_input_bytes_total",
      "Payload bytes of the frames compressed, before compression",
      [](const loop_metrics& l) -> auto& { return l.ws_compression_bytes_in; }));
  families.push_back(counter(
      all, "parley_ws_compression_output_bytes_total",
      "Payload bytes of the frames compressed, after compression",
      [](const loop_metrics& l) -> auto& { return l.ws_compression_bytes_out; }));
  families.push_back(counter(
      all, "parley_ws_inflations_total", "Compressed messages received and inflated",
      [](const loop_metrics& l) -> auto& { return l.ws_inflations; }));
  families.push_back(counter(
      all, "parley_ws_inflated_bytes_total", "Size of the compressed messages received, inflated",
      [](const loop_metrics& l) -> auto& { return l.ws_inflated_bytes; }));
  families.push_back(histogram(
      all, "parley_fanout_latency_seconds",
      "From a chat message's arrival to its last recipient on each event loop having it queued",
      [](const loop_metrics& l) -> auto& { return l.fanout_latency; }));
  add_chat_families(all, families);
  add_cluster_families(families);
  add_tls_families(all, families);
  families.push_back(closes(all));
  families.push_back(rejections(all));
  families.push_back(http_requests(all));
  families.push_back(histogram(
      all, "http_response_time", "Seconds from a request's first byte to its response being queued",
      [](const loop_metrics& l) -> auto& { return l.http_response_time; }));
  if (tracer_ != nullptr && tracer_->enabled()) {
    families.push_back(family(
        "parley_tracing_spans_dropped_total", "Spans dropped because the export queue was full",
        MetricType::Counter, {sample(static_cast<double>(tracer_->dropped_spans()))}));
    families.push_back(family(
        "parley_tracing_spans_exported_total", "Spans the collector accepted", MetricType::Counter,
        {sample(static_cast<double>(tracer_->counters().exported_spans.load()))}));
    families.push_back(family(
        "parley_tracing_export_failures_total", "Export requests that failed", MetricType::Counter,
        {sample(static_cast<double>(tracer_->counters().failed_requests.load()))}));
  }
  if (metrics_tls_) {
    // The metrics port's own loop, after the chat loops' (tls_endpoint).
    add_handshake_families(loops(loop_count_ + 1).subspan(loop_count_), "parley_metrics_tls",
                           "metrics port", families);
  }
  return families;
}

}  // namespace parley::obs::metrics
