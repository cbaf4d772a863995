#pragma once

#include <cstdint>
#include <string_view>

namespace parley::ws {

// RFC 6455 §7.4 status codes the server sends, each with the situation it answers.
enum class close_code : std::uint16_t {
  normal = 1000,            // orderly close, or echoing a client's 1000
  going_away = 1001,        // server shutting down
  protocol_error = 1002,    // any RFC 6455 framing violation
  unsupported_data = 1003,  // binary in the legacy protocol; duplicate username (tutorial's choice)
  no_status = 1005,         // never sent: the client's close frame carried no code
  abnormal = 1006,          // never sent: the TCP connection dropped without a close frame
  invalid_payload = 1007,   // text or close reason that is not UTF-8
  policy_violation = 1008,  // invalid username or age; a client too slow to read its output
  message_too_big = 1009,   // over the configured message size limit
  internal_error = 1011,
  service_restart = 1012,  // cluster mode: the node lost its lease; come back through any node
  try_again_later = 1013,  // cluster mode: the node cannot reach its Redis
  token_expired = 4001,    // the authentication token's `exp` passed (application range)
};

// Whether a code received in a client's close frame is one a peer may send (RFC 6455 §7.4.1,
// plus 1012-1014 from the IANA registry, plus the application range 3000-4999).
constexpr bool is_valid_received_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  if (code >= 1000 && code <= 1003) return true;
  return code >= 1007 && code <= 1014;
}

// The reason a close frame carries, with its code; reasons stay within the 123 bytes a control
// frame leaves after the code.
struct close_status {
  close_code code;
  std::string_view reason;
};

}  // namespace parley::ws
