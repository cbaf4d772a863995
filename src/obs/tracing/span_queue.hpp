#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "obs/tracing/span_record.hpp"

namespace parley::obs::tracing {

// Finished spans waiting for the exporter: bounded, so a collector that is down or slow costs a
// fixed amount of memory. Event loops push (a short lock, never a wait); the exporter thread
// takes everything queued at once.
class span_queue {
 public:
  span_queue(std::size_t capacity, std::size_t batch_size);

  // Queues the span; when the queue is full the span is dropped and counted instead.
  bool push(span_record&& record);
  // Waits until a batch is queued, `timeout` passes or close() is called; then takes everything
  // queued. `closed` tells whether close() was called.
  std::vector<span_record> wait_and_take(std::chrono::milliseconds timeout, bool& closed);
  std::vector<span_record> take();
  // Wakes the exporter for good (its final flush); pushes are still accepted.
  void close();

  [[nodiscard]] std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  const std::size_t batch_size_;
  std::mutex mutex_;
  std::condition_variable batch_ready_;
  std::vector<span_record> spans_;  // guarded by mutex_
  bool closed_ = false;             // guarded by mutex_
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace parley::obs::tracing
