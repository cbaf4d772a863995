#include "cluster/sharded_bus.hpp"

#include <algorithm>

#include "cluster/shard_hash.hpp"

namespace parley::cluster {

sharded_bus::sharded_bus(std::vector<std::unique_ptr<redis_bus>> shards)
    : shards_(std::move(shards)) {}

redis_bus& sharded_bus::shard_for(std::string_view key) const {
  return *shards_[shard_of(key, shards_.size())];
}

void sharded_bus::watch(const std::string& room, event_fn on_event, ready_fn ready) {
  shard_for(room).watch(room, std::move(on_event), std::move(ready));
}

void sharded_bus::publish(const std::string& room, const chat::cluster_event& e,
                          std::uint64_t seen_id, std::function<void(bool ok)> done) {
  shard_for(room).publish(room, e, seen_id, std::move(done));
}

void sharded_bus::read(const std::string& room, std::uint64_t after, std::uint64_t before,
                       std::size_t limit, read_fn done) {
  shard_for(room).read(room, after, before, limit, std::move(done));
}

void sharded_bus::typing(const std::string& room, const std::string& user, std::uint64_t member) {
  shard_for(room).typing(room, user, member);
}

std::vector<chat::cluster_room> sharded_bus::rooms() const {
  std::vector<chat::cluster_room> all;
  for (const auto& shard : shards_) {
    auto some = shard->rooms();  // each room lives on one shard: no room twice
    all.insert(all.end(), std::make_move_iterator(some.begin()),
               std::make_move_iterator(some.end()));
  }
  return all;
}

std::optional<chat::cluster_room> sharded_bus::find_room(std::string_view room) const {
  return shard_for(room).find_room(room);
}

void sharded_bus::reassert(const std::string& room, std::uint64_t seen_id,
                           std::vector<std::pair<std::string, std::size_t>> members) {
  shard_for(room).reassert(room, seen_id, std::move(members));
}

void sharded_bus::on_lease_lapsed(std::function<void()> handler) {
  // Each shard keeps the node's lease on its own Redis, and reaps the rooms it holds.
  for (auto& shard : shards_) shard->on_lease_lapsed(handler);
}

void sharded_bus::claim(std::string_view name, claim_fn done) {
  shard_for(name).claim(name, std::move(done));
}

void sharded_bus::release(std::string_view name) {
  shard_for(name).release(name);
}

bool sharded_bus::lost() const {
  return std::all_of(shards_.begin(), shards_.end(),
                     [](const auto& shard) { return shard->lost(); });
}

std::uint64_t sharded_bus::generation() const {
  std::uint64_t sum = 0;
  for (const auto& shard : shards_) sum += shard->generation();
  return sum;
}

bool sharded_bus::connected() const {
  return std::all_of(shards_.begin(), shards_.end(),
                     [](const auto& shard) { return shard->connected(); });
}

}  // namespace parley::cluster
