#pragma once

#include <cstdint>

namespace parley::app {

// When to hand freed heap memory back to the system: once a burst of activity is over, or once
// the heap's live memory has fallen well below its peak. Fed once per tick the server's
// cumulative activity (bytes read and written, plus a weight per closed connection) and the bytes
// of heap in use; answers whether to release now. No clock, no malloc: the caller owns both.
//
// It releases when any of these holds:
// - the activity since the last release is at least `after_bytes` and the last tick's activity
//   was below `after_bytes / 16` (at least 1): a burst followed by quiet releases once; or
// - at least `after_bytes` of queued output has been freed unsent since the last release (slow
//   consumers dropped, connections closed with full queues): a flood's memory, whenever it held
//   it, even between two ticks; or
// - the heap in use has fallen by at least `after_bytes`, and by a quarter, from its peak seen at
//   a tick since the last release: clients that held memory have left, though the chat goes on;
//   its own ups and downs stay below that.
// A steady chat does neither, so a busy server does not give back pages only to fault them in
// again; and each release needs a new burst or a new peak, so it never releases every tick.
class release_policy {
 public:
  // `after_bytes` must be at least 1; `activity_now` is the counter's value at start.
  explicit release_policy(std::uint64_t after_bytes, std::uint64_t activity_now = 0);

  // One tick: `activity_now` is the cumulative counter (it never goes down; a lower value counts
  // as no activity), `heap_in_use` the bytes the heap holds for the program now (0 when unknown),
  // `output_dropped` the cumulative bytes of queued output freed unsent.
  // Returns true when memory should be released now, and then counts it as done.
  [[nodiscard]] bool tick(std::uint64_t activity_now, std::uint64_t heap_in_use = 0,
                          std::uint64_t output_dropped = 0);

  // Below this much activity in a tick, the server counts as quiet.
  [[nodiscard]] std::uint64_t quiet_below() const { return quiet_below_; }

 private:
  [[nodiscard]] bool burst_is_over(std::uint64_t this_tick) const;
  [[nodiscard]] bool heap_fell(std::uint64_t heap_in_use) const;

  std::uint64_t after_bytes_;     // activity (or heap fallen) since the last release worth one
  std::uint64_t quiet_below_;     // a tick with less activity than this is quiet
  std::uint64_t released_at_;     // the counter at the last release (or at start)
  std::uint64_t last_tick_;       // the counter at the previous tick
  std::uint64_t heap_peak_ = 0;   // the most heap in use seen at a tick since the last release
  std::uint64_t dropped_at_ = 0;  // the output_dropped counter at the last release
};

}  // namespace parley::app
