#include "chat/legacy_member.hpp"

#include "chat/legacy_protocol.hpp"
#include "chat/member_basics.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {

legacy_member::legacy_member(member_context& context, join_request request, std::uint64_t id)
    : context_(context), request_(std::move(request)), id_(id) {}

void legacy_member::on_open(ws::session& session) {
  if (!claim_username(context_, session, request_.username)) return;
  room_ = context_.rooms.find_or_create(request_.room);
  if (room_ == nullptr) {
    context_.names.release(request_.username);
    return refuse_join(session, "The server cannot hold more rooms.");
  }
  session_ = &session;
  session.send(legacy::text_frame(legacy::greeting(request_.username)));
  room_->shard(session.loop_index()).add(id_, *this, protocol::legacy);
  room_->join({.member = id_,
               .loop = session.loop_index(),
               .user = request_.username,
               .age = request_.age,
               .speaks = protocol::legacy});
}

void legacy_member::on_text(std::string_view text) {
  if (session_ == nullptr) return;
  const auto received_at = std::chrono::steady_clock::now();
  obs::metrics::for_loop(session_->loop_index()).messages_received.add();
  // Ended by the room on its home loop, once the event is handed to every member's loop.
  room_->publish(
      {.member = id_,
       .loop = session_->loop_index(),
       .user = request_.username,
       .text = std::string(text),
       .span = session_->trace().child("chat broadcast", obs::tracing::span_kind::internal),
       .received_at = received_at});
}

void legacy_member::on_binary(std::string_view) {
  if (session_ != nullptr) refuse_binary(*session_, request_.username);
}

void legacy_member::on_close() {
  if (session_ == nullptr) return;  // never joined (duplicate name)
  const std::size_t loop = session_->loop_index();
  session_ = nullptr;
  room_->leave(id_, loop, std::make_shared<departure>(context_.names, request_.username, 1));
}

void legacy_member::annotate_upgrade(obs::tracing::span& upgrade) const {
  upgrade.set_attribute("chat.username", request_.username);
}

void legacy_member::deliver(const ws::shared_frame& frame) {
  if (session_ != nullptr) session_->send(frame);
}

}  // namespace parley::chat
