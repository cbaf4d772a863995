#pragma once

// An in-memory net::transport for tests of the protocol layers: records what is sent and what
// the connection is asked to do, with no socket behind it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "net/transport.hpp"

namespace parley::test_support {

class fake_transport final : public net::transport {
 public:
  explicit fake_transport(std::size_t loop = 3) : loop_(loop) {}

  void send(const net::shared_bytes& bytes) override { record(*bytes); }
  void send(std::string bytes) override { record(bytes); }
  // As the connection's: queued even for a slow consumer.
  void send_last(std::string bytes) override { record(bytes, true); }
  void close_after_flush() override { ++close_after_flush_calls; }
  void close_now() override { ++close_now_calls; }
  bool is_open() const override { return sends_until_slow != 0 && !asked_to_close(); }
  std::chrono::steady_clock::time_point now() const override { return clock; }
  void start_timer(std::chrono::milliseconds delay) override { timers_started.push_back(delay); }
  void cancel_timer() override { ++timer_cancels; }
  void replace_handler(std::unique_ptr<net::connection_handler> handler) override {
    ++handler_replacements;
    replacement = std::move(handler);
  }
  std::size_t loop_index() const override { return loop_; }
  std::string remote_address() const override { return remote; }

  bool asked_to_close() const { return close_after_flush_calls + close_now_calls > 0; }

  std::string remote = "192.0.2.7:40000";  // the peer, as remote_address() tells it
  std::string sent;                        // every byte sent, in order
  // A slow consumer: the transport takes this many more sends, then drops output and is no longer
  // open until a test sets it back to -1 (never slow).
  int sends_until_slow = -1;
  int sends_after_close = 0;  // a real connection drops these: the session must not rely on them
  int close_after_flush_calls = 0;
  int close_now_calls = 0;
  std::vector<std::chrono::milliseconds> timers_started;
  std::chrono::steady_clock::time_point clock{};  // the time now() reports; tests move it
  int timer_cancels = 0;
  int handler_replacements = 0;
  std::unique_ptr<net::connection_handler> replacement;  // the last handler handed over

 private:
  void record(const std::string& bytes, bool last = false) {
    if (sends_until_slow == 0 && !last) return;  // dropped
    if (sends_until_slow > 0) --sends_until_slow;
    if (asked_to_close()) ++sends_after_close;
    sent += bytes;
  }

  std::size_t loop_;
};

}  // namespace parley::test_support
