#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/cluster_bus.hpp"

namespace parley::cluster {

// Every room of the cluster as this node last heard of it: who is in it and its last id. Kept
// from the events every node receives anyway (one subscription to every room's channel) and
// read in full from Redis after each (re)subscription, for the HTTP API of rooms this node has
// not opened. Thread-safe.
class room_index {
 public:
  // An event of `room` as received (joins carry everyone in the room).
  void apply(const std::string& room, const chat::cluster_event& e);
  // What Redis said of the room; ignored when the index has heard of a later event already.
  void replace(const std::string& room, std::uint64_t last_id, std::vector<std::string> users);
  // Drops every room: Redis lost its data (what it still holds is read again).
  void clear();

  // A room with neither users nor events is not listed.
  [[nodiscard]] std::vector<chat::cluster_room> rooms() const;
  [[nodiscard]] std::optional<chat::cluster_room> find(std::string_view room) const;

 private:
  struct known {
    std::uint64_t last_id = 0;
    std::vector<std::string> users;
    [[nodiscard]] bool listed() const { return last_id != 0 || !users.empty(); }
  };
  mutable std::mutex mutex_;
  std::map<std::string, known, std::less<>> rooms_;
};

}  // namespace parley::cluster
