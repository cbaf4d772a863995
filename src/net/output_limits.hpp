#pragma once

#include <chrono>
#include <cstddef>

namespace parley::net {

// How much unsent output a peer may leave unread. Above `hard` it is a slow consumer at once;
// above `soft`, once it has stayed there for `grace` (a burst or a slow link is forgiven), checked
// when more is queued and when the grace period ends. Both count the connection's own queue; the
// kernel's send buffer holds more before it, which `socket_send_buffer` bounds.
struct output_limits {
  std::size_t hard = std::size_t{16} << 20;
  std::size_t soft = std::size_t{1} << 20;
  std::chrono::milliseconds grace{10'000};
  // SO_SNDBUF of each connection (the kernel doubles it for its bookkeeping and caps it at
  // net.core.wmem_max); 0: the kernel's own, autotuned up to tcp_wmem's maximum (4 MiB).
  std::size_t socket_send_buffer = 0;
};

}  // namespace parley::net
