#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chat/room_name.hpp"

namespace parley::chat {

// Who wants to join, from "/chat/{username}?age=N&room=R&since=ID".
struct join_request {
  std::string username;
  std::optional<unsigned> age;
  std::string room{k_default_room};    // the first room (a legacy client's only one)
  std::optional<std::uint64_t> since;  // parley.v1: resume the first room after this id
  std::string token;                   // ?token=: a JWT, when authentication is on (decoded)
  // The verified token's `exp` (seconds since the Unix epoch): the connection closes with 4001
  // then. None: no token, or one that never expires.
  std::optional<std::int64_t> expires;
};

// Why a join request is refused: the close reason (1008) the client is shown.
struct join_refusal {
  std::string reason;
  bool bad_token = false;  // authentication failed (counted apart from bad names)
  bool expired = false;    // ... because the token has expired: close 4001, not 1008
};

// Longest username, in Unicode code points.
constexpr std::size_t k_max_username_chars = 32;
constexpr unsigned k_max_age = 150;

// Reads the username (percent-decoded path segment after `prefix`) and the age, room and since
// query parameters, and validates them.
std::variant<join_request, join_refusal> parse_join_target(std::string_view target,
                                                           std::string_view prefix = "/chat/");

// RFC 3986 percent-decoding; nothing for a malformed escape ("%G1", a trailing "%").
std::optional<std::string> percent_decode(std::string_view text);

// Why `name` (already decoded) is not a valid username, or an empty view when it is.
std::string_view username_problem(std::string_view name);

}  // namespace parley::chat
