#pragma once

#include <cstddef>
#include <functional>

namespace parley::chat {

// Runs work on one of the event loops. The chat layer reaches other threads only through this,
// so it never sees a socket and its tests can run every loop's work on one thread.
class executor {
 public:
  virtual ~executor() = default;
  [[nodiscard]] virtual std::size_t loop_count() const = 0;
  // Runs `task` later on loop `loop`; tasks posted to one loop run in the order posted.
  virtual void post(std::size_t loop, std::function<void()> task) = 0;
};

}  // namespace parley::chat
