#include "ws/session.hpp"

#include <utility>

#include "obs/escaped.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::ws {

session::session(net::transport& transport, std::unique_ptr<message_handler> handler,
                 session_limits limits, obs::tracing::trace_context trace)
    : transport_(transport), handler_(std::move(handler)), limits_(limits) {
  if (trace.parent.sampled) tracing_ = std::make_unique<tracing_state>(tracing_state{trace, {}});
}

session::~session() = default;

const obs::tracing::trace_context& session::trace() const {
  static const obs::tracing::trace_context untraced;
  return tracing_ ? tracing_->context : untraced;
}

void session::enable_deflate(bool client_no_context_takeover) {
  deflate_ = std::make_unique<deflate_state>();
  deflate_->client_no_context_takeover = client_no_context_takeover;
}

void session::open(std::string_view path) {
  if (obs::access_log().should_log(spdlog::level::info)) {
    // The address now: the socket may be gone when the close line is written.
    access_ = std::make_unique<access_record>(
        access_record{transport_.remote_address(), std::string(path), transport_.now()});
  }
  last_heard_ = transport_.now();
  start_ping_timer();
  handler_->on_open(*this);
}

void session::start_ping_timer() {
  if (limits_.ping_interval.count() > 0) {
    arm_timer(limits_.ping_interval);
  } else {
    arm_timer(std::nullopt);
  }
}

void session::arm_timer(std::optional<std::chrono::steady_clock::duration> delay) {
  const auto now = transport_.now();
  ping_due_ = delay ? now + *delay : std::chrono::steady_clock::time_point::max();
  auto due = ping_due_;
  if (scheduled_close_) due = std::min(due, scheduled_close_->when);
  if (due == std::chrono::steady_clock::time_point::max()) return;
  // Rounded up: the timer must not fire before what it stands for.
  transport_.start_timer(std::chrono::ceil<std::chrono::milliseconds>(
      std::max(due - now, std::chrono::steady_clock::duration{})));
}

void session::close_at(std::chrono::steady_clock::time_point when, close_status status) {
  if (state_ != state::open) return;
  scheduled_close_ = scheduled_close{when, status};
  const auto now = transport_.now();
  arm_timer(ping_due_ == std::chrono::steady_clock::time_point::max()
                ? std::nullopt
                : std::optional(std::max(ping_due_ - now, std::chrono::steady_clock::duration{})));
}

void session::send(const shared_frame& frame) {
  if (state_ == state::open) transport_.send(frame);
}

void session::close(close_status status) {
  if (state_ != state::open) return;
  note_end(closer::server, status.code);
  transport_.send_last(encode_close_frame(status));
  state_ = state::closing;
  transport_.start_timer(limits_.close_timeout);
  leave_open_state(status);
}

void session::fail(close_status status) {
  fail(status, rejection_for(status.code));
}

void session::fail(close_status status, obs::metrics::rejection reason) {
  if (state_ == state::closed) return;
  obs::ws_log().info("closing a connection that broke the protocol: {} {}",
                     static_cast<int>(status.code), status.reason);
  obs::metrics::for_loop(transport_.loop_index()).count_rejection(reason);
  if (state_ == state::open) {
    note_end(closer::server, status.code);
    transport_.send_last(encode_close_frame(status));
  }
  become_closed();
  transport_.close_after_flush();
  leave_open_state(status);
  end_close_span(false);
}

obs::metrics::rejection session::rejection_for(close_code code) {
  using obs::metrics::rejection;
  return code == close_code::invalid_payload   ? rejection::ws_invalid_utf8
         : code == close_code::message_too_big ? rejection::ws_message_too_big
                                               : rejection::ws_protocol_error;
}

void session::note_end(closer by, close_code code) {
  if (closed_by_ != closer::nobody_yet) return;
  closed_by_ = by;
  close_code_ = code;
}

void session::become_closed() {
  // Logged now rather than at on_disconnect, which is posted: a server draining for shutdown may
  // stop its loops between the two.
  if (state_ != state::closed) {
    log_close();
    obs::metrics::for_loop(transport_.loop_index()).count_close(static_cast<int>(close_code_));
  }
  state_ = state::closed;
}

void session::log_close() const {
  if (!access_) return;
  const auto by = closed_by_ == closer::client   ? "client"
                  : closed_by_ == closer::server ? "server"
                                                 : "none";
  const auto lasted =
      std::chrono::duration_cast<std::chrono::milliseconds>(transport_.now() - access_->opened_at);
  obs::access_log().info("close remote={} path={} code={} by={} duration_ms={}", access_->remote,
                         obs::escaped{access_->path}, static_cast<int>(close_code_), by,
                         lasted.count());
}

void session::leave_open_state(close_status status) {
  if (handler_told_closed_) return;
  handler_told_closed_ = true;
  if (tracing_) {
    auto& span = tracing_->close_span;
    span = tracing_->context.child("websocket close", obs::tracing::span_kind::internal);
    if (span.recording()) {
      span.set_attribute("websocket.close.code", static_cast<int>(status.code));
      span.set_attribute("websocket.close.reason", status.reason);
      span.set_attribute("websocket.close.initiator", closed_by_ == closer::client   ? "client"
                                                      : closed_by_ == closer::server ? "server"
                                                                                     : "network");
    }
  }
  message_.reset();
  handler_->on_close();
}

void session::end_close_span(bool clean) {
  if (!tracing_ || !tracing_->close_span.recording()) return;
  auto& span = tracing_->close_span;
  span.set_attribute("websocket.close.clean", clean);
  span.end();
  span = {};
}

std::size_t session::on_data(std::span<char> bytes) {
  last_heard_ = transport_.now();
  heard_since_ping_ = true;
  std::size_t used = 0;
  while (state_ != state::closed && transport_.is_open() && used < bytes.size()) {
    const auto rest = bytes.subspan(used);
    const auto result = parse_frame(
        rest, limits_.max_message_size - (message_ ? message_->size() : 0), deflate_ != nullptr);
    if (result.status == parse_status::need_more) {
      check_partial_text(result.header, rest);
      break;
    }
    if (result.status == parse_status::error) {
      fail(result.error);
      break;
    }
    const auto payload = rest.subspan(result.header.header_size, result.header.payload_size);
    const std::size_t checked = std::exchange(partial_checked_, 0);
    unmask(payload.subspan(checked), result.header.mask, checked);
    used += result.frame_size();
    handle_frame(result.header, payload, checked);
  }
  // Once closed, whatever else the client sends is read and dropped. A transport that stopped
  // taking output (a slow consumer about to be closed) keeps the unparsed rest instead: the
  // session parses on from the same frame boundary once it is closing, waiting for a close frame.
  return state_ == state::closed ? bytes.size() : used;
}

bool session::continues_text(const frame_header& header) const {
  if (header.op == opcode::text) return message_opcode_ == opcode::continuation;
  return header.op == opcode::continuation && message_opcode_ == opcode::text;
}

void session::check_partial_text(const frame_header& header, std::span<char> frame) {
  // Only once the header (with its mask) is complete, and only for text in a valid position;
  // compressed text is checked once inflated.
  if (state_ != state::open || header.header_size == 0 || frame.size() <= header.header_size ||
      !continues_text(header) || header.compressed ||
      (deflate_ && deflate_->message_compressed && header.op == opcode::continuation)) {
    return;
  }
  const std::size_t arrived = frame.size() - header.header_size;  // < payload_size: need_more
  if (arrived <= partial_checked_) return;
  if (partial_checked_ == 0 && header.op == opcode::text) utf8_.reset();
  const auto piece =
      frame.subspan(header.header_size + partial_checked_, arrived - partial_checked_);
  unmask(piece, header.mask, partial_checked_);
  partial_checked_ = arrived;
  if (!utf8_.feed(std::string_view(piece.data(), piece.size()))) {
    fail({close_code::invalid_payload, "Invalid UTF-8 in text message."});
  }
}

void session::handle_frame(const frame_header& header, std::span<char> payload,
                           std::size_t checked) {
  const std::string_view view(payload.data(), payload.size());
  switch (header.op) {
    case opcode::ping:
      if (state_ == state::open) transport_.send(encode_frame(opcode::pong, view));
      break;
    case opcode::pong:
      break;  // unsolicited pongs are allowed and ignored
    case opcode::close:
      handle_close_frame(view);
      break;
    default:
      if (state_ == state::open) handle_data_frame(header, view, checked);
      break;
  }
}

void session::handle_data_frame(const frame_header& header, std::string_view payload,
                                std::size_t checked) {
  const bool starts_message = header.op != opcode::continuation;
  const bool message_in_progress = message_opcode_ != opcode::continuation;
  if (!starts_message && !message_in_progress) {
    return fail({close_code::protocol_error, "Continuation frame without a message to continue."});
  }
  if (starts_message && message_in_progress) {
    return fail({close_code::protocol_error, "New message started before the previous one ended."});
  }
  const opcode op = starts_message ? header.op : message_opcode_;
  if (deflate_) {
    if (starts_message) deflate_->message_compressed = header.compressed;
    if (deflate_->message_compressed) return handle_compressed_frame(header, op, payload);
  }

  // Text is validated as it arrives: `checked` bytes of this frame were, while it was incomplete.
  if (op == opcode::text) {
    if (starts_message && checked == 0) utf8_.reset();
    if (!utf8_.feed(payload.substr(checked)) || (header.fin && !utf8_.complete())) {
      return fail({close_code::invalid_payload, "Invalid UTF-8 in text message."});
    }
  }

  if (starts_message && header.fin) return deliver_message(op, payload);  // whole: no copy

  if (starts_message) message_opcode_ = op;
  if (!message_) message_ = std::make_unique<std::string>();
  message_->append(payload);
  if (!header.fin) return;

  message_opcode_ = opcode::continuation;
  const auto message = std::move(message_);  // the handler may close us, which resets message_
  deliver_message(op, *message);
}

void session::handle_compressed_frame(const frame_header& header, opcode op,
                                      std::string_view payload) {
  auto& state = *deflate_;
  if (!state.inflate) state.inflate = std::make_unique<inflater>(!state.client_no_context_takeover);
  if (!message_) message_ = std::make_unique<std::string>();
  const std::size_t before = message_->size();
  switch (state.inflate->inflate(payload, header.fin, *message_, limits_.max_message_size)) {
    case inflate_status::ok:
      break;
    case inflate_status::too_big:
      return fail({close_code::message_too_big, "Message too big."});
    case inflate_status::corrupt:
      return fail({close_code::invalid_payload, "Invalid compressed data."},
                  obs::metrics::rejection::ws_invalid_deflate);
  }
  if (op == opcode::text) {
    if (header.op != opcode::continuation) utf8_.reset();
    const std::string_view inflated = std::string_view(*message_).substr(before);
    if (!utf8_.feed(inflated) || (header.fin && !utf8_.complete())) {
      return fail({close_code::invalid_payload, "Invalid UTF-8 in text message."});
    }
  }
  if (!header.fin) {
    message_opcode_ = op;
    return;
  }
  message_opcode_ = opcode::continuation;
  state.message_compressed = false;
  if (state.client_no_context_takeover) state.inflate.reset();
  auto& metrics = obs::metrics::for_loop(transport_.loop_index());
  metrics.ws_inflations.add();
  metrics.ws_inflated_bytes.add(message_->size());
  const auto message = std::move(message_);  // the handler may close us, which resets message_
  deliver_message(op, *message);
}

void session::deliver_message(opcode op, std::string_view payload) {
  if (op == opcode::text) {
    handler_->on_text(payload);
  } else {
    handler_->on_binary(payload);
  }
}

void session::handle_close_frame(std::string_view payload) {
  if (payload.size() == 1) {
    return fail({close_code::protocol_error, "Close frame with a one-byte payload."});
  }
  std::string reply;
  close_status received{close_code::no_status, {}};
  if (payload.size() >= 2) {
    const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                 static_cast<unsigned char>(payload[1]));
    if (!is_valid_received_code(code)) {
      return fail({close_code::protocol_error, "Invalid close code."});
    }
    if (!is_valid_utf8(payload.substr(2))) {
      return fail({close_code::invalid_payload, "Invalid UTF-8 in close reason."});
    }
    reply = encode_close_frame({static_cast<close_code>(code), ""});
    note_end(closer::client, static_cast<close_code>(code));
    received = {static_cast<close_code>(code), payload.substr(2)};
  } else {
    reply = encode_frame(opcode::close, std::string_view{});
    note_end(closer::client, close_code::no_status);
  }
  // In the closing state our close frame is already out: the handshake is complete.
  if (state_ == state::open) transport_.send_last(std::move(reply));
  become_closed();
  transport_.cancel_timer();
  transport_.close_after_flush();
  leave_open_state(received);  // a no-op when we started the close
  end_close_span(true);
}

void session::on_timeout() {
  if (state_ == state::closing) {  // the client never answered our close frame
    become_closed();
    transport_.close_now();
    end_close_span(false);
    return;
  }
  if (state_ != state::open) return;
  const auto now = transport_.now();
  if (scheduled_close_ && now >= scheduled_close_->when) {
    const auto status = scheduled_close_->status;
    obs::ws_log().info("closing at the time set: {} {}", static_cast<int>(status.code),
                       status.reason);
    if (status.code == close_code::token_expired) {
      obs::metrics::for_loop(transport_.loop_index())
          .count_rejection(obs::metrics::rejection::auth_token_expired);
    }
    close(status);
    return;
  }
  if (now < ping_due_) {  // woken for a close_at that has moved since
    arm_timer(ping_due_ == std::chrono::steady_clock::time_point::max()
                  ? std::nullopt
                  : std::optional(ping_due_ - now));
    return;
  }
  if (ping_outstanding_ && !heard_since_ping_) {
    // A whole interval after our ping without a byte, not even the pong: the peer (or the path
    // to it) is gone, and its username should not stay taken.
    obs::ws_log().info("closing a connection that answered no ping");
    note_end(closer::server, close_code::abnormal);
    become_closed();
    transport_.close_now();
    leave_open_state({close_code::abnormal, "No answer to ping."});
    end_close_span(false);
    return;
  }
  ping_outstanding_ = false;
  // The ping goes out after a full interval of silence, counted from the last byte heard.
  const auto quiet = now - last_heard_;
  if (quiet < limits_.ping_interval) {
    arm_timer(limits_.ping_interval - quiet);
    return;
  }
  transport_.send(encode_frame(opcode::ping, std::string_view{}));
  ping_outstanding_ = true;
  heard_since_ping_ = false;
  start_ping_timer();
}

void session::on_shutdown() {
  close({close_code::going_away, "Server is shutting down."});
}

void session::on_restart(std::string_view reason) {
  close({close_code::service_restart, reason});
}

void session::on_slow_consumer() {
  close({close_code::policy_violation, "Too slow: too much output left unread."});
}

void session::on_disconnect() {
  note_end(closer::none, close_code::abnormal);
  become_closed();
  leave_open_state({close_code::abnormal, {}});
  end_close_span(false);
}

}  // namespace parley::ws
