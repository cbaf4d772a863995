#pragma once

#include <memory>

#include "net/transport.hpp"

namespace parley::fuzz {

// A transport that keeps nothing: the fuzzers look for crashes and sanitizer reports, and a
// handler swap (HTTP upgrade) is honoured so the WebSocket layer behind it is reached too.
class recording_transport final : public net::transport {
 public:
  void send(const net::shared_bytes& bytes) override { sent_bytes += bytes->size(); }
  void send(std::string bytes) override { sent_bytes += bytes.size(); }
  void close_after_flush() override { closed = true; }
  void close_now() override { closed = true; }
  bool is_open() const override { return !closed; }
  void start_timer(std::chrono::milliseconds) override {}
  void cancel_timer() override {}
  void replace_handler(std::unique_ptr<net::connection_handler> next) override {
    retired = std::move(handler);
    handler = std::move(next);
  }
  std::size_t loop_index() const override { return 0; }

  // Feeds bytes as the real connection does: unconsumed bytes are offered again with the next
  // piece, and a new handler gets what the old one did not take.
  void feed(std::string& pending) {
    while (!closed && !pending.empty()) {
      auto* current = handler.get();
      const std::size_t used = current->on_data(std::span<char>(pending.data(), pending.size()));
      pending.erase(0, used);
      retired.reset();
      if (handler.get() == current) break;
    }
  }

  std::unique_ptr<net::connection_handler> handler;
  std::unique_ptr<net::connection_handler> retired;
  std::size_t sent_bytes = 0;
  bool closed = false;
};

}  // namespace parley::fuzz
