#include "net/event_loop.hpp"

#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include "net/connection.hpp"

namespace parley::net {
namespace {

// Large enough to take several full frames per read; shared by all of a loop's connections.
constexpr std::size_t k_receive_buffer_size = std::size_t{64} * 1024;
// Ready sockets taken per wakeup; more wait for the next one (the set is level-triggered).
constexpr std::size_t k_ready_per_wakeup = 256;

thread_local event_loop* current_loop = nullptr;

int make_epoll_set() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
  return fd;
}

output_limits normalized(output_limits limits) {
  limits.soft = std::min(limits.soft, limits.hard);  // the hard limit is checked above the soft
  return limits;
}

}  // namespace

event_loop::event_loop(std::size_t index, output_limits limits)
    : index_(index),
      limits_(normalized(limits)),
      metrics_(obs::metrics::for_loop(index)),
      work_(context_.get_executor()),
      ready_set_(context_, make_epoll_set()),
      receive_buffer_(k_receive_buffer_size),
      soft_limits_(context_) {
  deadlines_ = std::make_unique<deadline_queue>(context_);
  wait_ready();
}

event_loop::~event_loop() {
  stop();
  // Open connections own themselves; nothing will finish them now.
  std::vector<connection*> live;
  live.swap(connections_);
  for (auto* conn : live) conn->abandon();
  deadlines_->release_timer();
}

void event_loop::wait_ready() {
  ready_set_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this](const boost::system::error_code& ec) {
                          if (!ec) dispatch_ready();
                        });
}

void event_loop::dispatch_ready() {
  std::array<epoll_event, k_ready_per_wakeup> ready{};
  int count = 0;
  do {
    count = ::epoll_wait(ready_set_.native_handle(), ready.data(), ready.size(), 0);
  } while (count < 0 && errno == EINTR);
  // A connection finished by an earlier entry is still alive (its release is posted) and
  // ignores its events.
  for (int i = 0; i < count; ++i)
    static_cast<connection*>(ready[i].data.ptr)->on_ready(ready[i].events);
  // Sockets still ready (more than one wakeup takes, or input left after a connection's read
  // rounds) come next: Asio watches the set edge-triggered, and the kernel signals no new edge
  // for them, but starting this wait re-arms the set with EPOLL_CTL_MOD, which checks it again
  // (Boost 1.81's reactor; tests/unit/net/connection_test.cpp holds it to that).
  wait_ready();
}

bool event_loop::watch(connection& conn) {
  return control_watch(EPOLL_CTL_ADD, conn, false);
}

bool event_loop::watch_writable(connection& conn, bool writable) {
  return control_watch(EPOLL_CTL_MOD, conn, writable);
}

bool event_loop::control_watch(int operation, connection& conn, bool writable) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | (writable ? EPOLLOUT : 0U);
  event.data.ptr = &conn;
  return ::epoll_ctl(ready_set_.native_handle(), operation, conn.fd_, &event) == 0;
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
  conn->registry_slot_ = static_cast<std::uint32_t>(connections_.size());
  connections_.push_back(conn);
}

void event_loop::remove_connection(connection* conn) {
  const std::uint32_t slot = conn->registry_slot_;
  if (slot >= connections_.size() || connections_[slot] != conn) return;
  connections_[slot] = connections_.back();
  connections_[slot]->registry_slot_ = slot;
  connections_.pop_back();
  if (connections_.empty() && on_idle_) on_idle_();
}

void event_loop::restart_sessions(std::string_view reason) {
  const std::vector<connection*> live = connections_;  // each may finish, leaving the list
  for (auto* conn : live) conn->restart(reason);
}

void event_loop::begin_shutdown(std::function<void()> on_idle) {
  on_idle_ = std::move(on_idle);
  if (connections_.empty()) {
    on_idle_();
    return;
  }
  // Copy: a connection may leave the list while it is told (and stays alive until later).
  const std::vector<connection*> live = connections_;
  for (auto* conn : live) conn->shutdown();
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
