#pragma once

#include <cstdint>

#include "chat/join_request.hpp"
#include "chat/room.hpp"
#include "ws/session.hpp"

namespace parley::chat {

// One user in the chat, speaking the legacy text protocol over its WebSocket session.
class member final : public ws::message_handler, public recipient {
 public:
  member(room& room, name_registry& names, join_request request, std::uint64_t id);

  // ws::message_handler
  void on_open(ws::session& session) override;
  void on_text(std::string_view text) override;
  void on_binary(std::string_view data) override;
  void on_close() override;
  void annotate_upgrade(obs::tracing::span& upgrade) const override;

  // recipient
  void deliver(const ws::shared_frame& frame) override;

 private:
  room& room_;
  name_registry& names_;
  join_request request_;
  std::uint64_t id_;
  ws::session* session_ = nullptr;  // set while the member is in the room
};

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

}  // namespace parley::chat
