#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::http {

// New WebSocket connections per second per client address (limits.accepts_per_second_per_ip),
// across every event loop: a token bucket per address, `burst` at once, then `rate` a second.
// Kept as each address's "theoretical arrival time" (GCRA), one time point per address; an
// address whose bucket has filled up again is forgotten, so the map holds only recent openers.
// Taken once per upgrade under a mutex; nothing on the message path touches it.
class address_rate {
 public:
  using clock = std::chrono::steady_clock;

  address_rate(double rate = 0, double burst = 1);  // rate 0: no limit

  // Takes one token for `address` at `now`; false (and nothing taken) when its bucket is empty.
  [[nodiscard]] bool admit(const std::string& address, clock::time_point now);
  [[nodiscard]] double rate() const { return rate_; }
  // Addresses remembered now (tests: forgetting works).
  [[nodiscard]] std::size_t tracked() const;

 private:
  struct state {
    mutable std::mutex mutex;
    std::unordered_map<std::string, clock::time_point> full_at;  // when each bucket is full again
    std::size_t admits_since_sweep = 0;
  };
  void sweep(clock::time_point now);  // under the mutex

  double rate_;
  clock::duration interval_{};   // one token's worth of time: 1 / rate
  clock::duration tolerance_{};  // how far ahead of now full_at may be: burst / rate
  std::unique_ptr<state> state_;
};

}  // namespace parley::http
