#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace parley::store {

// What happened in a room, as history keeps it.
enum class event_kind : std::uint8_t {
  message = 0,
  join = 1,
  leave = 2,
};

// One stored event of a room: the unit of history, replay and id allocation.
struct event {
  std::uint64_t id = 0;    // per room, from 1, never reused
  std::int64_t ts_ms = 0;  // server time, milliseconds since the Unix epoch
  event_kind kind = event_kind::message;
  std::string user;
  std::optional<unsigned> age;  // join: the age the user gave, if any
  std::string text;             // message: what was said
  std::string client_id;        // message: the sender's idempotency key, or empty
};

}  // namespace parley::store
