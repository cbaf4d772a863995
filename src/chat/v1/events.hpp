#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chat/v1/error_code.hpp"
#include "store/event.hpp"
#include "ws/frame_encoder.hpp"

// The server's events of the structured protocol parley.v1, encoded as JSON text frames
// (docs/protocol.md; docs/protocol.schema.json).
namespace parley::chat::v1 {

// The subprotocol a client offers in Sec-WebSocket-Protocol to speak parley.v1.
constexpr std::string_view k_subprotocol = "parley.v1";

// What `hello` tells a client about the limits it must keep.
struct limits_info {
  std::uint64_t max_message_size = 0;
  std::uint64_t max_text_bytes = 0;
  std::size_t max_rooms = 0;
  unsigned history_limit = 0;
  unsigned typing_interval_ms = 0;
};

// "2026-01-02T15:04:05.123Z" for milliseconds since the Unix epoch.
std::string iso_timestamp(std::int64_t ms);

// A stored event (message, join or leave) of `room` as its JSON object.
std::string event_json(std::string_view room, const store::event& event);
// The same as one text frame, encoded once and shared by every recipient.
ws::shared_frame event_frame(std::string_view room, const store::event& event);
// The JSON object of a stored event inside a frame made by event_frame.
inline std::string_view event_json_in(const ws::shared_frame& frame) {
  return ws::server_frame_payload(*frame);
}

// Ids `from`..`to` of `room` that cannot be replayed (expired, lost in a crash, or past the
// replay limit).
std::string gap_json(std::string_view room, std::uint64_t from, std::uint64_t to);

ws::shared_frame hello_frame(std::string_view user, std::string_view version,
                             const limits_info& limits);
// The answer to a refresh: the new token's `exp` (seconds since the Unix epoch), none: never.
ws::shared_frame refreshed_frame(std::optional<std::int64_t> expires);
// `events`: JSON objects (events and gaps), in order.
ws::shared_frame joined_frame(std::string_view room, std::span<const std::string> users,
                              std::uint64_t last_id, std::span<const std::string_view> events,
                              bool reset);
ws::shared_frame history_frame(std::string_view room, std::span<const std::string_view> events);
ws::shared_frame typing_frame(std::string_view room, std::string_view user);
// `room` and `client_id` are left out when empty.
ws::shared_frame error_frame(error_code code, std::string_view reason, std::string_view room,
                             std::string_view client_id);

}  // namespace parley::chat::v1
