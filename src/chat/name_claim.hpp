#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat/member_context.hpp"
#include "ws/session.hpp"

namespace parley::chat {

// The username claim of a connection that has just opened, for either protocol. On one node it is
// decided at once; in a cluster it takes a Redis round trip that never holds the loop up, and
// what the client sends meanwhile is held (at most limits.messages_burst messages of
// limits.max_message_size bytes in all; one more closes 1008 `Too many messages.`) and handed back
// once the name is the member's.
class name_claim {
 public:
  name_claim() = default;
  name_claim(const name_claim&) = delete;
  name_claim& operator=(const name_claim&) = delete;
  ~name_claim() { abandon(); }

  // Claims `name`; `claimed` runs on the session's loop once the name is the member's (inside this
  // call on one node). A refusal closes the session: 1003 `Username already exists.`, or 1013
  // when a cluster node cannot reach its Redis (never a false "already exists").
  void start(member_context& context, ws::session& session, const std::string& name,
             std::function<void()> claimed);
  [[nodiscard]] bool pending() const { return ticket_ != nullptr; }
  // While pending: keeps a message for later; false when that would be too much (then the session
  // is closed).
  bool hold(std::string_view text);
  // The messages held while pending, in the order they came.
  std::vector<std::string> take_held();
  // The member is going: a claim still under way is dropped (and its name given back should it
  // succeed).
  void abandon();

 private:
  struct ticket {
    bool alive = true;
  };

  std::shared_ptr<ticket> ticket_;  // while the claim is under way
  member_context* context_ = nullptr;
  ws::session* session_ = nullptr;
  std::vector<std::string> held_;
  std::size_t held_bytes_ = 0;
};

}  // namespace parley::chat
