#include "net/event_loop.hpp"

#include "net/connection.hpp"

namespace parley::net {

// Large enough to take several full frames per read; shared by all of a loop's connections.
constexpr std::size_t k_receive_buffer_size = std::size_t{64} * 1024;

thread_local event_loop* current_loop = nullptr;

event_loop::event_loop(std::size_t index)
    : index_(index),
      metrics_(obs::metrics::for_loop(index)),
      work_(context_.get_executor()),
      receive_buffer_(k_receive_buffer_size) {
  deadlines_ = std::make_unique<deadline_queue>(context_);
}

event_loop::~event_loop() {
  stop();
  deadlines_->release_timer();
}

void event_loop::defer_flush(std::shared_ptr<connection> conn) {
  schedule_end_of_turn();
  to_flush_.push_back(std::move(conn));
}

void event_loop::schedule_end_of_turn() {
  if (end_of_turn_scheduled_) return;
  end_of_turn_scheduled_ = true;
  post([this] {
    // Hand-offs first, writes last: what a client reads in this turn's writes (a greeting, say)
    // must not overtake what it caused (its join, sequenced on the room's home loop).
    flush_outbox();
    end_of_turn_scheduled_ = false;
    flush_deferred();
  });
}

void event_loop::flush_deferred() {
  // Swap first: a flush may close a connection, which may queue more work.
  std::vector<std::shared_ptr<connection>> batch;
  batch.swap(to_flush_);
  for (auto& conn : batch) conn->flush();
  batch.clear();
  if (to_flush_.empty()) to_flush_.swap(batch);  // keep the capacity
}

event_loop* event_loop::current() {
  return current_loop;
}

void event_loop::post_batched(event_loop& target, std::function<void()> task) {
  if (outboxes_.size() <= target.index()) outboxes_.resize(target.index() + 1);
  auto& box = outboxes_[target.index()];
  box.target = &target;
  box.tasks.push_back(std::move(task));
  schedule_end_of_turn();
}

void event_loop::flush_outbox() {
  // Tasks for this loop itself run right here, until they hand on no more to it...
  const std::size_t own = index_;
  while (own < outboxes_.size() && !outboxes_[own].tasks.empty()) {
    std::vector<std::function<void()>> batch;
    batch.swap(outboxes_[own].tasks);
    for (auto& task : batch) task();  // may grow outboxes_: no reference is held across
  }
  // ...then what they gathered for each other loop leaves in one post per loop.
  for (auto& box : outboxes_) {
    if (box.tasks.empty()) continue;
    box.target->post([batch = std::move(box.tasks)]() mutable {
      for (auto& task : batch) task();
    });
    box.tasks.clear();  // moved from: make it a valid empty vector again
  }
}

void event_loop::add_connection(connection* conn) {
  connections_.insert(conn);
}

void event_loop::remove_connection(connection* conn) {
  connections_.erase(conn);
  if (connections_.empty() && on_idle_) on_idle_();
}

void event_loop::begin_shutdown(std::function<void()> on_idle) {
  on_idle_ = std::move(on_idle);
  if (connections_.empty()) {
    on_idle_();
    return;
  }
  // Copy: a connection may leave the set while it is told.
  std::vector<connection*> live(connections_.begin(), connections_.end());
  for (auto* conn : live) {
    if (connections_.count(conn) != 0) conn->shutdown();
  }
}

void event_loop::start() {
  thread_ = std::thread([this] {
    current_loop = this;
    context_.run();
  });
}

void event_loop::stop() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace parley::net
