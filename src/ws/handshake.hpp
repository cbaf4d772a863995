#pragma once

#include <string>
#include <string_view>

namespace parley::ws {

// The header fields of an HTTP request that decide a WebSocket upgrade (RFC 6455 §4.2.1).
struct upgrade_request {
  std::string_view method;
  std::string_view upgrade;     // Upgrade:
  std::string_view connection;  // Connection:
  std::string_view key;         // Sec-WebSocket-Key:
  std::string_view version;     // Sec-WebSocket-Version:
  bool http_1_1 = true;
};

enum class handshake_verdict {
  accept,            // answer 101 with the accept key
  not_an_upgrade,    // no Upgrade: websocket at all: 426, the path needs a WebSocket
  bad_request,       // an upgrade, but malformed: 400
  version_mismatch,  // not version 13: 426 with Sec-WebSocket-Version: 13
};

handshake_verdict check_upgrade(const upgrade_request& request);

// Whether a comma-separated header value lists `token` (case-insensitive), as "keep-alive,
// Upgrade".
bool header_has_token(std::string_view value, std::string_view token);

// base64(SHA-1(key + GUID)), the Sec-WebSocket-Accept value for a client's key.
std::string accept_key(std::string_view client_key);

// Runs the SHA-1 once, at start-up: OpenSSL loads its configuration and providers on first use
// (a few milliseconds, about 2 MB of its code paged in), which the first client should not wait
// for and which is not a cost of any one connection.
void prepare_accept_keys();

// The whole 101 Switching Protocols response for a client's key, confirming `subprotocol` (one
// the client offered) and `extensions` (a Sec-WebSocket-Extensions value) when not empty.
std::string switching_protocols_response(std::string_view client_key,
                                         std::string_view subprotocol = {},
                                         std::string_view extensions = {});

}  // namespace parley::ws
