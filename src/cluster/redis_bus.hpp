#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cluster/cluster_link.hpp"
#include "cluster/redis_connection.hpp"
#include "cluster/room_index.hpp"

namespace parley::cluster {

struct redis_bus_settings {
  redis_address address;
  std::string node_id;
  std::chrono::milliseconds lease{15'000};  // usernames
  std::size_t max_events = 10'000;          // each room's stream keeps about this many
};

// The cluster on one Redis. Two threads: a commander that sends everything queued since its last
// turn as one pipeline (publishes, reads, releases, lease refreshes), and a subscriber that
// receives every room's events on one pattern subscription. Both reconnect with backoff. A name
// claim is one more command in the commander's pipeline: no loop waits for Redis.
//
// Keys carry the room (or name) as a hash tag, so a Redis Cluster could hold them too:
//   parley:{room}:id      the room's last id (INCR)
//   parley:{room}:stream  its events, entry id "<id>-1", field e = the event's JSON
//   parley:{room}:members who is in it: "<node>\31<user>" -> connections (cluster/scripts.hpp)
//   parley:{room}:events  its channel
//   parley:name:{user}    the node holding the username (SET NX PX, refreshed)
//   parley:nodes          the live nodes: node -> until when (ms, Redis's clock), refreshed
//   parley:node:{node}:rooms  the rooms where the node has had members, for its reaper
//   parley:rooms          every room that has had members (for the HTTP API)
//
// Every lease/3 the commander says the node is alive and learns which nodes are not: it then
// publishes one leave for each of a dead node's users in each of its rooms (exactly one, however
// many nodes reap it), and forgets the node.
class redis_bus final : public cluster_link {
 public:
  explicit redis_bus(redis_bus_settings settings);
  ~redis_bus() override;  // stops both threads

  [[nodiscard]] const std::string& node_id() const override { return settings_.node_id; }
  void watch(const std::string& room, event_fn on_event, ready_fn ready) override;
  void publish(const std::string& room, const chat::cluster_event& e, std::uint64_t seen_id,
               std::function<void(bool ok)> done) override;
  void read(const std::string& room, std::uint64_t after, std::uint64_t before, std::size_t limit,
            read_fn done) override;
  void typing(const std::string& room, const std::string& user, std::uint64_t member) override;
  [[nodiscard]] std::vector<chat::cluster_room> rooms() const override;
  [[nodiscard]] std::optional<chat::cluster_room> find_room(std::string_view room) const override;
  void reassert(const std::string& room, std::uint64_t seen_id,
                std::vector<std::pair<std::string, std::size_t>> members) override;

  [[nodiscard]] std::uint64_t generation() const override {
    return generation_.load(std::memory_order_acquire);
  }

  [[nodiscard]] bool lost() const override {
    return ever_up_.load(std::memory_order_relaxed) && !connected();
  }
  // Both connections are up (for /readyz).
  [[nodiscard]] bool connected() const override {
    return commander_up_.load(std::memory_order_relaxed) &&
           subscriber_up_.load(std::memory_order_relaxed);
  }

  void claim(std::string_view name, claim_fn done) override;
  void release(std::string_view name) override;
  void on_lease_lapsed(std::function<void()> handler) override;

 private:
  struct command {
    std::vector<std::string> args;  // "EVALSHA" commands get the loaded script's sha as args[1]
    std::function<void(redisReply*)> done;  // null reply: no answer (Redis unreachable)
  };
  struct watcher {
    event_fn on_event;
    ready_fn ready;
  };

  void enqueue(command c);
  void run_commands();
  // One pipeline of `batch` on `connection`; false when the connection broke.
  bool send_batch(redis_connection& connection, std::vector<command>& batch);
  std::unique_ptr<redis_connection> connect_commander();
  // Adds the lease refreshes and the heartbeat to the batch (commander thread).
  void add_refreshes(std::vector<command>& batch);
  void on_heartbeat(const redisReply* reply);
  // The node's own deadline passed before this heartbeat (commander thread).
  void lease_lapsed();
  // Publishes the leaves of a dead node's users and forgets it (commander thread).
  void reap(const std::string& dead);
  void run_subscriber();
  void on_message(std::string_view channel, std::string_view payload);
  // Lists the room among every room and this node's rooms (for the API and the reaper).
  void index_room(const std::string& room);
  // Reads every room's users and last id into index_ (after each subscription).
  void load_index();
  // Asks for the room's last id, then calls its ready().
  void announce_ready(const std::string& room, ready_fn ready);

  redis_bus_settings settings_;
  std::string publish_sha_;  // commander thread only
  std::string run_id_;       // commander thread only: the Redis process last connected to
  std::atomic<std::uint64_t> generation_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<command> queue_;
  bool stopping_ = false;
  bool subscribed_ = false;                                      // the pattern subscription is live
  std::map<std::string, watcher> watched_;                       // by room
  std::map<std::string, std::string, std::less<>> owned_names_;  // name -> claim token
  redis_connection* subscriber_ = nullptr;                       // to interrupt on stop
  bool commander_stale_ = false;  // the subscription broke: the commander reconnects too
  std::atomic<bool> commander_up_{false};
  std::atomic<bool> subscriber_up_{false};
  std::atomic<bool> ever_up_{false};  // the commander has been connected once
  room_index index_;
  std::set<std::string> reaping_;  // commander thread only: dead nodes being reaped
  // Commander thread only: the generation of the last heartbeat (none yet: the maximum).
  std::uint64_t heartbeat_generation_ = UINT64_MAX;
  std::function<void()> lease_lapsed_;  // under mutex_

  std::thread commander_;
  std::thread subscriber_thread_;
};

}  // namespace parley::cluster
