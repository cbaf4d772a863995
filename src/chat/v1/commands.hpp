#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chat/v1/error_code.hpp"

namespace parley::chat::v1 {

enum class command_type : std::uint8_t { send, join, leave, history, typing, refresh };

// Most events one history request may ask for.
constexpr unsigned k_max_history_limit = 100;
// Longest client_id: an idempotency key (a UUID is 36 characters).
constexpr std::size_t k_max_client_id = 64;

// One request from a parley.v1 client, its fields checked for type and range (room names and
// membership are checked by the caller).
struct command {
  command_type type = command_type::send;
  std::string room;
  std::string text;                     // send
  std::string client_id;                // send; empty when not given
  std::optional<std::uint64_t> since;   // join
  std::optional<std::uint64_t> before;  // history; none: from the newest
  unsigned limit = 50;                  // history, 1..k_max_history_limit
  std::string token;                    // refresh: the new JWT (the only request without a room)
};

// A request that could not be read: the error event's fields.
struct command_error {
  error_code code = error_code::bad_request;
  std::string reason;
  std::string room;       // when the request named one
  std::string client_id;  // when the request carried one
};

// Reads one text message of the structured protocol.
std::variant<command, command_error> parse_command(std::string_view text);

}  // namespace parley::chat::v1
