#pragma once

#include "ws/session.hpp"

namespace parley::app {

// Sends every message back with its own opcode: the /echo endpoint for RFC 6455 conformance tests,
// exposing the same WebSocket stack as the chat (enabled by --echo-endpoint only).
class echo_handler final : public ws::message_handler {
 public:
  void on_open(ws::session& session) override { session_ = &session; }
  void on_text(std::string_view text) override {
    session_->send(ws::make_shared_frame(ws::opcode::text, {text}));
  }
  void on_binary(std::string_view data) override {
    session_->send(ws::make_shared_frame(ws::opcode::binary, {data}));
  }
  void on_close() override {}

 private:
  ws::session* session_ = nullptr;
};

}  // namespace parley::app
