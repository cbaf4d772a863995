#pragma once

#include <cstdint>
#include <string_view>

namespace parley::chat::v1 {

// Why a parley.v1 request was refused: the `code` of the `error` event (docs/protocol.md).
// The connection stays open after each of them.
enum class error_code : std::uint8_t {
  bad_json,             // not one JSON object
  bad_request,          // a field missing, of the wrong type or out of range
  unknown_type,         // `type` names no request
  bad_room,             // not a valid room name
  not_joined,           // a request for a room the connection is not in (or not yet)
  already_joined,       // join of a room the connection is in
  too_many_rooms,       // over limits.max_rooms_per_connection
  room_limit,           // the server holds limits.max_rooms rooms already
  text_too_long,        // over limits.max_text_bytes
  rate_limited,         // history requests faster than limits.history_per_second
  history_unavailable,  // the store could not be read
  unavailable,          // cluster mode: Redis could not be reached, the message was not sent
  invalid_token,        // a refresh whose token is not valid for this user
  count,
};

std::string_view name(error_code code);

}  // namespace parley::chat::v1
