#include "net/event_loop.hpp"

#include "net/connection.hpp"

namespace parley::net {

// Large enough to take several full frames per read; shared by all of a loop's connections.
constexpr std::size_t k_receive_buffer_size = std::size_t{64} * 1024;

event_loop::event_loop(std::size_t index)
    : index_(index), work_(context_.get_executor()), receive_buffer_(k_receive_buffer_size) {}

event_loop::~event_loop() {
  stop();
}

void event_loop::defer_flush(std::shared_ptr<connection> conn) {
  if (to_flush_.empty()) post([this] { flush_deferred(); });
  to_flush_.push_back(std::move(conn));
}

void event_loop::flush_deferred() {
  // Swap first: a flush may close a connection, which may queue more work.
  std::vector<std::shared_ptr<connection>> batch;
  batch.swap(to_flush_);
  for (auto& conn : batch) conn->flush();
  batch.clear();
  if (to_flush_.empty()) to_flush_.swap(batch);  // keep the capacity
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
  thread_ = std::thread([this] { context_.run(); });
}

void event_loop::stop() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace parley::net
