#include "app/make_cluster.hpp"

#include <unistd.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/redis_bus.hpp"
#include "cluster/shard_layout.hpp"
#include "cluster/sharded_bus.hpp"
#include "obs/metrics/cluster_metrics.hpp"

namespace parley::app {
namespace {

std::string default_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + "-" + std::to_string(getpid());
}

std::vector<cluster::redis_address> parse_urls(std::string_view list) {
  std::vector<cluster::redis_address> addresses;
  while (true) {
    const auto comma = list.find(',');
    try {
      addresses.push_back(cluster::parse_redis_url(list.substr(0, comma)));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("cluster.redis: ") + e.what());
    }
    if (comma == std::string_view::npos) return addresses;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

std::unique_ptr<cluster::cluster_link> make_cluster(const config::options& options) {
  if (options.cluster_redis.empty()) return nullptr;
  const auto addresses = parse_urls(options.cluster_redis);
  cluster::check_shard_layout(addresses);
  obs::metrics::cluster_counters().active.store(true, std::memory_order_relaxed);
  std::vector<std::unique_ptr<cluster::redis_bus>> shards;
  for (const auto& address : addresses) {
    cluster::redis_bus_settings settings;
    settings.address = address;
    settings.node_id =
        options.cluster_node_id.empty() ? default_node_id() : options.cluster_node_id;
    settings.lease = options.cluster_lease;
    settings.max_events = options.history_max_events;
    shards.push_back(std::make_unique<cluster::redis_bus>(std::move(settings)));
  }
  // One Redis: the bus itself, with no routing in between.
  if (shards.size() == 1) return std::move(shards.front());
  return std::make_unique<cluster::sharded_bus>(std::move(shards));
}

}  // namespace parley::app
