#include "app/make_cluster.hpp"

#include <unistd.h>

#include <stdexcept>
#include <string>

#include "cluster/redis_bus.hpp"

namespace parley::app {
namespace {

std::string default_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + "-" + std::to_string(getpid());
}

}  // namespace

std::unique_ptr<cluster::redis_bus> make_cluster(const config::options& options) {
  if (options.cluster_redis.empty()) return nullptr;
  if (options.cluster_redis.find(',') != std::string::npos) {
    throw std::runtime_error("cluster.redis: several Redis shards are not supported yet; give one");
  }
  cluster::redis_bus_settings settings;
  try {
    settings.address = cluster::parse_redis_url(options.cluster_redis);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("cluster.redis: ") + e.what());
  }
  settings.node_id = options.cluster_node_id.empty() ? default_node_id() : options.cluster_node_id;
  settings.lease = options.cluster_lease;
  settings.max_events = options.history_max_events;
  return std::make_unique<cluster::redis_bus>(std::move(settings));
}

}  // namespace parley::app
