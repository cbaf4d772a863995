#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "app/release_policy.hpp"

namespace parley::net {
class event_loop;
}
namespace parley::obs::metrics {
struct loop_metrics;
}

namespace parley::app {

// The server's activity so far, for release_policy: bytes read and written by every loop, plus a
// weight per connection ended (what it freed). Reads the loops' counters with relaxed loads, so
// any thread may call it; the sum never goes down.
std::uint64_t activity(std::span<const obs::metrics::loop_metrics> loops);
// Queued output the loops freed unsent (slow consumers dropped, connections closed with output
// left), in bytes: all of it heap that is free now. The same kind of sum as activity().
std::uint64_t output_dropped(std::span<const obs::metrics::loop_metrics> loops);

// Hands freed heap memory back to the system once a burst is over or the heap in use has fallen
// well below its peak. glibc keeps what the server frees in the middle of its heap (10,000 joins
// free millions of notices, a flood's full output queues free as many frames), so without this
// the RSS stays far above what is live. Every `interval`, on `loop` (its thread only), it asks a
// release_policy about the activity of the first `loop_count` loops and the heap in use
// (mallinfo2, which walks each arena's free lists: once an interval, not per turn) and, when told
// to, calls malloc_trim(0), counts it in `loop`'s metrics and logs the RSS before and after at
// debug.
class memory_release {
 public:
  memory_release(net::event_loop& loop, std::size_t loop_count, std::chrono::milliseconds interval,
                 std::uint64_t after_bytes);
  memory_release(const memory_release&) = delete;
  memory_release& operator=(const memory_release&) = delete;
  // Destroy only once `loop` has stopped (its pending wait is then dropped, never run).
  ~memory_release() = default;

  // Schedules the first check (posted to the loop: safe before or after it starts).
  void start();

 private:
  void do_wait();
  void on_tick(boost::system::error_code ec);
  void release();

  net::event_loop& loop_;
  std::size_t loop_count_;              // loops whose activity counts
  std::chrono::milliseconds interval_;  // between checks
  release_policy policy_;
  boost::asio::steady_timer timer_;  // on loop_'s io_context
};

}  // namespace parley::app
