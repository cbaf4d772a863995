#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/handler_feed.hpp"
#include "net/local_bytes.hpp"
#include "net/output_limits.hpp"
#include "net/transport.hpp"

namespace parley::net {

class event_loop;

// One TCP connection on one event loop. Reads are readiness-driven: when the socket is
// readable, the bytes go into the loop's shared buffer and only an unconsumed partial message is
// kept (handler_feed). Writes are corked: send() queues buffer references and the loop
// flushes them at the end of its turn with one gather write.
//
// The socket is a plain descriptor in the loop's own epoll set (no Asio socket): an idle
// connection costs this object and an epoll entry, not Asio's per-socket state and a pending
// operation. From start() until it is finished the connection owns itself (nothing else waits on
// it); the loop releases the ones still open when it is destroyed.
class connection final : public transport, public std::enable_shared_from_this<connection> {
  friend class deadline_queue;
  friend class event_loop;

 public:
  // Takes ownership of `fd`, a connected non-blocking TCP socket.
  connection(event_loop& loop, int fd);
  ~connection() override;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void start(std::unique_ptr<connection_handler> handler);
  // The loop's epoll set reported `events` (EPOLLIN, EPOLLOUT, ...) for the socket.
  void on_ready(std::uint32_t events);
  // Server shutdown: the handler decides how to finish.
  void shutdown();
  // Writes what is queued; called by the loop once per turn.
  void flush();
  // The deadline set with start_timer has come (called by the loop's deadline_queue).
  void on_deadline();
  // The grace period above the soft output limit may be over (called by the loop's
  // soft_limit_watch): a peer still above it is a slow consumer, whether or not more is queued.
  void on_grace_over();

  // transport
  void send(const shared_bytes& bytes) override;
  void send(std::string bytes) override;
  void send_last(std::string bytes) override;
  // Not once the peer is a slow consumer: nothing more should be parsed or answered.
  bool is_open() const override { return state_ == state::open && !slow_consumer_; }
  void close_after_flush() override;
  void close_now() override;
  void start_timer(std::chrono::milliseconds delay) override;
  void cancel_timer() override;
  void replace_handler(std::unique_ptr<connection_handler> handler) override;
  std::size_t loop_index() const override;
  std::string remote_address() const override;
  // A layer between the connection and its handlers (TLS) saw the upgrade: for the metrics.
  void count_as_upgraded() { upgraded_ = true; }

 private:
  enum class state : std::uint8_t {
    open,
    closing,   // sending what is queued, then half-close
    draining,  // half-closed: reading and discarding until the peer closes too (or a deadline)
    closed,
  };

  void on_readable();
  // Queues bytes already admitted, and schedules the flush.
  void enqueue(local_ref bytes);
  void schedule_flush();
  // Counts `size` more bytes of output, or says no (closing, or the peer just became too slow).
  bool admit(std::size_t size);
  // Whether queueing has just made the peer a slow consumer (checks the clock only when above the
  // soft limit).
  bool over_output_limits();
  // Has the loop check the soft limit again when the grace period from `since` ends.
  void watch_soft_limit(std::chrono::steady_clock::time_point since);
  void give_up_on_slow_consumer();
  void wait_writable();
  void begin_drain();
  void finish();
  // The loop is going away with the connection still open: close without telling anyone.
  void abandon();
  void close_socket();
  // Empties the queue and frees its storage: an idle connection holds no output buffer.
  void release_queue();

  event_loop& loop_;
  int fd_;
  std::shared_ptr<connection> self_;  // from start() until finished
  handler_feed handler_;
  std::vector<local_ref> queue_;  // outgoing, in order, from queue_head_ on
  std::size_t queue_head_ = 0;    // entries before it are sent (compacted now and then)
  std::size_t queue_offset_ = 0;  // bytes of queue_[queue_head_] already sent
  std::size_t queued_bytes_ = 0;  // unsent bytes plus a per-entry overhead
  std::chrono::steady_clock::time_point above_soft_since_{};  // zero: not above the soft limit
  std::uint32_t deadline_slot_;      // in the loop's deadline_queue, or k_none
  std::uint32_t registry_slot_ = 0;  // in the loop's list of live connections
  std::uint16_t last_batch_ = 0;     // entries the last flush wrote: the next queue's first size
  state state_ = state::open;
  bool flush_scheduled_ = false;
  bool waiting_writable_ = false;
  bool slow_consumer_ = false;  // output is being dropped until the handler has been told
  bool upgraded_ = false;       // handed to another protocol (WebSocket): for the metrics
  bool soft_watched_ = false;   // in the loop's soft_limit_watch
};

}  // namespace parley::net
