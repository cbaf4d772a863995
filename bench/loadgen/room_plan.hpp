#pragma once

#include <cstdint>
#include <string>

#include "options.hpp"

namespace parley::bench {

// Which room each client is in: client i in room i % rooms, over opts.connections() clients.

inline std::uint32_t room_of(const options& opts, std::uint32_t client) {
  return client % opts.rooms;
}

// "lobby" (the server's default room) when there is one room, else "r{k}".
inline std::string room_name(const options& opts, std::uint32_t room) {
  if (opts.rooms == 1) return "lobby";
  std::string name = "r";
  name += std::to_string(room);
  return name;
}

// Members of room `room`: the clients i < connections() with i % rooms == room.
inline std::uint64_t room_size(const options& opts, std::uint32_t room) {
  const std::uint32_t n = opts.connections();
  return n / opts.rooms + (room < n % opts.rooms ? 1 : 0);
}

// Join notices when every client joins once: in a room of m, the k-th to join hears of the
// m-1-k after it, m(m-1)/2 in all.
inline std::uint64_t expected_join_notices(const options& opts) {
  std::uint64_t total = 0;
  for (std::uint32_t r = 0; r < opts.rooms; ++r) {
    const std::uint64_t m = room_size(opts, r);
    total += m * (m - (m > 0 ? 1 : 0)) / 2;
  }
  return total;
}

}  // namespace parley::bench
