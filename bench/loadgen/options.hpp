#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::bench {

enum class run_mode { fanout, connect, idle, storm };

enum class wire_protocol {
  legacy,  // the tutorial's text lines
  v1,      // parley.v1 JSON events (Sec-WebSocket-Protocol: parley.v1)
};

// Everything the command line sets; defaults carry their reason.
struct options {
  run_mode mode = run_mode::fanout;
  std::string host = "127.0.0.1";
  std::uint16_t port = 9090;
  std::uint32_t clients = 100;
  std::string name_prefix = "u";
  std::uint32_t connect_concurrency = 256;  // handshakes in flight; a backlog-sized burst
  double timeout_s = 120;                   // each wait (joins, drain) gives up after this
  bool json = false;
  int server_pid = 0;  // 0: no RSS readings
  unsigned threads = 1;
  wire_protocol protocol = wire_protocol::legacy;
  // Offer permessage-deflate (the client's own messages stay plain; the server's compressed ones
  // are inflated before they are checked).
  bool compression = false;
  // Client i is in room i % rooms: "lobby" when there is one room (the tutorial's URL, no room=),
  // else "r{i % rooms}". Sender s is client s, so with senders == rooms each room has one.
  std::uint32_t rooms = 1;

  // fanout
  std::uint32_t senders = 1;
  std::uint32_t size = 64;    // bytes of message text, not of the frame
  std::uint32_t window = 16;  // messages a sender keeps outstanding (closed loop)
  double rate = 0;            // aggregate messages/s (open loop); 0: use the window
  double warmup_s = 2;
  double duration_s = 10;

  // idle
  double hold_s = 0;  // keep the idle connections open this long after measuring
  // idle: wait this long after the joins before reading RSS, so a server that returns memory once
  // a burst is over (Parley checks every second) has done so; the join storm is not idle.
  double settle_s = 5;

  // storm (parley.v1): clients 1..N drop their connections at once; client 0 stays and sends
  // `history` messages meanwhile; then 1..N reconnect at once with since = last id - since_back.
  std::uint32_t history = 1000;
  std::uint32_t since_back = 1000;

  // Connections the run opens: in storm mode the --clients that reconnect plus client 0.
  std::uint32_t connections() const { return clients + (mode == run_mode::storm ? 1 : 0); }
};

// What the handshake offers in Sec-WebSocket-Protocol (nothing for the legacy protocol).
inline std::string_view subprotocol(const options& opts) {
  return opts.protocol == wire_protocol::v1 ? "parley.v1" : "";
}

}  // namespace parley::bench
