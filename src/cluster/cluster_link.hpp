#pragma once

#include "chat/cluster_bus.hpp"
#include "chat/name_registry.hpp"

namespace parley::cluster {

// A node's whole link to the cluster: the rooms' bus, the shared usernames, and whether every
// Redis it needs is reachable (/readyz). One Redis (redis_bus) or several shards (sharded_bus).
class cluster_link : public chat::cluster_bus, public chat::shared_names {
 public:
  [[nodiscard]] virtual bool connected() const = 0;
};

}  // namespace parley::cluster
