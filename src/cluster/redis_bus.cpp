#include "cluster/redis_bus.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <utility>

#include "cluster/event_codec.hpp"
#include "cluster/scripts.hpp"
#include "obs/log.hpp"
#include "obs/metrics/cluster_metrics.hpp"

namespace parley::cluster {
namespace {

constexpr const char* k_channel_pattern = "parley:{*}:events";
constexpr std::chrono::milliseconds k_connect_timeout{2000};
constexpr std::chrono::milliseconds k_first_backoff{100};
constexpr std::chrono::milliseconds k_max_backoff{2000};

std::string room_key(const std::string& room, const char* what) {
  return "parley:{" + room + "}:" + what;
}
std::string name_key(std::string_view name) {
  return "parley:name:{" + std::string(name) + "}";
}
std::string node_rooms_key(std::string_view node) {
  return "parley:node:{" + std::string(node) + "}:rooms";
}
constexpr const char* k_nodes_key = "parley:nodes";
constexpr const char* k_rooms_key = "parley:rooms";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* kind_name(store::event_kind kind) {
  switch (kind) {
    case store::event_kind::join:
      return "join";
    case store::event_kind::leave:
      return "leave";
    default:
      return "message";
  }
}

std::uint64_t reply_number(const redisReply* r) {
  if (r == nullptr) return 0;
  if (r->type == REDIS_REPLY_INTEGER) return static_cast<std::uint64_t>(r->integer);
  if (r->type == REDIS_REPLY_STRING) return std::strtoull(r->str, nullptr, 10);
  return 0;
}

std::atomic<std::uint64_t> g_claims{0};

}  // namespace

redis_bus::redis_bus(redis_bus_settings settings) : settings_(std::move(settings)) {
  commander_ = std::thread([this] { run_commands(); });
  subscriber_thread_ = std::thread([this] { run_subscriber(); });
}

redis_bus::~redis_bus() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (subscriber_ != nullptr) subscriber_->interrupt();
  }
  wake_.notify_all();
  commander_.join();
  subscriber_thread_.join();
}

void redis_bus::watch(const std::string& room, event_fn on_event, ready_fn ready) {
  bool subscribed = false;
  {
    std::lock_guard lock(mutex_);
    watched_[room] = {std::move(on_event), ready};
    subscribed = subscribed_;
  }
  // Otherwise the subscriber announces it once subscribed.
  if (subscribed) announce_ready(room, std::move(ready));
}

void redis_bus::announce_ready(const std::string& room, ready_fn ready) {
  enqueue({{"GET", room_key(room, "id")}, [ready = std::move(ready)](redisReply* r) {
             // No answer: the subscriber announces the room again after it reconnects.
             if (r != nullptr && r->type != REDIS_REPLY_ERROR) ready(reply_number(r));
           }});
}

void redis_bus::publish(const std::string& room, const chat::cluster_event& e,
                        std::uint64_t seen_id, std::function<void(bool ok)> done) {
  // Before the join: a node that dies right after it is reaped in this room too.
  if (e.event.kind == store::event_kind::join) index_room(room);
  enqueue({{"EVALSHA", "", "3", room_key(room, "id"), room_key(room, "stream"),
            room_key(room, "members"), room_key(room, "events"), encode_event_tail(e),
            std::to_string(settings_.max_events), std::to_string(seen_id), kind_name(e.event.kind),
            e.event.user, settings_.node_id},
           [done = std::move(done)](redisReply* r) {
             const bool ok = r != nullptr && r->type == REDIS_REPLY_INTEGER;
             if (!ok && r != nullptr) obs::server_log().warn("cluster publish failed: {}", r->str);
             done(ok);
           }});
}

std::vector<chat::cluster_room> redis_bus::rooms() const {
  return index_.rooms();
}

std::optional<chat::cluster_room> redis_bus::find_room(std::string_view room) const {
  return index_.find(room);
}

void redis_bus::index_room(const std::string& room) {
  enqueue({{"SADD", node_rooms_key(settings_.node_id), room}, [](redisReply*) {}});
  enqueue({{"SADD", k_rooms_key, room}, [](redisReply*) {}});
}

void redis_bus::load_index() {
  enqueue({{"SMEMBERS", k_rooms_key}, [this](redisReply* r) {
             if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return;
             for (std::size_t i = 0; i < r->elements; ++i) {
               std::string room(r->element[i]->str, r->element[i]->len);
               enqueue({{"EVAL", scripts::k_room_summary, "3", room_key(room, "id"),
                         room_key(room, "stream"), room_key(room, "members")},
                        [this, room](redisReply* summary) {
                          if (summary == nullptr || summary->type != REDIS_REPLY_ARRAY ||
                              summary->elements == 0) {
                            return;
                          }
                          std::vector<std::string> users;
                          for (std::size_t u = 1; u < summary->elements; ++u) {
                            users.emplace_back(summary->element[u]->str, summary->element[u]->len);
                          }
                          index_.replace(room, reply_number(summary->element[0]), std::move(users));
                        }});
             }
           }});
}

void redis_bus::typing(const std::string& room, const std::string& user, std::uint64_t member) {
  enqueue({{"PUBLISH", room_key(room, "events"), encode_typing(user, settings_.node_id, member)},
           [](redisReply*) {}});
}

void redis_bus::reassert(const std::string& room, std::uint64_t seen_id,
                         std::vector<std::pair<std::string, std::size_t>> members) {
  std::vector<std::string> args{"EVAL",
                                scripts::k_reassert,
                                "2",
                                room_key(room, "id"),
                                room_key(room, "members"),
                                settings_.node_id,
                                std::to_string(seen_id)};
  for (auto& [user, count] : members) {
    args.push_back(std::move(user));
    args.push_back(std::to_string(count));
  }
  index_room(room);
  enqueue({std::move(args), [room](redisReply* r) {
             if (r == nullptr || r->type == REDIS_REPLY_ERROR) {
               obs::server_log().warn("cluster: room {}: presence not restored in Redis", room);
             }
           }});
}

void redis_bus::read(const std::string& room, std::uint64_t after, std::uint64_t before,
                     std::size_t limit, read_fn done) {
  if (before <= after + 1 || limit == 0) return done(true, {});
  const std::string end = before == std::numeric_limits<std::uint64_t>::max()
                              ? std::string("+")
                              : std::to_string(before - 1);
  enqueue({{"XREVRANGE", room_key(room, "stream"), end, std::to_string(after + 1), "COUNT",
            std::to_string(limit)},
           [done = std::move(done)](redisReply* r) {
             if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return done(false, {});
             std::vector<chat::cluster_event> events;
             for (std::size_t i = r->elements; i-- > 0;) {  // newest first: reverse
               const redisReply* entry = r->element[i];
               if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) continue;
               const redisReply* fields = entry->element[1];
               if (fields->type != REDIS_REPLY_ARRAY || fields->elements < 2) continue;
               const redisReply* value = fields->element[1];
               if (auto e = decode_event({value->str, value->len})) events.push_back(std::move(*e));
             }
             done(true, std::move(events));
           }});
}

void redis_bus::claim(std::string_view name, claim_fn done) {
  // Known to be away: refused at once rather than queued behind a reconnection.
  if (ever_up_.load(std::memory_order_relaxed) && !commander_up_.load(std::memory_order_relaxed)) {
    return done(chat::claim_result::unreachable);
  }
  std::string token =
      settings_.node_id + ":" + std::to_string(g_claims.fetch_add(1, std::memory_order_relaxed));
  enqueue({{"EVAL", scripts::k_claim, "1", name_key(name), token,
            std::to_string(settings_.lease.count())},
           [this, name = std::string(name), token, done = std::move(done)](redisReply* reply) {
             if (reply == nullptr || reply->type == REDIS_REPLY_ERROR) {
               obs::server_log().warn(
                   "cluster: cannot claim username '{}': {}", name,
                   reply == nullptr ? "no answer from Redis" : std::string(reply->str, reply->len));
               return done(chat::claim_result::unreachable);
             }
             if (reply_number(reply) != 1) return done(chat::claim_result::taken);
             {
               std::lock_guard lock(mutex_);
               owned_names_[name] = token;
             }
             done(chat::claim_result::claimed);
           }});
}

void redis_bus::release(std::string_view name) {
  std::string token;
  {
    std::lock_guard lock(mutex_);
    const auto found = owned_names_.find(name);
    if (found == owned_names_.end()) return;
    token = std::move(found->second);
    owned_names_.erase(found);
  }
  enqueue({{"EVAL", scripts::k_release, "1", name_key(name), token}, [](redisReply*) {}});
}

void redis_bus::enqueue(command c) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(c));
  }
  wake_.notify_one();
}

std::unique_ptr<redis_connection> redis_bus::connect_commander() {
  auto connection = std::make_unique<redis_connection>(settings_.address, k_connect_timeout);
  if (!connection->ok()) return nullptr;
  auto sha = connection->run({"SCRIPT", "LOAD", scripts::k_publish});
  if (!sha || sha->type != REDIS_REPLY_STRING) return nullptr;
  publish_sha_.assign(sha->str, sha->len);
  // A new run_id: Redis restarted since this node last saw it.
  if (auto info = connection->run({"INFO", "server"}); info && info->type == REDIS_REPLY_STRING) {
    const std::string_view text(info->str, info->len);
    if (const auto at = text.find("run_id:"); at != std::string_view::npos) {
      const auto id = text.substr(at + 7, text.find_first_of("\r\n", at) - at - 7);
      if (!run_id_.empty() && id != run_id_) {
        generation_.fetch_add(1, std::memory_order_acq_rel);
        index_.clear();
        obs::server_log().warn("cluster: Redis restarted; rooms restore their presence there");
      }
      run_id_ = std::string(id);
    }
  }
  return connection;
}

void redis_bus::run_commands() {
  std::unique_ptr<redis_connection> connection;
  auto backoff = k_first_backoff;
  const auto refresh_every = settings_.lease / 3;
  auto next_refresh = std::chrono::steady_clock::now() + refresh_every;
  bool connected_before = false;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (commander_stale_) {
      commander_stale_ = false;
      connection.reset();
      commander_up_.store(false, std::memory_order_relaxed);
    }
    if (!connection) {
      lock.unlock();
      const std::uint64_t generation = generation_.load(std::memory_order_acquire);
      connection = connect_commander();
      lock.lock();
      // Queued for a Redis that restarted since: a leave, say, must wait until the rooms have
      // restored their presence there (they hear of the failure before they are ready again).
      if (!connection || generation != generation_.load(std::memory_order_acquire)) {
        // Nothing queued can be answered: fail it rather than hold the chat up.
        auto failed = std::move(queue_);
        queue_.clear();
        lock.unlock();
        for (auto& c : failed) c.done(nullptr);
        lock.lock();
        if (!connection) {
          wake_.wait_for(lock, backoff, [this] { return stopping_; });
          backoff = std::min(backoff * 2, k_max_backoff);
          continue;
        }
      }
      commander_up_.store(true, std::memory_order_relaxed);
      if (std::exchange(connected_before, true)) {
        obs::metrics::cluster_counters().count_reconnect(obs::metrics::redis_role::commander);
      }
      ever_up_.store(true, std::memory_order_relaxed);
      next_refresh = std::chrono::steady_clock::now();  // say at once that this node is alive
      obs::server_log().info("cluster: connected to Redis {}:{}", settings_.address.host,
                             settings_.address.port);
      backoff = k_first_backoff;
      if (subscribed_) {
        // A room's ready() may have failed with the old connection: every room catches up.
        std::vector<std::pair<std::string, ready_fn>> rooms;
        for (const auto& [room, w] : watched_) rooms.emplace_back(room, w.ready);
        lock.unlock();
        for (auto& [room, ready] : rooms) announce_ready(room, std::move(ready));
        lock.lock();
      }
    }
    wake_.wait_until(lock, next_refresh,
                     [this] { return stopping_ || commander_stale_ || !queue_.empty(); });
    if (commander_stale_) continue;
    if (stopping_) break;
    std::vector<command> batch(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.end()));
    queue_.clear();
    if (std::chrono::steady_clock::now() >= next_refresh) {
      next_refresh = std::chrono::steady_clock::now() + refresh_every;
      add_refreshes(batch);
    }
    lock.unlock();
    if (!batch.empty() && !send_batch(*connection, batch)) {
      obs::server_log().warn("cluster: lost Redis: {}", connection->error());
      connection.reset();
      commander_up_.store(false, std::memory_order_relaxed);
    }
    lock.lock();
  }
}

void redis_bus::add_refreshes(std::vector<command>& batch) {
  const std::string lease = std::to_string(settings_.lease.count());
  for (const auto& [name, token] : owned_names_) {
    batch.push_back(
        {{"EVAL", scripts::k_refresh, "1", name_key(name), token, lease}, [](redisReply*) {}});
  }
  batch.push_back({{"EVAL", scripts::k_heartbeat, "1", k_nodes_key, settings_.node_id, lease},
                   [this](redisReply* r) { on_heartbeat(r); }});
}

void redis_bus::on_heartbeat(const redisReply* r) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements < 2) return;
  obs::metrics::cluster_counters().nodes.store(
      static_cast<std::int64_t>(reply_number(r->element[0])), std::memory_order_relaxed);
  // News only when this node had said it was alive to this same Redis before: a new Redis lists
  // nobody, and a node starting under the id of one that crashed finds that one's old deadline.
  const auto lapsed = reply_number(r->element[1]);
  const std::uint64_t generation = generation_.load(std::memory_order_acquire);
  if (lapsed != 0 && heartbeat_generation_ == generation) lease_lapsed();
  heartbeat_generation_ = generation;
  for (std::size_t i = 2; i < r->elements; ++i) {
    const redisReply* dead = r->element[i];
    if (dead->type != REDIS_REPLY_STRING) continue;
    std::string node(dead->str, dead->len);
    if (node != settings_.node_id && reaping_.insert(node).second) reap(node);
  }
}

void redis_bus::lease_lapsed() {
  obs::server_log().warn(
      "cluster: this node's lease lapsed (it could not say it was alive for {} ms): other nodes "
      "may have published its users' leaves and freed their names; its connections are sent "
      "away to reconnect",
      settings_.lease.count());
  obs::metrics::cluster_counters().lease_lapses.fetch_add(1, std::memory_order_relaxed);
  std::function<void()> handler;
  {
    std::lock_guard lock(mutex_);
    handler = lease_lapsed_;
  }
  if (handler) handler();
}

void redis_bus::on_lease_lapsed(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  lease_lapsed_ = std::move(handler);
}

void redis_bus::reap(const std::string& dead) {
  obs::server_log().warn("cluster: node {} stopped answering; its users leave their rooms", dead);
  enqueue({{"SMEMBERS", node_rooms_key(dead)}, [this, dead](redisReply* r) {
             if (r == nullptr || r->type != REDIS_REPLY_ARRAY) {
               reaping_.erase(dead);  // the next heartbeat tries again
               return;
             }
             const std::string ts = std::to_string(now_ms());
             const std::string max_events = std::to_string(settings_.max_events);
             for (std::size_t i = 0; i < r->elements; ++i) {
               const std::string room(r->element[i]->str, r->element[i]->len);
               enqueue({{"EVAL", scripts::k_reap, "3", room_key(room, "id"),
                         room_key(room, "stream"), room_key(room, "members"),
                         room_key(room, "events"), dead, settings_.node_id, ts, max_events},
                        [this](redisReply* reaped) {
                          if (reaped != nullptr && reaped->type == REDIS_REPLY_INTEGER) {
                            obs::metrics::cluster_counters().lease_expiries.fetch_add(
                                reply_number(reaped), std::memory_order_relaxed);
                          }
                        }});
             }
             // After the reaps on the same connection: forgotten only once they ran.
             enqueue({{"DEL", node_rooms_key(dead)}, [](redisReply*) {}});
             enqueue({{"ZREM", k_nodes_key, dead},
                      [this, dead](redisReply*) { reaping_.erase(dead); }});
           }});
}

bool redis_bus::send_batch(redis_connection& connection, std::vector<command>& batch) {
  const auto started = std::chrono::steady_clock::now();
  for (auto& c : batch) {
    if (c.args[0] == "EVALSHA") c.args[1] = publish_sha_;
    connection.append(c.args);
  }
  std::size_t answered = 0;
  for (; answered < batch.size(); ++answered) {
    auto reply = connection.next_reply();
    if (!reply) break;
    batch[answered].done(reply.get());
  }
  if (answered == batch.size()) {
    obs::metrics::cluster_counters().count_pipeline(batch.size(),
                                                    std::chrono::steady_clock::now() - started);
  }
  for (std::size_t i = answered; i < batch.size(); ++i) batch[i].done(nullptr);
  return answered == batch.size();
}

void redis_bus::run_subscriber() {
  auto backoff = k_first_backoff;
  bool subscribed_before = false;
  while (true) {
    auto connection = std::make_unique<redis_connection>(settings_.address, k_connect_timeout);
    reply_ptr confirmed;
    if (connection->ok()) confirmed = connection->run({"PSUBSCRIBE", k_channel_pattern});
    std::vector<std::pair<std::string, ready_fn>> rooms;
    {
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      if (!confirmed) {
        wake_.wait_for(lock, backoff, [this] { return stopping_; });
        backoff = std::min(backoff * 2, k_max_backoff);
        continue;
      }
      backoff = k_first_backoff;
      subscriber_ = connection.get();
      subscribed_ = true;
      subscriber_up_.store(true, std::memory_order_relaxed);
      if (std::exchange(subscribed_before, true)) {
        obs::metrics::cluster_counters().count_reconnect(obs::metrics::redis_role::subscriber);
      }
      for (const auto& [room, w] : watched_) rooms.emplace_back(room, w.ready);
    }
    connection->wait_forever();
    obs::server_log().info("cluster: subscribed to the rooms' events");
    for (auto& [room, ready] : rooms) announce_ready(room, std::move(ready));
    load_index();
    while (auto reply = connection->next_reply()) {
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4) continue;
      const redisReply* channel = reply->element[2];
      const redisReply* payload = reply->element[3];
      on_message({channel->str, channel->len}, {payload->str, payload->len});
    }
    {
      std::lock_guard lock(mutex_);
      subscriber_ = nullptr;
      subscribed_ = false;
      subscriber_up_.store(false, std::memory_order_relaxed);
      if (stopping_) return;
      // Redis went away (or restarted): the commander's connection is most likely dead too.
      commander_stale_ = true;
    }
    wake_.notify_all();
    obs::server_log().warn("cluster: lost the Redis subscription: {}", connection->error());
  }
}

void redis_bus::on_message(std::string_view channel, std::string_view payload) {
  constexpr std::string_view k_prefix = "parley:{";
  constexpr std::string_view k_suffix = "}:events";
  if (!channel.starts_with(k_prefix) || !channel.ends_with(k_suffix)) return;
  const std::string room(
      channel.substr(k_prefix.size(), channel.size() - k_prefix.size() - k_suffix.size()));
  auto e = decode_event(payload);
  if (!e) return;
  index_.apply(room, *e);
  std::lock_guard lock(mutex_);
  if (const auto found = watched_.find(room); found != watched_.end()) {
    found->second.on_event(std::move(*e));
  }
}

}  // namespace parley::cluster
