#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chat/join_request.hpp"
#include "chat/member_context.hpp"
#include "chat/name_claim.hpp"
#include "chat/room.hpp"
#include "chat/token_bucket.hpp"
#include "chat/v1/commands.hpp"
#include "ws/session.hpp"

namespace parley::chat {

// One user speaking parley.v1: JSON requests in, JSON events out, in any number of rooms (up to
// limits.max_rooms_per_connection), the URL's room first. Lives on its connection's loop.
class v1_client final : public ws::message_handler, public recipient {
 public:
  v1_client(member_context& context, join_request request, std::uint64_t id);

  // ws::message_handler
  void on_open(ws::session& session) override;
  void on_text(std::string_view text) override;
  void on_binary(std::string_view data) override;
  void on_close() override;
  void annotate_upgrade(obs::tracing::span& upgrade) const override;

  // recipient
  void deliver(const ws::shared_frame& frame) override;
  [[nodiscard]] bool takes_deflated() const override {
    return session_ != nullptr && session_->sends_deflated();
  }
  void on_joined(room& room) override;
  void on_join_failed(room& room) override;

 private:
  struct membership {
    room* where;
    bool joined;  // the room has sequenced the join: requests for it are taken
    std::chrono::steady_clock::time_point last_typing;
  };

  // The name is claimed: says hello and joins the URL's room.
  void enter(ws::session& session);
  void join(const std::string& name, std::optional<std::uint64_t> since);
  void leave(membership& m);
  void send(v1::command& request);
  void typing(membership& m);
  // Takes a new token for this user (its expiry replaces the old one's), or refuses it.
  void refresh(std::string_view token);
  void history(const v1::command& request, membership& m);
  // The membership of the room named `name`, or nullptr.
  membership* find(std::string_view name);
  // Takes a message from the bucket; false (and the client told rate_limited) when it is empty.
  bool take_message_token(std::string_view text);
  void refuse(v1::error_code code, std::string_view reason, std::string_view room = {},
              std::string_view client_id = {});

  member_context& context_;
  name_claim claim_;
  join_request request_;
  std::uint64_t id_;
  ws::session* session_ = nullptr;  // set while the client is in the chat
  std::vector<membership> rooms_;
  // Frees the username once the connection has closed and every room it left has sequenced it.
  std::shared_ptr<departure> departure_;
  token_bucket messages_;  // limits.messages_per_second, limits.messages_burst at once
  token_bucket history_;   // limits.history_per_second, as many at once
};

}  // namespace parley::chat
