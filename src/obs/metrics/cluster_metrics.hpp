#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "obs/metrics/loop_metrics.hpp"

namespace parley::obs::metrics {

// Bucket bounds (commands) of the pipeline size histogram.
inline constexpr std::array<double, 9> k_batch_size_bounds = {1, 2, 5, 10, 20, 50, 100, 200, 500};

// A histogram several threads write (one Redis commander per shard): relaxed fetch_adds, once
// per pipeline, never per delivery. Values are whole units (nanoseconds, commands).
template <std::size_t N>
class shared_histogram {
 public:
  // `bounds` in the exported unit (seconds, commands); `units` per exported unit.
  constexpr shared_histogram(const std::array<double, N>& bounds, double units)
      : bounds_(bounds), units_(units) {}
  void observe(std::uint64_t value) {
    const double in_unit = static_cast<double>(value) / units_;
    const auto bound = std::lower_bound(bounds_.begin(), bounds_.end(), in_unit);
    buckets_[static_cast<std::size_t>(bound - bounds_.begin())].fetch_add(
        1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }
  [[nodiscard]] const std::array<double, N>& bounds() const { return bounds_; }
  // Per-bucket counts (not cumulative), the last above every bound.
  [[nodiscard]] std::uint64_t bucket(std::size_t i) const {
    return buckets_[i].load(std::memory_order_relaxed);
  }
  // The sum of the observed values, in the exported unit.
  [[nodiscard]] double sum() const {
    return static_cast<double>(sum_.load(std::memory_order_relaxed)) / units_;
  }

 private:
  const std::array<double, N>& bounds_;
  double units_;
  std::array<std::atomic<std::uint64_t>, N + 1> buckets_{};  // the last: above every bound
  std::atomic<std::uint64_t> sum_{0};
};

// Connections of a redis_bus that reconnect, for parley_cluster_reconnects_total{role}.
enum class redis_role : std::uint8_t { commander, subscriber, count };

// What cluster mode counts (all Redis shards together). Written by the buses' threads and the
// rooms' home loops, each rarely (per pipeline, per reconnect, per gap): plain atomics.
struct cluster_metrics {
  std::atomic<bool> active{false};  // cluster.redis is set: the families below are exported
  shared_histogram<k_latency_bounds.size()> round_trip{k_latency_bounds, 1e9};  // ns per pipeline
  shared_histogram<k_batch_size_bounds.size()> batch_size{k_batch_size_bounds, 1};  // commands
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(redis_role::count)> reconnects{};
  std::atomic<std::uint64_t> gap_fills{0};       // stream reads a room made for ids it missed
  std::atomic<std::uint64_t> lease_expiries{0};  // users of dead nodes whose leaves were published
  std::atomic<std::uint64_t> lease_lapses{0};    // times this node found its own lease lapsed
  std::atomic<std::int64_t> nodes{0};            // live nodes at the last heartbeat (0: unknown)

  void count_reconnect(redis_role role) {
    reconnects[static_cast<std::size_t>(role)].fetch_add(1, std::memory_order_relaxed);
  }
  void count_pipeline(std::size_t commands, std::chrono::nanoseconds took) {
    batch_size.observe(commands);
    round_trip.observe(static_cast<std::uint64_t>(std::max<std::int64_t>(0, took.count())));
  }
};

cluster_metrics& cluster_counters();

}  // namespace parley::obs::metrics
