#include "chat/v1_client.hpp"

#include <algorithm>

#include "chat/authentication.hpp"
#include "chat/member_basics.hpp"
#include "chat/v1/events.hpp"
#include "obs/escaped.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {

using v1::error_code;

v1_client::v1_client(member_context& context, join_request request, std::uint64_t id)
    : context_(context),
      request_(std::move(request)),
      id_(id),
      messages_(context.limits.messages_per_second, context.limits.messages_burst),
      history_(context.limits.history_per_second, context.limits.history_per_second) {}

void v1_client::on_open(ws::session& session) {
  claim_.start(context_, session, request_.username, [this, &session] { enter(session); });
}

void v1_client::enter(ws::session& session) {
  if (request_.expires) close_when_token_expires(session, request_.expires);
  session_ = &session;
  departure_ = std::make_shared<departure>(context_.names, request_.username, 1);
  const auto& limits = context_.limits;
  session.send(v1::hello_frame(
      request_.username, context_.version,
      {.max_message_size = limits.max_message_size,
       .max_text_bytes = limits.max_text_bytes,
       .max_rooms = limits.max_rooms_per_connection,
       .history_limit = v1::k_max_history_limit,
       .typing_interval_ms = static_cast<unsigned>(limits.typing_interval.count())}));
  join(request_.room, request_.since);
  for (const auto& text : claim_.take_held()) on_text(text);
}

void v1_client::on_text(std::string_view text) {
  if (claim_.pending()) {
    claim_.hold(text);
    return;
  }
  if (session_ == nullptr || !take_message_token(text)) return;
  auto parsed = v1::parse_command(text);
  if (auto* problem = std::get_if<v1::command_error>(&parsed)) {
    return refuse(problem->code, problem->reason, problem->room, problem->client_id);
  }
  auto& request = std::get<v1::command>(parsed);
  if (request.type == v1::command_type::refresh) return refresh(request.token);
  if (auto problem = room_name_problem(request.room); !problem.empty()) {
    return refuse(error_code::bad_room, problem, request.room, request.client_id);
  }
  if (request.type == v1::command_type::join) return join(request.room, request.since);

  auto* m = find(request.room);
  if (m == nullptr || (!m->joined && request.type != v1::command_type::leave)) {
    return refuse(error_code::not_joined,
                  m == nullptr ? "Not in this room: join it first." : "Still joining this room.",
                  request.room, request.client_id);
  }
  switch (request.type) {
    case v1::command_type::send:
      return send(request);
    case v1::command_type::leave:
      return leave(*m);
    case v1::command_type::typing:
      return typing(*m);
    case v1::command_type::history:
      return history(request, *m);
    case v1::command_type::join:
      break;
  }
}

void v1_client::join(const std::string& name, std::optional<std::uint64_t> since) {
  if (find(name) != nullptr) {
    return refuse(error_code::already_joined, "Already in this room.", name);
  }
  if (rooms_.size() >= context_.limits.max_rooms_per_connection) {
    return refuse(error_code::too_many_rooms, "Too many rooms: leave one before joining another.",
                  name);
  }
  room* where = context_.rooms.find_or_create(name);
  if (where == nullptr) {
    return refuse(error_code::room_limit, "The server cannot hold more rooms.", name);
  }
  rooms_.push_back({where, false, {}});
  const std::size_t loop = session_->loop_index();
  const std::uint64_t entry = where->shard(loop).add(id_, *this, protocol::v1);
  auto span = session_->trace().child("chat join", obs::tracing::span_kind::internal);
  if (span.recording() && since) span.set_attribute("chat.since", *since);
  where->join({.member = id_,
               .loop = loop,
               .entry = entry,
               .user = request_.username,
               .age = request_.age,
               .speaks = protocol::v1,
               .since = since,
               .span = std::move(span)});
}

void v1_client::leave(membership& m) {
  departure_->add_room();
  m.where->leave(id_, session_->loop_index(), departure_);
  std::erase_if(rooms_, [&](const membership& each) { return &each == &m; });
}

void v1_client::send(v1::command& request) {
  if (request.text.size() > context_.limits.max_text_bytes) {
    return refuse(
        error_code::text_too_long,
        "Text too long: at most " + std::to_string(context_.limits.max_text_bytes) + " bytes.",
        request.room, request.client_id);
  }
  const auto received_at = std::chrono::steady_clock::now();
  obs::metrics::for_loop(session_->loop_index()).messages_received.add();
  find(request.room)
      ->where->publish(
          {.member = id_,
           .loop = session_->loop_index(),
           .user = request_.username,
           .text = std::move(request.text),
           .client_id = std::move(request.client_id),
           .span = session_->trace().child("chat broadcast", obs::tracing::span_kind::internal),
           .received_at = received_at});
}

void v1_client::refresh(std::string_view token) {
  if (context_.verifier == nullptr) {
    return refuse(error_code::bad_request, "Authentication is off: there is no token to refresh.");
  }
  join_request check;
  check.username = request_.username;
  if (auto refusal = authenticate(*context_.verifier, token, check)) {
    return refuse(error_code::invalid_token, refusal->reason);
  }
  request_.expires = check.expires;
  close_when_token_expires(*session_, request_.expires);
  session_->send(v1::refreshed_frame(request_.expires));
}

void v1_client::typing(membership& m) {
  const auto now = std::chrono::steady_clock::now();
  // More often than the interval: quietly dropped (the others already know).
  if (m.last_typing != std::chrono::steady_clock::time_point{} &&
      now - m.last_typing < context_.limits.typing_interval) {
    return;
  }
  m.last_typing = now;
  m.where->typing(id_, request_.username);
}

void v1_client::history(const v1::command& request, membership& m) {
  if (!history_.take(std::chrono::steady_clock::now())) {
    return refuse(error_code::rate_limited, "Too many history requests: slow down.", request.room);
  }
  m.where->history(id_, session_->loop_index(), request.before, request.limit);
}

bool v1_client::take_message_token(std::string_view text) {
  if (context_.limits.messages_per_second == 0 ||
      messages_.take(std::chrono::steady_clock::now())) {
    return true;
  }
  obs::metrics::for_loop(session_->loop_index()).messages_rate_limited.add();
  // The refused request's room and client_id, when it has them, so a client can retry that send.
  auto parsed = v1::parse_command(text);
  const auto* request = std::get_if<v1::command>(&parsed);
  refuse(error_code::rate_limited,
         "Too many messages: at most " + std::to_string(context_.limits.messages_per_second) +
             " a second. This one was not carried out.",
         request != nullptr ? std::string_view(request->room) : std::string_view{},
         request != nullptr ? std::string_view(request->client_id) : std::string_view{});
  return false;
}

v1_client::membership* v1_client::find(std::string_view name) {
  const auto found = std::find_if(rooms_.begin(), rooms_.end(),
                                  [name](const membership& m) { return m.where->name() == name; });
  return found == rooms_.end() ? nullptr : &*found;
}

void v1_client::refuse(error_code code, std::string_view reason, std::string_view room,
                       std::string_view client_id) {
  obs::chat_log().info("refused a request from {}: {} ({})", request_.username, v1::name(code),
                       obs::escaped{reason});
  obs::metrics::for_loop(session_->loop_index())
      .count_protocol_error(static_cast<std::size_t>(code));
  session_->send(v1::error_frame(code, reason, room, client_id));
}

void v1_client::on_binary(std::string_view) {
  if (session_ != nullptr) refuse_binary(*session_, request_.username);
}

void v1_client::on_close() {
  claim_.abandon();
  if (session_ == nullptr) return;  // never joined (a duplicate name, or still claiming it)
  const std::size_t loop = session_->loop_index();
  session_ = nullptr;
  for (auto& m : rooms_) {
    departure_->add_room();
    m.where->leave(id_, loop, departure_);
  }
  rooms_.clear();
  departure_->room_left();  // the connection's own share
  departure_.reset();
}

void v1_client::annotate_upgrade(obs::tracing::span& upgrade) const {
  upgrade.set_attribute("chat.username", request_.username);
  upgrade.set_attribute("chat.protocol", v1::k_subprotocol);
}

void v1_client::deliver(const ws::shared_frame& frame) {
  if (session_ != nullptr) session_->send(frame);
}

void v1_client::on_joined(room& joined) {
  for (auto& m : rooms_) {
    if (m.where == &joined) m.joined = true;
  }
}

void v1_client::on_join_failed(room& failed) {
  const auto found = std::find_if(rooms_.begin(), rooms_.end(),
                                  [&](const membership& m) { return m.where == &failed; });
  if (found == rooms_.end() || session_ == nullptr) return;
  rooms_.erase(found);
  refuse(error_code::unavailable, "The chat cannot reach its Redis; not joined, try again.",
         failed.name());
}

}  // namespace parley::chat
