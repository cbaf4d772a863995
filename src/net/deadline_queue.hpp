#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace parley::net {

class connection;

// The deadlines of one loop's connections on one Asio timer: a min-heap of (time, connection).
// Each connection has at most one deadline; it costs a 16-byte heap entry instead of a timer of
// its own and a pending wait (about 250 bytes), which matters for thousands of idle connections.
class deadline_queue {
 public:
  static constexpr std::uint32_t k_none = std::numeric_limits<std::uint32_t>::max();
  using clock = std::chrono::steady_clock;

  explicit deadline_queue(boost::asio::io_context& context) : timer_(std::in_place, context) {}

  // Sets (or moves) the connection's deadline.
  void schedule(connection& conn, clock::time_point when);
  void cancel(connection& conn);
  // Destroys the timer; the loop calls it before its io_context goes (cancel() still works after).
  void release_timer() { timer_.reset(); }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }

 private:
  struct entry {
    clock::time_point when;
    connection* conn;
  };

  void place(std::size_t slot, entry item);
  void sift_up(std::size_t slot);
  void sift_down(std::size_t slot);
  void remove(std::size_t slot);
  void arm();
  void expire();

  std::vector<entry> heap_;
  std::optional<boost::asio::steady_timer> timer_;
  std::optional<clock::time_point> armed_for_;
};

}  // namespace parley::net
