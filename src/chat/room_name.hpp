#pragma once

#include <cstddef>
#include <string_view>

namespace parley::chat {

// The tutorial's one room, and the room a client without `room=` joins.
constexpr std::string_view k_default_room = "lobby";
constexpr std::size_t k_max_room_name = 64;

// Why `name` is not a valid room name (1-64 of A-Z a-z 0-9 - _ .), or an empty view when it is.
std::string_view room_name_problem(std::string_view name);

}  // namespace parley::chat
