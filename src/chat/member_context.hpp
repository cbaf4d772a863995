#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "chat/name_registry.hpp"
#include "chat/room_directory.hpp"

namespace parley::auth {
class jwt_verifier;
}

namespace parley::chat {

// Limits on what one connection may ask of the chat (the [limits] keys).
struct member_limits {
  std::uint64_t max_message_size = std::uint64_t{64} * 1024;  // told in hello (ws enforces it)
  std::uint64_t max_text_bytes = std::uint64_t{16} * 1024;    // of a parley.v1 message's text
  std::size_t max_rooms_per_connection = 64;
  unsigned history_per_second = 10;     // history requests; as many may come in a burst
  unsigned messages_per_second = 20;    // every WebSocket message; 0: no limit
  unsigned messages_burst = 40;         // ... as many at once
  unsigned legacy_rate_tolerance = 10;  // legacy messages owed beyond the burst before close 1008
  std::chrono::milliseconds typing_interval{2000};  // at most one typing per user and room
};

// What every member's connection shares: the names, the rooms, the limits.
struct member_context {
  name_registry& names;
  room_directory& rooms;
  member_limits limits;
  std::string version;  // the server's, told in hello
  const auth::jwt_verifier* verifier = nullptr;  // checks tokens; null: no authentication
};

}  // namespace parley::chat
