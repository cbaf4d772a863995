#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "chat/executor.hpp"
#include "chat/name_registry.hpp"
#include "chat/room.hpp"
#include "ws/session.hpp"

namespace parley::chat {

// The chat: one room everyone joins (the tutorial's), and the registry of usernames.
class service {
 public:
  explicit service(executor& loops);

  // The application for an upgrade to "/chat/{username}?age=N" on loop `loop`: a member, or a
  // handler that closes with 1008 when the username or age is invalid.
  std::unique_ptr<ws::message_handler> make_member(std::string_view target, std::size_t loop);

 private:
  name_registry names_;
  room lobby_;
  std::atomic<std::uint64_t> next_member_id_{1};
};

}  // namespace parley::chat
