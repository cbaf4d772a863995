#pragma once

#include "ws/frame_deflater.hpp"
#include "ws/session.hpp"

namespace parley::app {

// Sends every message back with its own opcode: the /echo endpoint for RFC 6455 conformance tests,
// exposing the same WebSocket stack as the chat (enabled by --echo-endpoint only).
class echo_handler final : public ws::message_handler {
 public:
  void on_open(ws::session& session) override { session_ = &session; }
  void on_text(std::string_view text) override { echo(ws::opcode::text, text); }
  void on_binary(std::string_view data) override { echo(ws::opcode::binary, data); }
  void on_close() override {}

 private:
  // A client that negotiated permessage-deflate gets every message back compressed (unless it
  // would not shrink), whatever its size: the conformance suite tests compression, not economy.
  void echo(ws::opcode op, std::string_view data) {
    auto frame = ws::make_shared_frame(op, {data});
    if (session_->sends_deflated()) frame = ws::deflate_frame(frame, 0, session_->loop_index());
    session_->send(frame);
  }

  ws::session* session_ = nullptr;
};

}  // namespace parley::app
