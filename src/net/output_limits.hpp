#pragma once

#include <chrono>
#include <cstddef>

namespace parley::net {

// How much unsent output a peer may leave unread. Above `hard` it is a slow consumer at once;
// above `soft`, once it has stayed there for `grace` (a burst or a slow link is forgiven).
struct output_limits {
  std::size_t hard = std::size_t{16} << 20;
  std::size_t soft = std::size_t{1} << 20;
  std::chrono::milliseconds grace{10'000};
};

}  // namespace parley::net
