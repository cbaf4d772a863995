#include "cluster/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <charconv>
#include <stdexcept>

namespace parley::cluster {
namespace {

int parse_int(std::string_view text, std::string_view url) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0) {
    throw std::invalid_argument("not a redis://host:port[/db] URL: " + std::string(url));
  }
  return value;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  return {static_cast<time_t>(ms.count() / 1000),
          static_cast<suseconds_t>(ms.count() % 1000 * 1000)};
}

}  // namespace

redis_address parse_redis_url(std::string_view url) {
  constexpr std::string_view k_scheme = "redis://";
  if (!url.starts_with(k_scheme)) {
    throw std::invalid_argument("not a redis://host:port[/db] URL: " + std::string(url));
  }
  std::string_view rest = url.substr(k_scheme.size());
  redis_address address;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    address.db = parse_int(rest.substr(slash + 1), url);
    rest = rest.substr(0, slash);
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument("not a redis://host:port[/db] URL: " + std::string(url));
  }
  address.host = std::string(rest.substr(0, colon));
  address.port = parse_int(rest.substr(colon + 1), url);
  return address;
}

void reply_deleter::operator()(redisReply* r) const {
  freeReplyObject(r);
}

redis_connection::redis_connection(const redis_address& address,
                                   std::chrono::milliseconds timeout) {
  context_ = redisConnectWithTimeout(address.host.c_str(), address.port, to_timeval(timeout));
  if (!ok()) return;
  redisSetTimeout(context_, to_timeval(timeout));
  if (address.db != 0) {
    auto reply = run({"SELECT", std::to_string(address.db)});
    if (reply && reply->type == REDIS_REPLY_ERROR) {
      redisFree(context_);
      context_ = nullptr;
    }
  }
}

redis_connection::~redis_connection() {
  if (context_ != nullptr) redisFree(context_);
}

bool redis_connection::ok() const {
  return context_ != nullptr && context_->err == 0;
}

std::string redis_connection::error() const {
  if (context_ == nullptr) return "cannot connect";
  return context_->errstr;
}

void redis_connection::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data());
}

reply_ptr redis_connection::next_reply() {
  if (!ok()) return nullptr;
  void* reply = nullptr;
  if (redisGetReply(context_, &reply) != REDIS_OK) return nullptr;
  return reply_ptr(static_cast<redisReply*>(reply));
}

reply_ptr redis_connection::run(const std::vector<std::string>& args) {
  append(args);
  return next_reply();
}

void redis_connection::interrupt() {
  if (context_ != nullptr) ::shutdown(context_->fd, SHUT_RDWR);
}

void redis_connection::wait_forever() {
  if (context_ != nullptr) redisSetTimeout(context_, timeval{0, 0});
}

}  // namespace parley::cluster
