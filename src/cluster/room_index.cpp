#include "cluster/room_index.hpp"

#include <algorithm>

namespace parley::cluster {

void room_index::apply(const std::string& room, const chat::cluster_event& e) {
  if (e.typing) return;
  std::lock_guard lock(mutex_);
  auto& known = rooms_[room];
  known.last_id = std::max(known.last_id, e.event.id);
  if (e.event.kind == store::event_kind::join) {
    known.users = e.users;
  } else if (e.event.kind == store::event_kind::leave) {
    std::erase(known.users, e.event.user);
  }
}

void room_index::replace(const std::string& room, std::uint64_t last_id,
                         std::vector<std::string> users) {
  std::lock_guard lock(mutex_);
  auto& known = rooms_[room];
  if (known.last_id > last_id) return;
  known.last_id = last_id;
  known.users = std::move(users);
}

void room_index::clear() {
  std::lock_guard lock(mutex_);
  rooms_.clear();
}

std::vector<chat::cluster_room> room_index::rooms() const {
  std::lock_guard lock(mutex_);
  std::vector<chat::cluster_room> out;
  out.reserve(rooms_.size());
  for (const auto& [name, known] : rooms_) {
    if (known.listed()) out.push_back({name, known.users, known.last_id});
  }
  return out;
}

std::optional<chat::cluster_room> room_index::find(std::string_view room) const {
  std::lock_guard lock(mutex_);
  const auto found = rooms_.find(room);
  if (found == rooms_.end() || !found->second.listed()) return std::nullopt;
  return chat::cluster_room{found->first, found->second.users, found->second.last_id};
}

}  // namespace parley::cluster
