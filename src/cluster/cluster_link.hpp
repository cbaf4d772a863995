#pragma once

#include <functional>

#include "chat/cluster_bus.hpp"
#include "chat/name_registry.hpp"

namespace parley::cluster {

// A node's whole link to the cluster: the rooms' bus, the shared usernames, and whether every
// Redis it needs is reachable (/readyz). One Redis (redis_bus) or several shards (sharded_bus).
class cluster_link : public chat::cluster_bus, public chat::shared_names {
 public:
  [[nodiscard]] virtual bool connected() const = 0;
  // `handler` runs (on a bus thread) when the node finds that its lease lapsed: for longer than
  // cluster.lease_ms it could not say it was alive, so other nodes may have taken it for dead,
  // published its users' leaves and freed their names. Its users must then come back anew.
  virtual void on_lease_lapsed(std::function<void()> handler) = 0;
};

}  // namespace parley::cluster
