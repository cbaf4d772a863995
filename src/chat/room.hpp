#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "chat/cluster_bus.hpp"
#include "chat/departure.hpp"
#include "chat/executor.hpp"
#include "chat/history_cache.hpp"
#include "chat/name_registry.hpp"
#include "chat/room_shard.hpp"
#include "obs/tracing/span.hpp"
#include "store/event.hpp"
#include "store/history_store.hpp"

namespace parley::chat {

// Ids reserved in the store per write: a crash skips at most this many ids of a room (clients
// resuming across the jump get a gap), and a busy room writes a reservation every few thousand
// events rather than with each.
constexpr std::uint64_t k_id_block = 4096;

// How much history rooms keep and hand out (the [history] keys).
struct history_settings {
  std::size_t on_join = 50;          // events a join without `since` receives
  std::size_t memory_events = 1000;  // events per room kept in memory when a store holds them
  std::size_t max_events = 10000;    // events per room retained
  std::chrono::milliseconds max_age = std::chrono::hours(24 * 7);  // events retained this long
  std::size_t max_replay = 1000;  // most events one `since` replay hands out
};

// Whether broadcasts are compressed for permessage-deflate members (the [ws] keys).
struct room_compression {
  bool enabled = false;
  std::size_t min_size = ws::k_default_deflate_min_size;  // shorter payloads go out plain
};

// What every room shares.
struct room_context {
  executor& loops;
  name_registry& names;
  history_settings history;
  store::history_store* store = nullptr;  // none: the memory engine
  cluster_bus* cluster = nullptr;         // set: cluster mode (the cluster gives ids and history)
  room_compression compression;
  obs::tracing::tracer* tracer = nullptr;  // cluster mode: spans of events from any node
};

// A request to join a room, made on the member's loop.
struct join_ticket {
  std::uint64_t member = 0;
  std::size_t loop = 0;
  std::uint64_t entry = 0;  // the member's entry in shard(loop): room_shard::add's answer
  std::string user;
  std::optional<unsigned> age;
  protocol speaks = protocol::legacy;
  std::optional<std::uint64_t> since;  // v1: replay what followed this id
  obs::tracing::span span;             // ended once the join is sequenced
  bool reset = false;  // set by the room: `since` was beyond its last id (its history was lost)
  std::uint64_t number = 0;  // set by the room: which join of the room this is, from 1
};

// A message to a room, made on the sender's loop.
struct message_ticket {
  std::uint64_t member = 0;
  std::size_t loop = 0;
  std::string user;
  std::string text;
  std::string client_id;  // empty: none
  obs::tracing::span span;
  std::chrono::steady_clock::time_point received_at{};  // for the fan-out latency histogram
};

// A chat room. One event loop, its home, puts everything that happens in the room (joins,
// messages, leaves) into one order and gives each stored event the next id; each event is then
// handed once to every loop that has members, where its shard delivers the one shared frame of
// each member's protocol. The home loop also keeps who is in the room and its recent history.
class room {
 public:
  // `log`: the room's durable history (none: the memory engine).
  room(room_context& context, std::string name, std::size_t home_loop,
       std::shared_ptr<store::room_log> log);

  [[nodiscard]] const std::string& name() const { return name_; }
  room_shard& shard(std::size_t loop) { return shards_[loop]; }

  // Each is called on the member's own loop (the shard's add/remove too); the work happens on
  // the home loop.
  // The member must be in shard(loop) already, not yet active.
  void join(join_ticket ticket);
  // Removes the member from shard(loop) at once; the room then tells the others. `departure`
  // (when the whole connection ends) frees the username once its last room has let it go.
  void leave(std::uint64_t member, std::size_t loop, std::shared_ptr<departure> departure);
  void publish(message_ticket ticket);
  // Tells the room's other parley.v1 members that `user` is typing (not stored).
  void typing(std::uint64_t member, std::string user);
  // Answers the member with the newest `limit` events before `before` (none: the newest).
  void history(std::uint64_t member, std::size_t loop, std::optional<std::uint64_t> before,
               unsigned limit);

  // Thread-safe views for the HTTP API.
  [[nodiscard]] std::size_t online() const { return online_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t last_id() const { return last_id_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::vector<std::string> users() const;
  // Whether the room exists for the API: it has members, or history younger than max_age.
  [[nodiscard]] bool exists(std::int64_t now_ms) const;

  // After the loops have stopped: tells the store where the ids continue (a clean stop).
  void release();

 private:
  struct present_user {
    std::uint64_t member;
    std::size_t loop;
    protocol speaks;
    std::string name;
  };
  // A stored event handed out again (replay, history): its id and v1 frame.
  struct replayed {
    std::uint64_t id;
    ws::shared_frame frame;
  };
  struct collection {
    bool ok = true;  // false: the store could not be read (what memory had is there)
    std::vector<replayed> events;
    std::uint64_t memory_from = 0;  // the cache's floor when collected
  };
  using collected_fn = std::function<void(collection)>;

  void begin_join(join_ticket ticket);
  void finish_join(join_ticket& ticket, collection replay);
  void finish_leave(std::uint64_t member, const std::shared_ptr<departure>& departure);
  void finish_publish(message_ticket& ticket);
  // The stored events with after < id < before, the newest `limit`, from memory and (older
  // ones) from the store; `done` runs on the home loop.
  void collect(std::uint64_t after, std::uint64_t before, std::size_t limit, collected_fn done);
  // Completes collect() with what the store read below `upper` (the cache's floor then).
  void from_store(std::uint64_t after, std::uint64_t before, std::size_t limit, std::uint64_t upper,
                  bool ok, std::vector<store::event> events, const collected_fn& done);
  [[nodiscard]] std::vector<replayed> from_memory(std::uint64_t after, std::uint64_t before,
                                                  std::size_t limit) const;

  // Runs `work` (which stores at most one event) now, or once ids are reserved and the work
  // queued before it has run.
  void run_or_queue(std::function<void()> work);
  void run_queued();
  // Whether an event can be recorded now: ids are reserved and memory is warm.
  [[nodiscard]] bool can_record() const;
  void reserve_ids();
  // After a restart, reads the room's newest events into memory before its first new event, so
  // that client_ids sent before the restart still count for retries.
  void warm_up();
  void finish_warm_up(std::uint64_t floor, std::size_t requested, bool ok,
                      std::vector<store::event> events);
  // How many events memory holds: with a store, history.memory_events (never more than are
  // retained); without, everything retained.
  [[nodiscard]] std::size_t memory_capacity() const;
  // The oldest id still retained by count (history.max_events).
  [[nodiscard]] std::uint64_t retained_floor() const;
  [[nodiscard]] history_cache::entry cache_entry(const store::event& e) const;
  // Gives `e` the next id and the time, keeps it in memory and the store, and returns its frames
  // (the legacy frame only when someone here speaks the legacy protocol).
  event_frames record(store::event e);
  // Makes an event's frames and keeps it in memory: the cache, the last id and time, the count.
  event_frames remember(const store::event& e);
  // Hands the frames to every loop with members, except member `except`; returns how many
  // members that is.
  std::size_t broadcast(const event_frames& frames,
                        std::chrono::steady_clock::time_point received_at = {},
                        std::uint64_t except = 0);
  void presence_changed();

  // Cluster mode: the cluster gives each event its id and hands it to every node; each node
  // applies the room's events on receipt, in id order, filling gaps from the room's history.
  void begin_cluster_join(join_ticket ticket);
  // `failed` runs on the home loop when the cluster could not take the event (Redis away).
  // `trace`: a message's span, ended here; its "cluster publish" child rides with the event.
  void cluster_publish(store::event e, std::uint64_t member, std::function<void()> failed,
                       obs::tracing::span trace = {});
  // A join Redis could not take: the member is told and is not in the room.
  void cluster_join_failed(const std::shared_ptr<join_ticket>& ticket);
  // A leave Redis could not take is published again once it is back, so the member does not
  // stay listed on the other nodes.
  void cluster_leave(std::uint64_t member, std::string user);
  void on_cluster_ready(std::uint64_t last_id);
  void on_cluster_event(cluster_event e);
  // Applies the received events that follow in order; asks for missing ones.
  void apply_received();
  void fill_gap(std::uint64_t before);
  void apply(cluster_event& e);
  // The member's own join came back as `join_id`: welcome it and let it receive what follows
  // (later events wait until it is welcomed).
  void welcome(const std::shared_ptr<join_ticket>& ticket, std::uint64_t join_id,
               const ws::shared_frame& join_frame);

  room_context& context_;
  std::string name_;
  std::size_t home_loop_;
  std::shared_ptr<store::room_log> log_;
  std::vector<room_shard> shards_;  // shards_[i]: loop i only

  // Home loop only.
  std::vector<std::size_t> members_per_loop_;  // where to hand events
  std::size_t legacy_members_ = 0;             // whether to encode legacy frames
  std::vector<present_user> present_;
  // Joins begun, not yet sequenced: member -> the join's number (a member may leave and join
  // again while its first join still waits, and only the last counts).
  std::unordered_map<std::uint64_t, std::uint64_t> joining_;
  std::uint64_t joins_begun_ = 0;
  history_cache cache_;
  std::uint64_t next_id_;
  std::uint64_t reserved_until_;  // ids below it are durable reservations (with a store)
  bool reserving_ = false;
  bool warm_;  // memory holds the newest events (or the room was new)
  bool warming_ = false;
  std::deque<std::function<void()>> waiting_;  // work waiting for ids
  bool presence_publish_posted_ = false;

  // Home loop only, cluster mode.
  bool cluster_ready_ = false;          // the room's events reach this node; next_id_ is known
  std::uint64_t redis_generation_ = 0;  // the cluster's generation() this room's presence is in
  bool welcome_pending_ = false;        // a join's replay is being read: later events wait
  bool filling_ = false;                // a gap's events are being read
  std::map<std::uint64_t, cluster_event> received_;  // by id, not yet applied
  std::unordered_map<std::uint64_t, std::shared_ptr<join_ticket>> cluster_joins_;  // published
  std::unordered_set<std::uint64_t> abandoned_;  // left before their join came back
  std::vector<std::string> cluster_users_;       // in the room on every node
  std::vector<std::pair<std::uint64_t, std::string>> unpublished_leaves_;  // member, user

  // Read by other threads.
  std::atomic<std::size_t> online_{0};
  std::atomic<std::uint64_t> last_id_{0};
  std::atomic<std::int64_t> last_event_ms_{0};
  mutable std::mutex users_mutex_;
  std::vector<std::string> users_;  // as of the last presence publication
};

}  // namespace parley::chat
