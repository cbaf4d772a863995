#pragma once

#include <cstdint>
#include <vector>

#include "chat/protocol.hpp"

namespace parley::chat {

class room;

// Someone in a room who receives its frames: a member's connection.
class recipient {
 public:
  virtual ~recipient() = default;
  virtual void deliver(const ws::shared_frame& frame) = 0;
  // Whether its connection negotiated permessage-deflate: broadcasts reach it compressed.
  [[nodiscard]] virtual bool takes_deflated() const { return false; }
  // The room's home loop has put this member's join in the room's order; from now on it
  // receives everything after it. Called on the member's loop, after any welcome frame.
  virtual void on_joined(room& /*room*/) {}
  // The join could not be put in the room's order (cluster mode: Redis is away); the member is
  // no longer in the room's shard. Called on the member's loop.
  virtual void on_join_failed(room& /*room*/) {}
  // A message it sent could not be put in the room's order (cluster mode: Redis is away), and
  // its protocol has no error event to say so. Called on the member's loop.
  virtual void on_message_failed() {}
};

// A room's members that live on one event loop. Only that loop's thread touches it.
class room_shard {
 public:
  // `loop`: the event loop it lives on (whose metrics count its compressions).
  explicit room_shard(std::size_t loop = 0) : loop_(loop) {}

  // Takes a member in, not yet receiving: it receives from its activation on, which the room's
  // home loop orders after the member's own join. Returns the entry's number, which the join
  // carries to its activation.
  std::uint64_t add(std::uint64_t id, recipient& member, protocol speaks);
  // Delivers `welcome` (when not null) to the member, then everything that follows. Only the
  // entry `entry` is activated: a member that left and joined again while the welcome of its
  // first join was on its way gets the welcome of its second, not the first's.
  void activate(std::uint64_t id, std::uint64_t entry, room& room, const ws::shared_frame& welcome);
  void remove(std::uint64_t id);
  // Takes entry `entry` of the member out, not yet active, and tells it its join failed.
  void fail(std::uint64_t id, std::uint64_t entry, room& room);
  // Queues the frame of each active member's protocol (compressed for members that take it),
  // skipping member `except` (0: nobody).
  // Returns how many members it was queued to.
  std::size_t deliver(const event_frames& frames, std::uint64_t except = 0);
  // Queues a frame for one member (an answer to its own request); false when it is not here.
  bool deliver_to(std::uint64_t id, const ws::shared_frame& frame);
  // A message of the member's could not be sent (cluster mode: Redis is away): a parley.v1 member
  // gets `v1_error`; a legacy one, whose protocol has no error, is told by on_message_failed.
  void message_failed(std::uint64_t id, const ws::shared_frame& v1_error);
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::uint64_t id;
    std::uint64_t number;
    recipient* member;
    protocol speaks;
    bool active;
    bool deflates;  // takes compressed broadcasts
  };
  std::vector<entry> entries_;
  std::size_t loop_;
  std::uint64_t next_number_ = 1;
};

}  // namespace parley::chat
