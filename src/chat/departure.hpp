#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "chat/name_registry.hpp"

namespace parley::chat {

// A connection leaving its rooms. Each room's home loop calls room_left() when it sequences the
// leave; the last one frees the username, right before that room is told, so a name is free again
// by the time anyone sees its holder leave and never while a room still lists its holder. A
// connection that leaves rooms while it stays open counts itself as one more "room", left when
// it closes.
class departure {
 public:
  departure(name_registry& names, std::string name, std::size_t rooms)
      : names_(names), name_(std::move(name)), rooms_left_(rooms) {}

  // One more leave to wait for (before that room's leave is handed to it).
  void add_room() { rooms_left_.fetch_add(1, std::memory_order_relaxed); }

  void room_left() {
    if (rooms_left_.fetch_sub(1, std::memory_order_acq_rel) == 1) names_.release(name_);
  }

 private:
  name_registry& names_;
  std::string name_;
  std::atomic<std::size_t> rooms_left_;
};

}  // namespace parley::chat
