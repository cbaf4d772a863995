#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::ws {

// The sliding window the server compresses with; offers that ask for a smaller one
// (server_max_window_bits < 15) are declined, since one compressed frame serves every peer.
constexpr int k_server_window_bits = 15;

// What the server agreed to for one connection's permessage-deflate (RFC 7692).
struct deflate_agreement {
  // The client resets its compressor per message, so we may inflate each message afresh;
  // otherwise the connection keeps its inflate context from message to message.
  bool client_no_context_takeover = false;
  std::string response;  // the Sec-WebSocket-Extensions value of the 101 response
};

// Picks the first acceptable permessage-deflate offer of a Sec-WebSocket-Extensions value and
// says how to answer it: always with server_no_context_takeover (so a broadcast is compressed
// once for everyone), echoing client_no_context_takeover and a client_max_window_bits value
// when offered. Nothing when the header is malformed or no offer is acceptable (an unknown or
// repeated parameter, a bad window size, a smaller server window than ours).
std::optional<deflate_agreement> negotiate_deflate(std::string_view offers);

}  // namespace parley::ws
