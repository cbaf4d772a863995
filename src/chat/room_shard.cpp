#include "chat/room_shard.hpp"

#include <algorithm>

namespace parley::chat {

std::uint64_t room_shard::add(std::uint64_t id, recipient& member, protocol speaks) {
  const std::uint64_t number = next_number_++;
  entries_.push_back({id, number, &member, speaks, false, member.takes_deflated()});
  return number;
}

void room_shard::activate(std::uint64_t id, std::uint64_t number, room& room,
                          const ws::shared_frame& welcome) {
  for (auto& entry : entries_) {
    if (entry.id != id || entry.number != number || entry.active) continue;
    if (welcome) entry.member->deliver(welcome);
    entry.active = true;
    entry.member->on_joined(room);
  }
}

void room_shard::fail(std::uint64_t id, std::uint64_t number, room& room) {
  const auto found = std::find_if(entries_.begin(), entries_.end(), [&](const entry& e) {
    return e.id == id && e.number == number && !e.active;
  });
  if (found == entries_.end()) return;  // it left meanwhile
  recipient* member = found->member;
  entries_.erase(found);
  member->on_join_failed(room);
}

void room_shard::remove(std::uint64_t id) {
  std::erase_if(entries_, [id](const entry& e) { return e.id == id; });
}

std::size_t room_shard::deliver(const event_frames& frames, std::uint64_t except) {
  std::size_t delivered = 0;
  for (const auto& entry : entries_) {
    if (!entry.active || entry.id == except) continue;
    const auto& frame = entry.deflates ? frames.deflated_for(entry.speaks, loop_)
                                       : frames.for_protocol(entry.speaks);
    if (!frame) continue;
    entry.member->deliver(frame);
    ++delivered;
  }
  return delivered;
}

void room_shard::message_failed(std::uint64_t id, const ws::shared_frame& v1_error) {
  for (const auto& entry : entries_) {
    if (entry.id != id) continue;
    if (entry.speaks == protocol::v1) {
      entry.member->deliver(v1_error);
    } else {
      entry.member->on_message_failed();
    }
    return;
  }
}

bool room_shard::deliver_to(std::uint64_t id, const ws::shared_frame& frame) {
  for (const auto& entry : entries_) {
    if (entry.id != id) continue;
    entry.member->deliver(frame);
    return true;
  }
  return false;
}

}  // namespace parley::chat
