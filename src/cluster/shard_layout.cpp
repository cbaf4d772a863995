#include "cluster/shard_layout.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "obs/log.hpp"

namespace parley::cluster {
namespace {

constexpr const char* k_layout_key = "parley:shard";
// Short: a shard that does not answer at start-up is left to the bus's own reconnects.
constexpr std::chrono::milliseconds k_check_timeout{1000};

}  // namespace

void check_shard_layout(const std::vector<redis_address>& shards) {
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const auto& address = shards[i];
    const std::string place = std::to_string(i) + "/" + std::to_string(shards.size());
    redis_connection connection(address, k_check_timeout);
    if (connection.ok()) connection.run({"SET", k_layout_key, place, "NX"});
    auto held = connection.ok() ? connection.run({"GET", k_layout_key}) : nullptr;
    if (!held || held->type != REDIS_REPLY_STRING) {
      obs::server_log().warn("cluster: cannot check the place of Redis {}:{} in cluster.redis: {}",
                             address.host, address.port, connection.error());
      continue;
    }
    const std::string theirs(held->str, held->len);
    if (theirs != place) {
      throw std::runtime_error("cluster.redis: Redis " + address.host + ":" +
                               std::to_string(address.port) + " is shard " + theirs +
                               " for the other nodes but " + place +
                               " here: give every node the same list in the same order");
    }
  }
}

}  // namespace parley::cluster
