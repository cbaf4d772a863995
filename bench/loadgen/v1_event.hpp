#pragma once

#include <cstddef>
#include <string_view>

#include "chat_line.hpp"

namespace parley::bench {

// Reads one parley.v1 event (the server's JSON, fields in the order it writes them) without
// allocating: `joined` is a greeting, `join`/`leave`/`message` as in the legacy protocol, with
// the event's id. `prefix` is the name prefix ("u").
chat_line classify_v1_event(std::string_view text, std::string_view prefix);

// The JSON around a `send` request's text: head + text + k_v1_send_tail. The text must need no
// escaping (ours is digits, spaces and 'x').
constexpr std::size_t k_v1_send_head_max = 64 + 64;  // a room name is at most 64 characters
std::size_t write_v1_send_head(char* out, std::string_view room);
constexpr std::string_view k_v1_send_tail = "\"}";

}  // namespace parley::bench
