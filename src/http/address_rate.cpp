#include "http/address_rate.hpp"

#include <algorithm>

namespace parley::http {

namespace {
// Forgotten buckets are swept once the map holds this many addresses and as many admits went by,
// so a sweep's cost is spread over the upgrades that made it necessary.
constexpr std::size_t k_sweep_after = 1024;
}  // namespace

address_rate::address_rate(double rate, double burst)
    : rate_(rate), state_(std::make_unique<state>()) {
  if (rate_ <= 0) return;
  interval_ = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1 / rate_));
  tolerance_ = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(std::max(1.0, burst) / rate_));
}

bool address_rate::admit(const std::string& address, clock::time_point now) {
  if (rate_ <= 0) return true;
  std::lock_guard lock(state_->mutex);
  if (++state_->admits_since_sweep >= k_sweep_after && state_->full_at.size() >= k_sweep_after) {
    sweep(now);
  }
  // full_at - now is the time the bucket needs to fill: the tokens taken, times the interval.
  auto [entry, added] = state_->full_at.try_emplace(address, now);
  const auto full_at = std::max(entry->second, now);
  if (full_at + interval_ - now > tolerance_) return false;
  entry->second = full_at + interval_;
  return true;
}

void address_rate::sweep(clock::time_point now) {
  std::erase_if(state_->full_at, [now](const auto& entry) { return entry.second <= now; });
  state_->admits_since_sweep = 0;
}

std::size_t address_rate::tracked() const {
  std::lock_guard lock(state_->mutex);
  return state_->full_at.size();
}

}  // namespace parley::http
