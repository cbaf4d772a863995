#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

namespace parley::net {

class connection;

// The connections of one loop that are above their soft output limit, each with the end of its
// grace period, on one timer. Queueing output checks the limit too, but a client that stopped
// reading in a room that then went quiet is queued nothing more: this closes it on time anyway.
// Holds each watched connection alive until its check (a closed one is dropped then).
class soft_limit_watch {
 public:
  using clock = std::chrono::steady_clock;

  explicit soft_limit_watch(boost::asio::io_context& context) : timer_(context) {}

  // Calls conn->on_grace_over() at `when` (or soon after), on the loop's thread.
  void watch(std::shared_ptr<connection> conn, clock::time_point when);
  [[nodiscard]] std::size_t size() const { return due_.size(); }

 private:
  struct entry {
    clock::time_point when;
    std::shared_ptr<connection> conn;
    bool operator>(const entry& other) const { return when > other.when; }
  };

  void arm();
  void expire();

  std::priority_queue<entry, std::vector<entry>, std::greater<>> due_;  // earliest first
  boost::asio::steady_timer timer_;
  std::optional<clock::time_point> armed_for_;
};

}  // namespace parley::net
