#pragma once

#include <string>

#include "chat/join_request.hpp"
#include "chat/member_context.hpp"
#include "ws/session.hpp"

// What the chat's connections of either protocol do alike.
namespace parley::chat {

// Closes a WebSocket whose join request was invalid, with 1008 and the reason (a browser cannot
// read an HTTP error on a WebSocket, but it can read a close reason).
class refused_join final : public ws::message_handler {
 public:
  explicit refused_join(join_refusal refusal) : refusal_(std::move(refusal)) {}
  void on_open(ws::session& session) override;
  void on_text(std::string_view) override {}
  void on_binary(std::string_view) override {}
  void on_close() override {}

 private:
  join_refusal refusal_;
};

// Closes a connection whose join is refused with 1008 and the reason; logged and counted (as a bad
// token when `bad_token`, else as an invalid join).
void refuse_join(ws::session& session, std::string_view reason, bool bad_token = false);
// Closes the session with 4001 `Token expired.` at `expires` (seconds since the Unix epoch), or
// never when none (a refresh with a token that does not expire).
void close_when_token_expires(ws::session& session, std::optional<std::int64_t> expires);
// Closes with 1013 when a cluster node cannot reach its Redis, so `what` (claim its name, join,
// send a message) could not be done; logged and counted as chat_unavailable.
void close_unavailable(ws::session& session, const std::string& name, std::string_view what);
// Closes with 1003: no protocol of the chat takes binary messages.
void refuse_binary(ws::session& session, const std::string& name);

}  // namespace parley::chat
