#include "chat/authentication.hpp"

#include <variant>

#include "auth/jwt_verifier.hpp"

namespace parley::chat {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string_view presented_token(std::string_view authorization, std::string_view offered_protocols,
                                 std::string_view query_token) {
  authorization = trim(authorization);
  constexpr std::string_view scheme = "bearer ";  // RFC 6750 §2.1; the scheme is case-insensitive
  if (authorization.size() > scheme.size() &&
      iequals(authorization.substr(0, scheme.size()), scheme)) {
    return trim(authorization.substr(scheme.size()));
  }
  while (!offered_protocols.empty()) {
    const auto comma = offered_protocols.find(',');
    const auto entry = trim(offered_protocols.substr(0, comma));
    if (entry.starts_with(k_bearer_protocol_prefix)) {
      return entry.substr(k_bearer_protocol_prefix.size());
    }
    if (comma == std::string_view::npos) break;
    offered_protocols.remove_prefix(comma + 1);
  }
  return query_token;
}

std::optional<join_refusal> authenticate(const auth::jwt_verifier& verifier, std::string_view token,
                                         join_request& request) {
  if (token.empty()) return join_refusal{"Authentication required: no token.", true};
  auto verdict = verifier.verify(token, std::chrono::system_clock::now());
  if (const auto* problem = std::get_if<auth::jwt_problem>(&verdict)) {
    return join_refusal{std::string(auth::describe(*problem)), true,
                        *problem == auth::jwt_problem::expired};
  }
  auto& claims = std::get<auth::jwt_claims>(verdict);
  if (claims.user != request.username) {
    return join_refusal{"Invalid token: it names another user.", true};
  }
  request.expires = claims.expires;
  return std::nullopt;
}

std::chrono::steady_clock::time_point steady_time_of(
    std::int64_t unix_seconds, std::chrono::steady_clock::time_point steady_now) {
  const auto wall_now = std::chrono::system_clock::now();
  const auto at = std::chrono::system_clock::time_point{} + std::chrono::seconds(unix_seconds);
  return steady_now +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(at - wall_now);
}

}  // namespace parley::chat
