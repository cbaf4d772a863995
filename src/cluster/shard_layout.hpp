#pragma once

#include <vector>

#include "cluster/redis_connection.hpp"

namespace parley::cluster {

// Checks at start-up that every reachable shard holds the place this node gives it in
// cluster.redis ("i/N" in parley:shard, set by the first node to reach it). Nodes with lists in
// different orders or of different lengths would send a room to different shards: two orders,
// two id counters. Throws std::runtime_error naming the shard when its place differs; a shard
// it cannot reach is not checked (the node starts, not ready, and retries on its own).
void check_shard_layout(const std::vector<redis_address>& shards);

}  // namespace parley::cluster
