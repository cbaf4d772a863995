#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/executor.hpp"
#include "chat/name_registry.hpp"
#include "obs/tracing/span.hpp"
#include "ws/frame_encoder.hpp"

namespace parley::chat {

// Someone in a room who receives its frames: a member's connection.
class recipient {
 public:
  virtual ~recipient() = default;
  virtual void deliver(const ws::shared_frame& frame) = 0;
};

// A room's members that live on one event loop. Only that loop's thread touches it.
class room_shard {
 public:
  // Takes a member in, not yet receiving: it receives from its activation on, which the room's
  // home loop orders after the member's own join notice.
  void add(std::uint64_t id, recipient& member);
  void activate(std::uint64_t id);
  void remove(std::uint64_t id);
  // Returns how many members it was queued to.
  std::size_t deliver(const ws::shared_frame& frame);
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::uint64_t id;
    recipient* member;
    bool active;
  };
  std::vector<entry> entries_;
};

// A chat room. One event loop, its home, puts everything that happens in the room (joins,
// messages, leaves) into one order; each event is then handed once to every loop that has
// members, where its shard delivers the one shared frame to each of them.
class room {
 public:
  room(executor& loops, name_registry& names, std::size_t home_loop);

  room_shard& shard(std::size_t loop) { return shards_[loop]; }

  // Each is called on the member's own loop; the work happens on the home loop.
  // `name` is already claimed in the registry; leave() releases it, before the others are told.
  void join(std::uint64_t id, std::size_t loop, std::string name, std::optional<unsigned> age);
  // `span` (the message's, when traced) ends on the home loop with the fan-out recorded.
  // `received_at`: when the message arrived, for the fan-out latency histogram.
  void publish(ws::shared_frame frame, obs::tracing::span span = {},
               std::chrono::steady_clock::time_point received_at = {});
  void leave(std::uint64_t id, std::size_t loop, std::string name);

 private:
  // On the home loop; returns how many members the frame was handed to.
  std::size_t broadcast(const ws::shared_frame& frame,
                        std::chrono::steady_clock::time_point received_at = {});

  executor& loops_;
  name_registry& names_;
  std::size_t home_loop_;
  std::vector<std::size_t> members_per_loop_;  // home loop only: where to hand events
  std::vector<room_shard> shards_;             // shards_[i]: loop i only
};

}  // namespace parley::chat
