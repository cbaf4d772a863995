#include "ws/session.hpp"

#include "obs/log.hpp"

namespace parley::ws {

session::session(net::transport& transport, std::unique_ptr<message_handler> handler,
                 session_limits limits)
    : transport_(transport), handler_(std::move(handler)), limits_(limits) {}

session::~session() = default;

void session::open() {
  handler_->on_open(*this);
}

void session::send(const shared_frame& frame) {
  if (state_ == state::open) transport_.send(frame);
}

void session::close(close_status status) {
  if (state_ != state::open) return;
  transport_.send(encode_close_frame(status));
  state_ = state::closing;
  transport_.start_timer(limits_.close_timeout);
  leave_open_state();
}

void session::fail(close_status status) {
  if (state_ == state::closed) return;
  obs::ws_log().debug("failing connection: {} {}", static_cast<int>(status.code), status.reason);
  if (state_ == state::open) transport_.send(encode_close_frame(status));
  state_ = state::closed;
  transport_.close_after_flush();
  leave_open_state();
}

void session::leave_open_state() {
  if (handler_told_closed_) return;
  handler_told_closed_ = true;
  message_.clear();
  message_.shrink_to_fit();
  handler_->on_close();
}

std::size_t session::on_data(std::span<char> bytes) {
  std::size_t used = 0;
  while (state_ != state::closed && used < bytes.size()) {
    const auto rest = bytes.subspan(used);
    const auto result = parse_frame(rest, limits_.max_message_size - message_.size());
    if (result.status == parse_status::need_more) break;
    if (result.status == parse_status::error) {
      fail(result.error);
      break;
    }
    const auto payload = rest.subspan(result.header.header_size, result.header.payload_size);
    unmask(payload, result.header.mask);
    used += result.frame_size();
    handle_frame(result.header, payload);
  }
  // Once closed, whatever else the client sends is read and dropped.
  return state_ == state::closed ? bytes.size() : used;
}

void session::handle_frame(const frame_header& header, std::span<char> payload) {
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
      if (state_ == state::open) handle_data_frame(header, view);
      break;
  }
}

void session::handle_data_frame(const frame_header& header, std::string_view payload) {
  const bool starts_message = header.op != opcode::continuation;
  const bool message_in_progress = message_opcode_ != opcode::continuation;
  if (!starts_message && !message_in_progress) {
    return fail({close_code::protocol_error, "Continuation frame without a message to continue."});
  }
  if (starts_message && message_in_progress) {
    return fail({close_code::protocol_error, "New message started before the previous one ended."});
  }

  if (starts_message && header.fin) {  // the common case: a whole message in one frame, no copy
    if (header.op == opcode::text && !is_valid_utf8(payload)) {
      return fail({close_code::invalid_payload, "Invalid UTF-8 in text message."});
    }
    return deliver_message(header.op, payload);
  }

  if (starts_message) {
    message_opcode_ = header.op;
    utf8_.reset();
  }
  if (message_opcode_ == opcode::text && !utf8_.feed(payload)) {
    return fail({close_code::invalid_payload, "Invalid UTF-8 in text message."});
  }
  message_.append(payload);
  if (!header.fin) return;

  if (message_opcode_ == opcode::text && !utf8_.complete()) {
    return fail({close_code::invalid_payload, "Invalid UTF-8 in text message."});
  }
  const opcode op = message_opcode_;
  message_opcode_ = opcode::continuation;
  std::string message;
  message.swap(message_);  // the handler may close us, which clears message_
  deliver_message(op, message);
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
  } else {
    reply = encode_frame(opcode::close, std::string_view{});
  }
  // In the closing state our close frame is already out: the handshake is complete.
  if (state_ == state::open) transport_.send(std::move(reply));
  state_ = state::closed;
  transport_.cancel_timer();
  transport_.close_after_flush();
  leave_open_state();
}

void session::on_timeout() {
  if (state_ == state::closing) {  // the client never answered our close frame
    state_ = state::closed;
    transport_.close_now();
  }
}

void session::on_shutdown() {
  close({close_code::going_away, "Server is shutting down."});
}

void session::on_disconnect() {
  state_ = state::closed;
  leave_open_state();
}

}  // namespace parley::ws
