#pragma once

#include <cstdint>

#include "ws/frame_encoder.hpp"

namespace parley::chat {

// The wire protocol a member speaks, chosen at the upgrade by Sec-WebSocket-Protocol.
enum class protocol : std::uint8_t {
  legacy,  // the tutorial's text lines
  v1,      // parley.v1 JSON events
};

// One event, encoded at most once per protocol; a null frame is not for that protocol (typing
// has no legacy form).
struct event_frames {
  ws::shared_frame legacy;
  ws::shared_frame v1;

  [[nodiscard]] const ws::shared_frame& for_protocol(protocol p) const {
    return p == protocol::legacy ? legacy : v1;
  }
};

}  // namespace parley::chat
