#pragma once

#include <cstdint>

namespace parley::app {

// When to hand freed heap memory back to the system: once a burst of activity is over. Fed the
// server's cumulative activity (bytes read and written, plus a weight per closed connection) once
// per tick; answers whether to release now. No clock, no malloc: the caller owns both.
//
// It releases when the activity since the last release is at least `after_bytes` and the last
// tick's activity was below `after_bytes / 16` (at least 1): a burst followed by quiet releases
// once; a steady chat busier than that per tick never does, so a busy server does not give back
// pages only to fault them in again.
class release_policy {
 public:
  // `after_bytes` must be at least 1; `activity_now` is the counter's value at start.
  explicit release_policy(std::uint64_t after_bytes, std::uint64_t activity_now = 0);

  // One tick: `activity_now` is the cumulative counter (it never goes down; a lower value counts
  // as no activity). Returns true when memory should be released now, and then counts it as done
  // (the next release needs another `after_bytes` of activity).
  [[nodiscard]] bool tick(std::uint64_t activity_now);

  // Below this much activity in a tick, the server counts as quiet.
  [[nodiscard]] std::uint64_t quiet_below() const { return quiet_below_; }

 private:
  std::uint64_t after_bytes_;  // activity since the last release that makes one worthwhile
  std::uint64_t quiet_below_;  // a tick with less activity than this is quiet
  std::uint64_t released_at_;  // the counter at the last release (or at start)
  std::uint64_t last_tick_;    // the counter at the previous tick
};

}  // namespace parley::app
