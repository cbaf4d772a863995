#pragma once

// What the room's translation units (room.cpp, room_cluster.cpp) share.

#include <chrono>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chat/legacy_protocol.hpp"
#include "chat/room_name.hpp"
#include "chat/v1/events.hpp"
#include "obs/escaped.hpp"
#include "obs/log.hpp"
#include "store/event.hpp"

namespace parley::chat::room_detail {

constexpr std::uint64_t k_no_limit = std::numeric_limits<std::uint64_t>::max();

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The chat log line of an event: the tutorial's text for the lobby, marked with its room
// elsewhere.
inline void log_event(std::string_view room, const store::event& event) {
  auto& log = obs::chat_log();
  if (!log.should_log(spdlog::level::info)) return;
  const std::string line = event.kind == store::event_kind::message
                               ? fmt::format("{}: {}", event.user, obs::escaped{event.text})
                               : legacy::event_text(event);
  if (room == k_default_room) {
    log.info("{}", line);
  } else {
    log.info("[{}] {}", room, line);
  }
}

// The JSON objects of replayed events in order, with a gap object wherever ids jump: before the
// first when it is above `expected` (0: no expectation), and after the last when `up_to` is above
// it.
class event_list {
 public:
  template <class Events>
  event_list(std::string_view room, const Events& events, std::uint64_t expected,
             std::uint64_t up_to) {
    gaps_.reserve(events.size() + 2);  // the views below point into it
    objects_.reserve(events.size() + 2);
    for (const auto& e : events) {
      if (expected != 0 && e.id > expected) add_gap(room, expected, e.id - 1);
      objects_.push_back(v1::event_json_in(e.frame));
      expected = e.id + 1;
    }
    if (expected != 0 && up_to >= expected) add_gap(room, expected, up_to);
  }
  [[nodiscard]] std::span<const std::string_view> objects() const { return objects_; }
  [[nodiscard]] std::size_t gaps() const { return gaps_.size(); }

 private:
  void add_gap(std::string_view room, std::uint64_t from, std::uint64_t to) {
    objects_.push_back(gaps_.emplace_back(v1::gap_json(room, from, to)));
  }
  std::vector<std::string> gaps_;
  std::vector<std::string_view> objects_;
};

}  // namespace parley::chat::room_detail
