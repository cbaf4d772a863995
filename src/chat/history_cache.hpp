#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ws/frame_encoder.hpp"

namespace parley::chat {

// A room's recent events in memory, each as its encoded parley.v1 frame (which replays and
// history answers reuse: an event is encoded once). Every retained event with an id at or above
// floor() is here; older ones are in the store, or expired. Also remembers the client_ids of the
// messages it holds, for idempotent retries. Used on the room's home loop only.
class history_cache {
 public:
  struct entry {
    std::uint64_t id;
    std::int64_t ts_ms;
    ws::shared_frame frame;  // the v1 event
    std::string client_key;  // messages with a client_id: client_key(user, client_id)
  };

  // `floor`: the first id the cache is complete from (a new room: 1; after a restart with a
  // store: the next id, since nothing is in memory yet).
  explicit history_cache(std::uint64_t floor) : floor_(floor) {}

  static std::string client_key(std::string_view user, std::string_view client_id);

  // Adds the newest event (its id above every other).
  void append(entry e);
  // Adds events older than every entry (ascending, all below floor()), read back from the store;
  // `new_floor` is where the cache is then complete from.
  void prepend(std::vector<entry> older, std::uint64_t new_floor);
  // Drops the oldest entries while more than `capacity` are held or they are older than
  // `oldest_ms`, but never an entry above `evictable_up_to` (not yet safe in the store).
  void evict(std::size_t capacity, std::int64_t oldest_ms, std::uint64_t evictable_up_to);

  [[nodiscard]] std::uint64_t floor() const { return floor_; }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  [[nodiscard]] const entry& newest() const { return entries_.back(); }

  // The entries with after < id < before, oldest first, at most the newest `limit` of them.
  [[nodiscard]] std::vector<const entry*> range(std::uint64_t after, std::uint64_t before,
                                                std::size_t limit) const;
  // How many entries have after < id < before.
  [[nodiscard]] std::size_t count(std::uint64_t after, std::uint64_t before) const;
  // The message that carried this client key, if still held.
  [[nodiscard]] const entry* find_client(const std::string& key) const;

 private:
  [[nodiscard]] std::deque<entry>::const_iterator first_above(std::uint64_t id) const;
  void forget_front();

  std::deque<entry> entries_;  // ascending ids
  std::uint64_t floor_;
  std::unordered_map<std::string, std::uint64_t> clients_;  // client key -> id
};

}  // namespace parley::chat
