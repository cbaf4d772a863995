#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "net/deadline_queue.hpp"
#include "net/local_bytes.hpp"
#include "net/output_limits.hpp"
#include "net/soft_limit_watch.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::net {

class connection;

// One thread, one io_context: everything a connection does happens on the loop it was accepted
// on, so connection state needs no locks. Other threads talk to a loop only through post().
//
// The loop's connections are in an epoll set of its own, which Asio waits on as one descriptor;
// each wakeup takes the ready sockets from it and hands each its events.
class event_loop {
 public:
  explicit event_loop(std::size_t index, output_limits limits = {});
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  std::size_t index() const { return index_; }
  boost::asio::io_context& context() { return context_; }

  template <class Function>
  void post(Function&& function) {
    boost::asio::post(context_, std::forward<Function>(function));
  }

  // The loop whose thread is calling, or nullptr on any other thread.
  static event_loop* current();
  // Called on this loop's thread: runs `task` on `target` later, in the order of such calls. All
  // tasks for one target gathered during this loop turn cross threads in one post at its end.
  void post_batched(event_loop& target, std::function<void()> task);

  // Every connection on this loop reads into this one buffer and keeps only the leftover of a
  // partial frame, so an idle connection holds no receive buffer.
  std::span<char> receive_buffer() { return receive_buffer_; }

  // The deadlines of this loop's connections (one timer for all of them).
  deadline_queue& deadlines() { return *deadlines_; }

  // This loop's counters (written only here, summed by the metrics scrape).
  obs::metrics::loop_metrics& metrics() { return metrics_; }

  // Loop-local references to output bytes, for this loop's connections' queues.
  local_bytes_pool& bytes_pool() { return bytes_pool_; }

  // Each connection's limits on unsent output.
  [[nodiscard]] const output_limits& limits() const { return limits_; }
  // The connections above their soft output limit, checked when their grace period ends.
  soft_limit_watch& soft_limits() { return soft_limits_; }

  // Schedules a flush of `conn` at the end of this loop turn (corking: many sends, one write).
  void defer_flush(std::shared_ptr<connection> conn);

  // Watches `conn`'s socket (level-triggered): for reading always, and for writing while
  // `writable` is asked for. False when the kernel refused (out of memory, too many watches).
  bool watch(connection& conn);
  bool watch_writable(connection& conn, bool writable);

  // Live connections, for shutdown.
  void add_connection(connection* conn);
  void remove_connection(connection* conn);
  std::size_t connection_count() const { return connections_.size(); }
  // Tells every live connection the server is shutting down; calls `on_idle` (on this loop) each
  // time the loop's last connection has gone from then on.
  void begin_shutdown(std::function<void()> on_idle);
  // Asks every live connection's client to come back (connection_handler::on_restart).
  void restart_sessions(std::string_view reason);

  void start();  // runs the loop on its own thread
  void stop();   // stops it and joins the thread

 private:
  // Once per turn, after the handlers already queued: cross-loop hand-offs, then corked writes.
  void schedule_end_of_turn();
  void flush_outbox();
  void flush_deferred();
  void wait_ready();
  void dispatch_ready();
  // epoll_ctl `operation` (add or modify) for `conn`: readable always, writable if asked.
  bool control_watch(int operation, connection& conn, bool writable);

  struct outbox {
    event_loop* target = nullptr;
    std::vector<std::function<void()>> tasks;
  };

  local_bytes_pool bytes_pool_;  // first: outlives every connection (and queue) of the loop
  // Before the io_context too, for connections destroyed with its pending handlers; its timer is
  // released before the io_context goes (see the destructor).
  std::unique_ptr<deadline_queue> deadlines_;
  std::size_t index_;
  output_limits limits_;
  obs::metrics::loop_metrics& metrics_;
  // Hint: one thread runs it. (Posting from other loops stays thread-safe: not the "unsafe" hint.)
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::posix::stream_descriptor ready_set_;  // the epoll set of the loop's connections
  std::vector<char> receive_buffer_;
  std::vector<std::shared_ptr<connection>> to_flush_;
  soft_limit_watch soft_limits_;  // after context_: its timer goes first
  std::vector<outbox> outboxes_;  // by target loop index
  bool end_of_turn_scheduled_ = false;
  std::vector<connection*> connections_;  // each knows its place (connection::registry_slot_)
  std::function<void()> on_idle_;
  std::thread thread_;
};

}  // namespace parley::net
