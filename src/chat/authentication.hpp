#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "chat/join_request.hpp"

namespace parley::auth {
class jwt_verifier;
}

namespace parley::chat {

// The Sec-WebSocket-Protocol entry that carries a token from a browser ("bearer.<JWT>"), which
// cannot set an Authorization header on a WebSocket. Offered beside parley.v1; never chosen.
constexpr std::string_view k_bearer_protocol_prefix = "bearer.";

// The token an upgrade presents: `Authorization: Bearer <token>`, else a "bearer.<token>"
// Sec-WebSocket-Protocol entry, else the URL's ?token=; empty when none.
std::string_view presented_token(std::string_view authorization, std::string_view offered_protocols,
                                 std::string_view query_token);

// Checks `token` for `request`'s username: signed by a configured key, unexpired, its user claim
// equal to the username. Sets request.expires; returns the refusal (close 1008) when it fails.
std::optional<join_refusal> authenticate(const auth::jwt_verifier& verifier, std::string_view token,
                                         join_request& request);

// The loop's time (steady clock, `steady_now`) at which Unix time `unix_seconds` comes.
std::chrono::steady_clock::time_point steady_time_of(
    std::int64_t unix_seconds, std::chrono::steady_clock::time_point steady_now);

}  // namespace parley::chat
