#pragma once

#include <memory>

#include "config/options.hpp"

namespace parley::cluster {
class cluster_link;
}

namespace parley::app {

// The node's link to the cluster named by cluster.redis; nullptr when it is empty (one node).
// One URL: a redis_bus; several: a sharded_bus over one redis_bus per URL. Throws
// std::runtime_error for a bad URL, or a shard list that disagrees with the other nodes'.
std::unique_ptr<cluster::cluster_link> make_cluster(const config::options& options);

}  // namespace parley::app
