#pragma once

#include <memory>

#include "config/options.hpp"

namespace parley::cluster {
class redis_bus;
}

namespace parley::app {

// The node's link to the cluster named by cluster.redis; nullptr when it is empty (one node).
// Throws std::runtime_error for what this version cannot do yet (several shards).
std::unique_ptr<cluster::redis_bus> make_cluster(const config::options& options);

}  // namespace parley::app
