#pragma once

#include <limits>
#include <string>

#include "chat/cluster_bus.hpp"
#include "store/history_store.hpp"

namespace parley::chat {

// A room's history in cluster mode: the room's stream, which the publish script writes, so this
// only reads. Ids come from the cluster, not from reservations.
class cluster_log final : public store::room_log {
 public:
  cluster_log(cluster_bus& bus, std::string room) : bus_(bus), room_(std::move(room)) {}

  [[nodiscard]] std::uint64_t first_free_id() const override { return 1; }
  [[nodiscard]] std::int64_t last_event_ms() const override { return 0; }
  void append(store::event) override {}
  void reserve(std::uint64_t, std::function<void(bool)> done) override { done(true); }
  [[nodiscard]] std::uint64_t settled_id() const override {
    return std::numeric_limits<std::uint64_t>::max();
  }
  void read(std::uint64_t after, std::uint64_t before, std::size_t limit,
            std::function<void(bool ok, std::vector<store::event> events)> done) override {
    bus_.read(room_, after, before, limit,
              [done = std::move(done)](bool ok, std::vector<cluster_event> events) {
                std::vector<store::event> out;
                out.reserve(events.size());
                for (auto& e : events) out.push_back(std::move(e.event));
                done(ok, std::move(out));
              });
  }
  void release(std::uint64_t) override {}

 private:
  cluster_bus& bus_;
  std::string room_;
};

}  // namespace parley::chat
