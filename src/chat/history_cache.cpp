#include "chat/history_cache.hpp"

#include <algorithm>

namespace parley::chat {

std::string history_cache::client_key(std::string_view user, std::string_view client_id) {
  std::string key;
  key.reserve(user.size() + 1 + client_id.size());
  key.append(user);
  key.push_back('\0');  // no username contains it (no control characters)
  key.append(client_id);
  return key;
}

void history_cache::append(entry e) {
  if (!e.client_key.empty()) clients_[e.client_key] = e.id;
  entries_.push_back(std::move(e));
}

void history_cache::prepend(std::vector<entry> older, std::uint64_t new_floor) {
  for (auto& e : older) {
    if (!e.client_key.empty()) clients_.try_emplace(e.client_key, e.id);
  }
  entries_.insert(entries_.begin(), std::make_move_iterator(older.begin()),
                  std::make_move_iterator(older.end()));
  floor_ = std::min(floor_, new_floor);
}

void history_cache::forget_front() {
  const auto& front = entries_.front();
  if (!front.client_key.empty()) {
    const auto found = clients_.find(front.client_key);
    if (found != clients_.end() && found->second == front.id) clients_.erase(found);
  }
  floor_ = front.id + 1;
  entries_.pop_front();
}

void history_cache::evict(std::size_t capacity, std::int64_t oldest_ms,
                          std::uint64_t evictable_up_to) {
  while (!entries_.empty() && entries_.front().id <= evictable_up_to &&
         (entries_.size() > capacity || entries_.front().ts_ms < oldest_ms)) {
    forget_front();
  }
}

std::deque<history_cache::entry>::const_iterator history_cache::first_above(
    std::uint64_t id) const {
  return std::upper_bound(entries_.begin(), entries_.end(), id,
                          [](std::uint64_t value, const entry& e) { return value < e.id; });
}

std::vector<const history_cache::entry*> history_cache::range(std::uint64_t after,
                                                              std::uint64_t before,
                                                              std::size_t limit) const {
  auto first = first_above(after);
  const auto last = before == 0 ? first : first_above(before - 1);
  if (first<last&& static_cast<std::size_t>(last - first)> limit) first = last - limit;
  std::vector<const entry*> out;
  out.reserve(first < last ? last - first : 0);
  for (auto it = first; it < last; ++it) out.push_back(&*it);
  return out;
}

std::size_t history_cache::count(std::uint64_t after, std::uint64_t before) const {
  const auto first = first_above(after);
  const auto last = before == 0 ? first : first_above(before - 1);
  return first < last ? static_cast<std::size_t>(last - first) : 0;
}

const history_cache::entry* history_cache::find_client(const std::string& key) const {
  const auto found = clients_.find(key);
  if (found == clients_.end()) return nullptr;
  const auto it = first_above(found->second - 1);
  return it != entries_.end() && it->id == found->second ? &*it : nullptr;
}

}  // namespace parley::chat
