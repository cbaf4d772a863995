#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/event.hpp"

namespace parley::store {

// One room's durable history and id counter. Thread-safe: a room's home loop calls it, and its
// callbacks run on the store's own threads (never on an event loop, so a slow disk never holds
// up the chat).
class room_log {
 public:
  virtual ~room_log() = default;

  // The first id never handed out (nor reserved): where the room's ids continue.
  [[nodiscard]] virtual std::uint64_t first_free_id() const = 0;
  // Milliseconds since the epoch of the newest stored event when the log was opened (0: none).
  [[nodiscard]] virtual std::int64_t last_event_ms() const = 0;

  // Queues `e` to be written with the next batch.
  virtual void append(event e) = 0;
  // Persists that ids below `until` may be handed out, so that they are never handed out again
  // after a crash; `done(durable)` runs once that is on disk (or failed: `durable` false).
  virtual void reserve(std::uint64_t until, std::function<void(bool durable)> done) = 0;
  // The highest id such that every event appended up to it is written (or given up on).
  [[nodiscard]] virtual std::uint64_t settled_id() const = 0;

  // Reads the stored events with after < id < before, the newest `limit` of them, oldest first,
  // and calls `done(ok, events)` with them (`ok` false when the store could not be read).
  virtual void read(std::uint64_t after, std::uint64_t before, std::size_t limit,
                    std::function<void(bool ok, std::vector<event> events)> done) = 0;

  // Records that ids from `next_id` on were never handed out (a clean stop), so the room's ids
  // continue without a gap after a restart.
  virtual void release(std::uint64_t next_id) = 0;
};

// Where rooms keep their history: SQLite by default (store/sqlite_store.hpp). The memory engine
// has no store at all: each room's history cache is all there is.
class history_store {
 public:
  virtual ~history_store() = default;
  // Every room with a record, at start-up.
  [[nodiscard]] virtual std::vector<std::string> room_names() = 0;
  // The room's log, its record created when it has none.
  virtual std::shared_ptr<room_log> open(std::string_view room) = 0;
  // Writes everything queued (releases included) and stops the store's threads.
  virtual void close() = 0;
};

}  // namespace parley::store
