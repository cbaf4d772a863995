#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chat/cluster_bus.hpp"

// How a room's event travels between nodes: a JSON object in the room's Redis Stream and
// channel. The publish script puts "id" (and for joins "users") in front of what the node sends.
namespace parley::cluster {

// The event's fields after the id, without the opening brace: `"ts":...,"kind":"join",...}`.
std::string encode_event_tail(const chat::cluster_event& e);
// A typing notice: a whole JSON object, published but not stored.
std::string encode_typing(const std::string& user, const std::string& node, std::uint64_t member);
// A whole event as the script made it, or a typing notice; nothing when it is neither (a foreign
// writer).
std::optional<chat::cluster_event> decode_event(std::string_view json);

}  // namespace parley::cluster
