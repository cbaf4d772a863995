#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chat/room.hpp"

namespace parley::chat {

// Every room of the server by name. Rooms are made on first use and kept while the server runs
// (a room's history outlives its members); the lock is taken on joins and API reads, never per
// message.
class room_directory {
 public:
  room_directory(room_context& context, std::size_t max_rooms);

  // Makes a room for every room the store has a record of (at start-up, before the loops run).
  void load_stored_rooms();
  // The room named `name` (a valid room name), made if new; nullptr when the server holds
  // max_rooms rooms already.
  room* find_or_create(std::string_view name);
  [[nodiscard]] room* find(std::string_view name) const;
  // Every room, in name order (their addresses stay valid while the directory lives).
  [[nodiscard]] std::vector<const room*> all() const;
  // After the loops have stopped: each room tells the store where its ids continue.
  void release_all();

 private:
  room* create(std::string_view name);  // with mutex_ held

  room_context& context_;
  std::size_t max_rooms_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<room>, std::less<>> rooms_;
};

}  // namespace parley::chat
