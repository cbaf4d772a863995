#include "cluster/redis_bus.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <utility>

#include "cluster/event_codec.hpp"
#include "obs/log.hpp"
#include "obs/metrics/cluster_metrics.hpp"

namespace parley::cluster {
namespace {

// One round trip per event: the next id (never below what this node saw, so ids stay above
// what clients hold after Redis lost its data), the bounded stream, presence, the channel.
// KEYS: id, stream, users. ARGV: channel, event tail, max events, seen id, kind, user.
constexpr const char* k_publish_script = R"lua(
local id = redis.call('INCR', KEYS[1])
local seen = tonumber(ARGV[4])
if id <= seen then
  id = seen + 1
  redis.call('SET', KEYS[1], id)
end
local head = '{"id":' .. id
if ARGV[5] == 'join' then
  redis.call('HINCRBY', KEYS[3], ARGV[6], 1)
  head = head .. ',"users":' .. cjson.encode(redis.call('HKEYS', KEYS[3]))
elseif ARGV[5] == 'leave' then
  if redis.call('HINCRBY', KEYS[3], ARGV[6], -1) <= 0 then
    redis.call('HDEL', KEYS[3], ARGV[6])
  end
end
local event = head .. ',' .. ARGV[2]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], id .. '-1', 'e', event)
redis.call('PUBLISH', ARGV[1], event)
return id
)lua";

// KEYS: the name. ARGV: this claim's token, lease ms.
constexpr const char* k_claim_script =
    "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0";
// Compare-and-delete: only the claim that set it lets it go.
constexpr const char* k_release_script =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";
constexpr const char* k_refresh_script =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], "
    "ARGV[2]) end return 0";

constexpr const char* k_channel_pattern = "parley:{*}:events";
constexpr std::chrono::milliseconds k_connect_timeout{2000};
// A claim holds up the connecting client's event loop (a later slice makes it asynchronous): a
// Redis that does not answer within this refuses the name rather than stall every client there.
constexpr std::chrono::milliseconds k_claim_timeout{500};
constexpr std::chrono::milliseconds k_first_backoff{100};
constexpr std::chrono::milliseconds k_max_backoff{2000};

std::string room_key(const std::string& room, const char* what) {
  return "parley:{" + room + "}:" + what;
}
std::string name_key(std::string_view name) {
  return "parley:name:{" + std::string(name) + "}";
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
  enqueue(
      {{"EVALSHA", "", "3", room_key(room, "id"), room_key(room, "stream"), room_key(room, "users"),
        room_key(room, "events"), encode_event_tail(e), std::to_string(settings_.max_events),
        std::to_string(seen_id), kind_name(e.event.kind), e.event.user},
       [done = std::move(done)](redisReply* r) {
         const bool ok = r != nullptr && r->type == REDIS_REPLY_INTEGER;
         if (!ok && r != nullptr) obs::server_log().warn("cluster publish failed: {}", r->str);
         done(ok);
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

bool redis_bus::claim(std::string_view name) {
  const std::string token =
      settings_.node_id + ":" + std::to_string(g_claims.fetch_add(1, std::memory_order_relaxed));
  std::lock_guard claim_lock(claim_mutex_);
  if (!claimer_ || !claimer_->ok()) {
    claimer_ = std::make_unique<redis_connection>(settings_.address, k_claim_timeout);
  }
  auto reply = claimer_->run({"EVAL", k_claim_script, "1", name_key(name), token,
                              std::to_string(settings_.lease.count())});
  if (!reply) {
    obs::server_log().warn("cluster: cannot claim username '{}': {}", name, claimer_->error());
    claimer_.reset();
    return false;
  }
  if (reply_number(reply.get()) != 1) return false;
  std::lock_guard lock(mutex_);
  owned_names_[std::string(name)] = token;
  return true;
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
  enqueue({{"EVAL", k_release_script, "1", name_key(name), token}, [](redisReply*) {}});
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
  auto sha = connection->run({"SCRIPT", "LOAD", k_publish_script});
  if (!sha || sha->type != REDIS_REPLY_STRING) return nullptr;
  publish_sha_.assign(sha->str, sha->len);
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
      connection = connect_commander();
      lock.lock();
      if (!connection) {
        // Nothing queued can be answered: fail it rather than hold the chat up.
        auto failed = std::move(queue_);
        queue_.clear();
        lock.unlock();
        for (auto& c : failed) c.done(nullptr);
        lock.lock();
        wake_.wait_for(lock, backoff, [this] { return stopping_; });
        backoff = std::min(backoff * 2, k_max_backoff);
        continue;
      }
      commander_up_.store(true, std::memory_order_relaxed);
      if (std::exchange(connected_before, true)) {
        obs::metrics::cluster_counters().count_reconnect(obs::metrics::redis_role::commander);
      }
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
      for (const auto& [name, token] : owned_names_) {
        batch.push_back({{"EVAL", k_refresh_script, "1", name_key(name), token,
                          std::to_string(settings_.lease.count())},
                         [](redisReply*) {}});
      }
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
  std::lock_guard lock(mutex_);
  if (const auto found = watched_.find(room); found != watched_.end()) {
    found->second.on_event(std::move(*e));
  }
}

}  // namespace parley::cluster
