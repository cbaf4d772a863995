#include "chat/token_bucket.hpp"

#include <algorithm>

namespace parley::chat {

bool token_bucket::take(clock::time_point now, double max_debt) {
  if (refilled_at_ != clock::time_point{} && now > refilled_at_) {
    const std::chrono::duration<double> elapsed = now - refilled_at_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  }
  refilled_at_ = std::max(refilled_at_, now);
  if (tokens_ - 1.0 < -max_debt) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace parley::chat
