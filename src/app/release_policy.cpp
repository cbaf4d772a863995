#include "app/release_policy.hpp"

#include <algorithm>

namespace parley::app {

namespace {
// A tick counts as quiet below 1/16 of a burst: with the defaults, under 1 MiB a second.
constexpr std::uint64_t k_quiet_share = 16;

std::uint64_t since(std::uint64_t now, std::uint64_t then) {
  return now > then ? now - then : 0;
}
}  // namespace

release_policy::release_policy(std::uint64_t after_bytes, std::uint64_t activity_now)
    : after_bytes_(std::max<std::uint64_t>(after_bytes, 1)),
      quiet_below_(std::max<std::uint64_t>(after_bytes_ / k_quiet_share, 1)),
      released_at_(activity_now),
      last_tick_(activity_now) {}

bool release_policy::tick(std::uint64_t activity_now) {
  const std::uint64_t this_tick = since(activity_now, last_tick_);
  last_tick_ = std::max(last_tick_, activity_now);
  if (since(last_tick_, released_at_) < after_bytes_ || this_tick >= quiet_below_) return false;
  released_at_ = last_tick_;
  return true;
}

}  // namespace parley::app
