#pragma once

#include <memory>
#include <vector>

#include "cluster/cluster_link.hpp"
#include "cluster/redis_bus.hpp"

namespace parley::cluster {

// The cluster on several independent Redis shards (cluster.redis lists several URLs): each room,
// and each username, lives on the one shard shard_of() picks, through that shard's redis_bus.
// A room's events, ids, stream and presence are all on its shard, so one order per room holds as
// with one Redis; the shards never talk to each other.
class sharded_bus final : public cluster_link {
 public:
  // `shards` in cluster.redis order (at least one), all with the same node id.
  explicit sharded_bus(std::vector<std::unique_ptr<redis_bus>> shards);

  [[nodiscard]] const std::string& node_id() const override { return shards_.front()->node_id(); }
  // Every shard was reached and is lost: a join then fails at once. With some shards still up, a
  // join to a room on a lost one is refused by its publish instead (the bus fails what it cannot
  // send), so rooms on the other shards keep taking joins.
  [[nodiscard]] bool lost() const override;
  // The sum of the shards' generations: it moves whenever any shard restarted. A room whose shard
  // did not restart may then say again who of its members is here, which changes nothing.
  [[nodiscard]] std::uint64_t generation() const override;
  void watch(const std::string& room, event_fn on_event, ready_fn ready) override;
  void publish(const std::string& room, const chat::cluster_event& e, std::uint64_t seen_id,
               std::function<void(bool ok)> done) override;
  void read(const std::string& room, std::uint64_t after, std::uint64_t before, std::size_t limit,
            read_fn done) override;
  void typing(const std::string& room, const std::string& user, std::uint64_t member) override;
  [[nodiscard]] std::vector<chat::cluster_room> rooms() const override;
  [[nodiscard]] std::optional<chat::cluster_room> find_room(std::string_view room) const override;
  void reassert(const std::string& room, std::uint64_t seen_id,
                std::vector<std::pair<std::string, std::size_t>> members) override;
  void claim(std::string_view name, claim_fn done) override;
  void release(std::string_view name) override;
  void on_lease_lapsed(std::function<void()> handler) override;

  // Every shard is reachable: a node missing one cannot serve that shard's rooms.
  [[nodiscard]] bool connected() const override;

 private:
  redis_bus& shard_for(std::string_view key) const;

  std::vector<std::unique_ptr<redis_bus>> shards_;
};

}  // namespace parley::cluster
