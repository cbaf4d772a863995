#pragma once

#include <chrono>

namespace parley::chat {

// A token bucket: `rate` tokens a second, never more than `burst` kept, full at first. Each
// request takes one token; a client may send `burst` at once, then `rate` a second. Lives on its
// connection's loop (no locking); the caller passes the time so tests need no clock.
class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  // Takes one token. When fewer than one is left it takes it anyway as debt, as long as no more
  // than `max_debt` tokens would then be owed (repaid at `rate` before the bucket fills again);
  // else takes nothing and returns false.
  bool take(clock::time_point now, double max_debt = 0);
  // Tokens left at the last take (negative: owed).
  [[nodiscard]] double tokens() const { return tokens_; }

 private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point refilled_at_{};  // the epoch until the first take
};

}  // namespace parley::chat
