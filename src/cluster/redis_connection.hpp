#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReply;

namespace parley::cluster {

// Where a Redis is: parsed from redis://host:port[/db].
struct redis_address {
  std::string host;
  int port = 6379;
  int db = 0;
};
// Throws std::invalid_argument when `url` is not redis://host:port[/db].
redis_address parse_redis_url(std::string_view url);

struct reply_deleter {
  void operator()(redisReply* r) const;
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

// One blocking hiredis connection, used by one thread at a time. Any error leaves it broken
// (ok() false); its owner makes a new one.
class redis_connection {
 public:
  // Connects and selects the database; check ok().
  redis_connection(const redis_address& address, std::chrono::milliseconds timeout);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  [[nodiscard]] bool ok() const;
  [[nodiscard]] std::string error() const;

  // Queues a command to send with the next reply read (pipelining).
  void append(const std::vector<std::string>& args);
  // The next reply (null: the connection broke). A Redis error reply is a reply.
  reply_ptr next_reply();
  // One command, one reply.
  reply_ptr run(const std::vector<std::string>& args);
  // Wakes a thread blocked reading this connection (it then sees an error): for stopping.
  void interrupt();
  // Reads block forever (the subscriber waits for events without a deadline).
  void wait_forever();

 private:
  redisContext* context_ = nullptr;
};

}  // namespace parley::cluster
