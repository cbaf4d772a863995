#include "obs/tracing/span_queue.hpp"

namespace parley::obs::tracing {

span_queue::span_queue(std::size_t capacity, std::size_t batch_size)
    : capacity_(capacity), batch_size_(batch_size) {}

bool span_queue::push(span_record&& record) {
  bool batch_complete = false;
  {
    std::lock_guard lock(mutex_);
    if (spans_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    spans_.push_back(std::move(record));
    batch_complete = spans_.size() == batch_size_;
  }
  // Only when a batch fills up: waking the exporter for every span would cost a syscall each.
  if (batch_complete) batch_ready_.notify_one();
  return true;
}

std::vector<span_record> span_queue::wait_and_take(std::chrono::milliseconds timeout,
                                                   bool& closed) {
  std::vector<span_record> taken;
  std::unique_lock lock(mutex_);
  batch_ready_.wait_for(lock, timeout, [this] { return closed_ || spans_.size() >= batch_size_; });
  closed = closed_;
  taken.swap(spans_);
  return taken;
}

std::vector<span_record> span_queue::take() {
  std::vector<span_record> taken;
  std::lock_guard lock(mutex_);
  taken.swap(spans_);
  return taken;
}

void span_queue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  batch_ready_.notify_all();
}

}  // namespace parley::obs::tracing
