#pragma once

#include <cstdint>

#include "chat/join_request.hpp"
#include "chat/member_context.hpp"
#include "chat/name_claim.hpp"
#include "chat/room.hpp"
#include "chat/token_bucket.hpp"
#include "ws/session.hpp"

namespace parley::chat {

// One user speaking the tutorial's text protocol: in exactly one room, seeing everything in it
// as the tutorial's lines.
class legacy_member final : public ws::message_handler, public recipient {
 public:
  // The room (request.room) is made once the username is claimed: a refused connection makes none.
  legacy_member(member_context& context, join_request request, std::uint64_t id);

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
  void on_join_failed(room& room) override;
  void on_message_failed() override;

 private:
  // The name is claimed: joins the room and greets.
  void enter(ws::session& session);
  // Takes the message from the bucket; false when the client is past its tolerance and closed.
  bool within_rate(std::chrono::steady_clock::time_point now);

  member_context& context_;
  name_claim claim_;
  room* room_ = nullptr;  // set once the username is claimed
  join_request request_;
  std::uint64_t id_;
  ws::session* session_ = nullptr;  // set while the member is in the room
  token_bucket messages_;  // limits.messages_per_second; overdrawn up to legacy_rate_tolerance
};

}  // namespace parley::chat
