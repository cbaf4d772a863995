#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "chat_line.hpp"
#include "client_connection.hpp"
#include "frame_reader.hpp"
#include "histogram.hpp"
#include "message_inflater.hpp"
#include "options.hpp"
#include "run_control.hpp"

namespace parley::bench {

struct error_counts {
  std::uint64_t connect_failed = 0;
  std::uint64_t handshake_failed = 0;
  std::uint64_t unexpected_close = 0;  // EOF, reset or a close frame before we stopped
  std::uint64_t protocol = 0;          // a frame we cannot parse
  std::uint64_t timeouts = 0;          // set by the controller
  std::uint64_t total() const {
    return connect_failed + handshake_failed + unexpected_close + protocol + timeouts;
  }
};

// A worker's final counts, read by the controller after the thread has ended.
struct worker_totals {
  std::uint64_t greetings = 0, join_notices = 0, leaves = 0, other_lines = 0, pings = 0;
  std::uint64_t deliveries = 0, deliveries_measured = 0;
  std::uint64_t sent = 0, sent_measured = 0;
  std::uint64_t expected_deliveries = 0;  // per message sent, the members of its room
  std::uint64_t out_of_order = 0;         // a seq at or below one already seen from that sender
  std::uint64_t seq_gaps = 0;             // seqs skipped (lost unless they turn up late)
  std::int64_t last_join_ns = 0;          // latest greeting or join notice
  // storm
  std::uint64_t observer_leaves = 0;  // leave events seen by client 0
  std::uint64_t resumed = 0;          // joined events received by reconnecting clients
  std::uint64_t replayed = 0;         // stored events in those joined events (own join excluded)
  std::uint64_t replay_min = ~std::uint64_t{0};  // the fewest in one
  std::uint64_t replay_gaps = 0;                 // gap objects in them
  std::int64_t last_resumed_ns = 0;
  error_counts errors;
  histogram latency;  // µs, messages sent inside the measured window
};

// One thread's share of the clients (client i belongs to worker i % threads) and its epoll
// loop. Single-threaded inside; talks to the controller through `command` and `progress`.
class worker {
 public:
  worker(const options& opts, const sockaddr_in& server, unsigned index,
         const std::atomic<command>& cmd, const send_schedule& schedule);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  void run();
  void wake();  // from the controller, after changing the command
  progress& published() { return progress_; }
  const worker_totals& totals() const { return totals_; }

 private:
  // Many frames per read(); a whole frame must fit in half of it: a v1 `joined` replaying 1,000
  // events is about 170 KB.
  static constexpr std::size_t k_read_buffer = 1024 * 1024;
  static constexpr std::uint64_t k_wake_tag = ~std::uint64_t{0};

  // worker.cpp: the loop
  void handle_command();
  void start_sending();
  void disconnect_for_storm();
  void schedule_rate_sends(std::int64_t now);
  std::int64_t next_deadline() const;
  void publish();
  // worker_io.cpp: sockets
  void start_connects();
  void open_connection(client_connection& c);
  void on_event(client_connection& c, std::uint32_t events);
  void on_connected(client_connection& c);
  std::string handshake_query(const client_connection& c) const;
  void on_readable(client_connection& c, bool drain_to_eof);
  void flush_all();
  void flush(client_connection& c);
  void queue_flush(client_connection& c);
  void close_connection(client_connection& c);
  void fail(client_connection& c, std::uint64_t& counter);
  // worker_traffic.cpp: bytes to frames to chat lines, and sending
  std::size_t consume(client_connection& c, char* data, std::size_t size);
  std::size_t consume_frames(client_connection& c, char* data, std::size_t size);
  void on_frame(client_connection& c, const frame& f, std::span<char> payload);
  void on_text(client_connection& c, std::string_view text);
  void on_greeting(client_connection& c, const chat_line& line);
  void on_message(client_connection& c, const chat_line& line);
  void write_pending_messages(sender_state& s, std::int64_t now);

  const options& opts_;
  message_inflater inflater_;  // --compression: the server's compressed messages
  std::string inflated_;       // the last one, inflated
  sockaddr_in server_;
  unsigned index_;
  const std::atomic<command>& command_;
  const send_schedule& schedule_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd the controller writes to
  std::mt19937_64 random_;

  std::vector<client_connection> connections_;
  std::vector<sender_state> senders_;
  std::vector<std::uint32_t> last_seq_;  // [local receiver * senders + sender], fanout only
  std::vector<std::uint32_t> flush_list_;
  std::unique_ptr<char[]> read_buffer_;

  std::uint32_t next_connect_ = 0;  // local index of the next connection to open
  std::uint32_t handshakes_in_flight_ = 0;
  std::uint32_t max_in_flight_;
  command seen_command_ = command::connect;
  bool sending_ = false;              // fanout senders are active
  bool stopping_ = false;             // closes from here on are ours
  std::uint64_t next_rate_slot_ = 0;  // rate mode: global message number due next
  std::int64_t now_ = 0;              // CLOCK_MONOTONIC of the current read batch

  worker_totals totals_;
  progress progress_;
};

}  // namespace parley::bench
