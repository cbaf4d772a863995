#include "chat/member.hpp"

#include "chat/legacy_protocol.hpp"
#include "obs/escaped.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {
namespace {
constexpr std::string_view k_room_name = "lobby";  // the one room (chat::service::lobby_)
}

member::member(room& room, name_registry& names, join_request request, std::uint64_t id)
    : room_(room), names_(names), request_(std::move(request)), id_(id) {}

void member::on_open(ws::session& session) {
  if (!names_.claim(request_.username)) {
    obs::chat_log().info("refused duplicate username '{}'", request_.username);
    obs::metrics::for_loop(session.loop_index())
        .count_rejection(obs::metrics::rejection::chat_duplicate_username);
    session.close({ws::close_code::unsupported_data, "Username already exists."});
    return;
  }
  session_ = &session;
  session.send(legacy::text_frame(legacy::greeting(request_.username)));
  room_.shard(session.loop_index()).add(id_, *this);
  room_.join(id_, session.loop_index(), request_.username, request_.age);
}

void member::on_text(std::string_view text) {
  if (session_ == nullptr) return;
  const auto received_at = std::chrono::steady_clock::now();
  obs::metrics::for_loop(session_->loop_index()).messages_received.add();
  obs::chat_log().info("{}: {}", request_.username, obs::escaped{text});
  auto frame = legacy::message_frame(request_.username, text);
  // Ended by the room on its home loop, once the frame is handed to every member's loop.
  auto span = session_->trace().child("chat broadcast", obs::tracing::span_kind::internal);
  if (span.recording()) {
    span.set_attribute("chat.room", k_room_name);
    span.set_attribute("messaging.message.body.size", text.size());
    span.set_attribute("chat.bytes", frame->size());
  }
  room_.publish(std::move(frame), std::move(span), received_at);
}

void member::on_binary(std::string_view) {
  if (session_ == nullptr) return;
  obs::chat_log().info("{} sent a binary message; closing with 1003", request_.username);
  obs::metrics::for_loop(session_->loop_index())
      .count_rejection(obs::metrics::rejection::chat_binary_message);
  session_->close({ws::close_code::unsupported_data, "Binary messages are not supported."});
}

void member::on_close() {
  if (session_ == nullptr) return;  // never joined (duplicate name)
  const std::size_t loop = session_->loop_index();
  session_ = nullptr;
  room_.leave(id_, loop, request_.username);
}

void member::annotate_upgrade(obs::tracing::span& upgrade) const {
  upgrade.set_attribute("chat.username", request_.username);
}

void member::deliver(const ws::shared_frame& frame) {
  if (session_ != nullptr) session_->send(frame);
}

void refused_join::on_open(ws::session& session) {
  obs::chat_log().info("refused join: {}", refusal_.reason);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(obs::metrics::rejection::chat_invalid_join);
  session.close({ws::close_code::policy_violation, refusal_.reason});
}

}  // namespace parley::chat
