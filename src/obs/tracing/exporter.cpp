#include "obs/tracing/exporter.hpp"

#include <algorithm>
#include <optional>
#include <span>

#include "obs/log.hpp"
#include "obs/tracing/otlp_http_client.hpp"
#include "obs/tracing/otlp_json.hpp"

namespace parley::obs::tracing {
namespace {

using clock = std::chrono::steady_clock;

// Allows one log line a minute: a collector that is down must not flood the log.
class once_a_minute {
 public:
  bool allow(clock::time_point now) {
    if (last_ && now - *last_ < std::chrono::minutes(1)) return false;
    last_ = now;
    return true;
  }

 private:
  std::optional<clock::time_point> last_;
};

// The exporter thread's state between batches.
class export_loop {
 public:
  export_loop(span_queue& queue, export_counters& counters, const tracer_settings& settings,
              const http_endpoint& endpoint)
      : queue_(queue), counters_(counters), settings_(settings), client_(endpoint) {}

  void run() {
    bool closed = false;
    while (!closed) {
      auto spans = queue_.wait_and_take(settings_.batch_delay, closed);
      send(spans,
           clock::now() + (closed ? settings_.final_flush_timeout : settings_.export_timeout));
      report_drops();
    }
  }

 private:
  void send(const std::vector<span_record>& spans, clock::time_point deadline) {
    for (std::size_t first = 0; first < spans.size(); first += settings_.max_batch_spans) {
      const std::size_t count = std::min(settings_.max_batch_spans, spans.size() - first);
      const std::span batch(spans.data() + first, count);
      const auto now = clock::now();
      post_result result;
      if (now >= deadline) {
        result.problem = "no time left before shutdown";
      } else {
        result = client_.post_json(encode_otlp_json(batch, settings_.service_name),
                                   std::min(deadline, now + settings_.export_timeout));
      }
      if (result.ok) {
        counters_.exported_spans.fetch_add(count, std::memory_order_relaxed);
        continue;
      }
      counters_.failed_requests.fetch_add(1, std::memory_order_relaxed);
      counters_.lost_spans.fetch_add(count, std::memory_order_relaxed);
      if (failure_log_.allow(clock::now())) {
        trace_log().warn(
            "span export to {} failed, {} spans lost: {} ({} lost so far; "
            "further failures within a minute are not logged)",
            settings_.endpoint, count, result.problem,
            counters_.lost_spans.load(std::memory_order_relaxed));
      }
    }
  }

  void report_drops() {
    const std::uint64_t dropped = queue_.dropped();
    if (dropped == reported_drops_ || !drop_log_.allow(clock::now())) return;
    trace_log().warn("span queue full ({} spans): {} spans dropped so far", queue_.capacity(),
                     dropped);
    reported_drops_ = dropped;
  }

  span_queue& queue_;
  export_counters& counters_;
  const tracer_settings& settings_;
  otlp_http_client client_;
  once_a_minute failure_log_;
  once_a_minute drop_log_;
  std::uint64_t reported_drops_ = 0;
};

}  // namespace

exporter::exporter(span_queue& queue, export_counters& counters, tracer_settings settings,
                   http_endpoint endpoint)
    : queue_(queue),
      counters_(counters),
      settings_(std::move(settings)),
      endpoint_(std::move(endpoint)) {}

exporter::~exporter() {
  stop();
}

void exporter::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    try {
      export_loop(queue_, counters_, settings_, endpoint_).run();
    } catch (const std::exception& error) {  // bad_alloc, say: tracing stops, the server does not
      trace_log().error("span exporter stopped: {}", error.what());
    }
  });
}

void exporter::stop() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

}  // namespace parley::obs::tracing
