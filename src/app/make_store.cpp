#include "app/make_store.hpp"

#include "store/sqlite_store.hpp"

namespace parley::app {

std::unique_ptr<store::history_store> make_store(const config::options& options,
                                                 obs::tracing::tracer* tracer) {
  // A cluster keeps history in Redis; memory has no store.
  if (options.storage_engine == "memory" || !options.cluster_redis.empty()) return nullptr;
  return std::make_unique<store::sqlite_store>(
      store::sqlite_settings{.folder = options.storage_path,
                             .commit_interval = options.storage_commit_interval,
                             .max_events = options.history_max_events,
                             .max_age = options.history_max_age,
                             .tracer = tracer});
}

}  // namespace parley::app
