#pragma once

#include <atomic>
#include <cstdint>

namespace parley::bench {

enum class command : int {
  connect,        // open this worker's connections (from the start)
  start_sending,  // fanout: the schedule below is set; senders go
  disconnect,     // storm: clients 1..N drop their connections (TCP close, no close frame)
  seed,           // storm: client 0 sends --history messages at once
  reconnect,      // storm: clients 1..N connect again with since = storm_since
  stop,           // close everything and return from run()
};

// The fanout schedule, CLOCK_MONOTONIC ns. Written before command::start_sending is released.
struct send_schedule {
  std::int64_t warmup_start = 0;
  std::int64_t measure_start = 0;  // latency and deliveries/s count from here
  std::int64_t measure_end = 0;    // senders stop here
  std::uint64_t storm_since = 0;   // storm: the since= of every reconnect
};

// Published by a worker at the end of every loop turn (relaxed stores of its own counters), so
// the controller can watch progress without touching the worker's state.
struct alignas(64) progress {
  std::atomic<std::uint64_t> greetings{0};
  std::atomic<std::uint64_t> join_notices{0};
  std::atomic<std::uint64_t> deliveries{0};  // loadgen messages received, every phase
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> expected_deliveries{0};  // sent × the members of each one's room
  std::atomic<std::uint64_t> observer_last_id{0};     // storm: the last id client 0 has seen
  std::atomic<std::uint64_t> observer_leaves{0};      // storm: leave events client 0 has seen
  std::atomic<std::uint64_t> resumed{0};              // storm: reconnects that got their joined
  std::atomic<std::int64_t> last_resumed_ns{0};       // storm: when the latest of those came
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::int64_t> last_join_ns{0};  // latest greeting or join notice
  std::atomic<bool> senders_done{false};      // `sent` is final
};

}  // namespace parley::bench
