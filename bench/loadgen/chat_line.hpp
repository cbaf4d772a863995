#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::bench {

// What one text frame from the server says, in the tutorial's legacy protocol (v1_event.hpp
// reads parley.v1 events into the same shape).
enum class line_kind {
  greeting,  // "Hi u3! You have successfully connected to the chat"; v1: `joined`
  join,      // "u7 with age 1 connected to chat" (one of ours: prefix + digits)
  leave,     // "u7 left the chat"
  message,   // "u7: 12 123456789 xxxx", a loadgen message from client 7
  hello,     // v1 only: `hello`, once per connection before its first `joined`
  other,     // anything else: a stranger's line or a message not in our format
};

struct chat_line {
  line_kind kind = line_kind::other;
  std::uint32_t client = 0;       // join, leave, message: the index after the prefix
  std::uint32_t seq = 0;          // message: the sender's sequence number, from 1
  std::int64_t sent_ns = 0;       // message: the sender's CLOCK_MONOTONIC at sending
  std::uint64_t id = 0;           // v1: the event's id (joined: last_id); 0 in the legacy protocol
  std::uint32_t replayed = 0;     // v1 joined: stored events in `events` (gaps not counted)
  std::uint32_t replay_gaps = 0;  // v1 joined: `gap` objects in `events`
};

// Classifies `text` without allocating; `prefix` is the name prefix ("u").
chat_line classify_line(std::string_view text, std::string_view prefix);

// Writes the start of a message text, "{seq} {sent_ns} ", into `out` (room for
// k_message_prefix_max bytes); the sender pads it with 'x' to the message size.
// Returns the length written.
constexpr std::size_t k_message_prefix_max = 32;
std::size_t write_message_prefix(char* out, std::uint32_t seq, std::int64_t sent_ns);

}  // namespace parley::bench
