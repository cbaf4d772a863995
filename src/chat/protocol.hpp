#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "ws/frame_deflater.hpp"
#include "ws/frame_encoder.hpp"

namespace parley::chat {

// The wire protocol a member speaks, chosen at the upgrade by Sec-WebSocket-Protocol.
enum class protocol : std::uint8_t {
  legacy,  // the tutorial's text lines
  v1,      // parley.v1 JSON events
};

// The permessage-deflate twins of one event's frames, each made at most once, shared by every
// loop's members that negotiated compression.
struct deflated_frames {
  std::size_t min_size = ws::k_default_deflate_min_size;  // shorter payloads stay plain
  ws::deflated_twin legacy;
  ws::deflated_twin v1;
};

// One event, encoded at most once per protocol; a null frame is not for that protocol (typing
// has no legacy form).
struct event_frames {
  ws::shared_frame legacy;
  ws::shared_frame v1;
  // Set by a room whose server compresses (ws.compression); null: every member gets the plain.
  std::shared_ptr<deflated_frames> deflated;

  [[nodiscard]] const ws::shared_frame& for_protocol(protocol p) const {
    return p == protocol::legacy ? legacy : v1;
  }
  // The frame for a member that negotiated permessage-deflate, compressing it on first demand
  // (counted on `loop`'s metrics).
  [[nodiscard]] const ws::shared_frame& deflated_for(protocol p, std::size_t loop) const {
    const auto& plain = for_protocol(p);
    if (!deflated || !plain) return plain;
    const auto& twin = p == protocol::legacy ? deflated->legacy : deflated->v1;
    return twin.of(plain, deflated->min_size, loop);
  }
};

}  // namespace parley::chat
