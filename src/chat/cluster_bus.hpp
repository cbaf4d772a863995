#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "store/event.hpp"

namespace parley::chat {

// A room's event as the nodes of a cluster pass it around: the stored event with its id, and
// who published it (so the publishing node can finish the join it belongs to).
struct cluster_event {
  store::event event;
  std::string node;                // the publishing node's cluster.node_id
  std::uint64_t member = 0;        // the publishing node's member id (joins)
  std::vector<std::string> users;  // joins: everyone in the room, on every node, after the join
  bool typing = false;  // not an event but a typing notice: no id, not stored (user, node, member)
};

// What a room needs from the cluster (cluster/redis_bus.hpp is the Redis one). Callbacks run on
// the bus's own threads; a room posts them to its home loop.
class cluster_bus {
 public:
  virtual ~cluster_bus() = default;

  [[nodiscard]] virtual const std::string& node_id() const = 0;
  // Whether the cluster was reached and is lost now (not while it is first being reached).
  [[nodiscard]] virtual bool lost() const = 0;
  // How many times the cluster's store restarted (and may have lost its data) since this node
  // started: a room then says again who of its members is here.
  [[nodiscard]] virtual std::uint64_t generation() const = 0;

  using event_fn = std::function<void(cluster_event)>;
  // `ready(last_id)`: the room's events after last_id reach `on_event` from now on. Called once
  // the room is watched, and again after each reconnection (the room then fills what it missed).
  using ready_fn = std::function<void(std::uint64_t last_id)>;
  // Starts delivering `room`'s events, the node's own included, in the order received.
  virtual void watch(const std::string& room, event_fn on_event, ready_fn ready) = 0;

  // Gives `e` the room's next id (above `seen_id`, the highest this node saw), appends it to the
  // room's history and hands it to every node. `done(ok)` runs once that is done or failed.
  virtual void publish(const std::string& room, const cluster_event& e, std::uint64_t seen_id,
                       std::function<void(bool ok)> done) = 0;

  // Tells every node's members of the room that `user` (member `member` here) is typing.
  virtual void typing(const std::string& room, const std::string& user, std::uint64_t member) = 0;

  // After Redis lost its data (the room's last id there is below `seen_id`): this node's members
  // of the room (user -> connections) are present again, and ids continue above `seen_id`.
  virtual void reassert(const std::string& room, std::uint64_t seen_id,
                        std::vector<std::pair<std::string, std::size_t>> members) = 0;

  // The room's stored events with after < id < before, the newest `limit`, oldest first.
  using read_fn = std::function<void(bool ok, std::vector<cluster_event> events)>;
  virtual void read(const std::string& room, std::uint64_t after, std::uint64_t before,
                    std::size_t limit, read_fn done) = 0;
};

}  // namespace parley::chat
