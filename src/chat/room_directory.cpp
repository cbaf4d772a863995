#include "chat/room_directory.hpp"

#include <functional>

#include "chat/cluster_log.hpp"
#include "obs/metrics/chat_metrics.hpp"

namespace parley::chat {

room_directory::room_directory(room_context& context, std::size_t max_rooms)
    : context_(context), max_rooms_(max_rooms) {}

room* room_directory::create(std::string_view name) {
  // A room's home loop follows from its name, so rooms spread over the loops.
  const std::size_t home = std::hash<std::string_view>{}(name) % context_.loops.loop_count();
  std::shared_ptr<store::room_log> log;
  if (context_.cluster != nullptr) {
    log = std::make_shared<cluster_log>(*context_.cluster, std::string(name));
  } else if (context_.store != nullptr) {
    log = context_.store->open(name);
  }
  auto made = std::make_unique<room>(context_, std::string(name), home, std::move(log));
  auto* raw = made.get();
  rooms_.emplace(std::string(name), std::move(made));
  obs::metrics::chat_counters().rooms.add();
  return raw;
}

void room_directory::load_stored_rooms() {
  if (context_.store == nullptr) return;
  std::lock_guard lock(mutex_);
  for (const auto& name : context_.store->room_names()) {
    if (!rooms_.contains(name)) create(name);
  }
}

room* room_directory::find_or_create(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (const auto found = rooms_.find(name); found != rooms_.end()) return found->second.get();
  if (rooms_.size() >= max_rooms_) return nullptr;
  return create(name);
}

room* room_directory::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto found = rooms_.find(name);
  return found == rooms_.end() ? nullptr : found->second.get();
}

std::vector<const room*> room_directory::all() const {
  std::lock_guard lock(mutex_);
  std::vector<const room*> out;
  out.reserve(rooms_.size());
  for (const auto& [name, r] : rooms_) out.push_back(r.get());
  return out;
}

void room_directory::release_all() {
  std::lock_guard lock(mutex_);
  for (auto& [name, r] : rooms_) r->release();
}

}  // namespace parley::chat
