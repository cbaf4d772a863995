#include "chat/legacy_member.hpp"

#include "chat/legacy_protocol.hpp"
#include "chat/member_basics.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {

legacy_member::legacy_member(member_context& context, join_request request, std::uint64_t id)
    : context_(context),
      request_(std::move(request)),
      id_(id),
      messages_(context.limits.messages_per_second, context.limits.messages_burst) {}

void legacy_member::on_open(ws::session& session) {
  claim_.start(context_, session, request_.username, [this, &session] { enter(session); });
}

void legacy_member::enter(ws::session& session) {
  if (request_.expires) close_when_token_expires(session, request_.expires);
  room_ = context_.rooms.find_or_create(request_.room);
  if (room_ == nullptr) {
    context_.names.release(request_.username);
    return refuse_join(session, "The server cannot hold more rooms.");
  }
  session_ = &session;
  session.send(legacy::text_frame(legacy::greeting(request_.username)));
  const std::uint64_t entry = room_->shard(session.loop_index()).add(id_, *this, protocol::legacy);
  room_->join({.member = id_,
               .loop = session.loop_index(),
               .entry = entry,
               .user = request_.username,
               .age = request_.age,
               .speaks = protocol::legacy});
  for (const auto& text : claim_.take_held()) on_text(text);
}

void legacy_member::on_text(std::string_view text) {
  if (claim_.pending()) {
    claim_.hold(text);
    return;
  }
  if (session_ == nullptr) return;
  const auto received_at = std::chrono::steady_clock::now();
  if (!within_rate(received_at)) return;
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

bool legacy_member::within_rate(std::chrono::steady_clock::time_point now) {
  const auto& limits = context_.limits;
  if (limits.messages_per_second == 0 || messages_.take(now)) return true;
  auto& metrics = obs::metrics::for_loop(session_->loop_index());
  metrics.messages_rate_limited.add();
  // No error event in this protocol: tolerated (and delivered) while the debt is small.
  if (messages_.take(now, limits.legacy_rate_tolerance)) return true;
  obs::chat_log().info("{} sent more than {} messages a second; closing with 1008",
                       request_.username, limits.messages_per_second);
  metrics.count_rejection(obs::metrics::rejection::chat_rate_limited);
  session_->close({ws::close_code::policy_violation, "Too many messages."});
  return false;
}

void legacy_member::on_binary(std::string_view) {
  if (session_ != nullptr) refuse_binary(*session_, request_.username);
}

void legacy_member::on_close() {
  claim_.abandon();
  if (session_ == nullptr) return;  // never joined (a duplicate name, or still claiming it)
  const std::size_t loop = session_->loop_index();
  session_ = nullptr;
  room_->leave(id_, loop, std::make_shared<departure>(context_.names, request_.username, 1));
}

// This protocol has no error event: the client is told to come back.
void legacy_member::on_join_failed(room&) {
  // Nobody saw it come.
  if (session_ != nullptr) close_unavailable(*session_, request_.username, "join");
}

void legacy_member::on_message_failed() {
  // Nobody saw it either; closing says so, where carrying on would lose it unsaid.
  if (session_ != nullptr) close_unavailable(*session_, request_.username, "send a message");
}

void legacy_member::annotate_upgrade(obs::tracing::span& upgrade) const {
  upgrade.set_attribute("chat.username", request_.username);
}

void legacy_member::deliver(const ws::shared_frame& frame) {
  if (session_ != nullptr) session_->send(frame);
}

}  // namespace parley::chat
