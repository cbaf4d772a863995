#pragma once

#include <time.h>

#include <cstdint>

namespace parley::bench {

// CLOCK_MONOTONIC in nanoseconds: the send times in messages, so sender and receivers must share
// a host.
inline std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t seconds_to_ns(double s) {
  return static_cast<std::int64_t>(s * 1e9);
}

}  // namespace parley::bench
