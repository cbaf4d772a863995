// Verifies arbitrary text as a JWT with an HS256 key, checking what the verifier promises: any
// input is a verdict (never a crash), a problem has a close reason a close frame can carry, and a
// token that verifies names a user. The key is known ("fuzz"), so the fuzzer can reach the claims.
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "auth/base64url.hpp"
#include "auth/jwt_verifier.hpp"

namespace {

void check(bool promise) {
  if (!promise) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::auth;
  static const jwt_verifier verifier({.secret = "fuzz", .public_key_file = "", .user_claim = "sub"});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)decode_base64url(text);
  const auto verdict = verifier.verify(text, std::chrono::system_clock::now());
  if (const auto* problem = std::get_if<jwt_problem>(&verdict)) {
    const auto reason = describe(*problem);
    check(!reason.empty() && reason.size() <= 123);
    return 0;
  }
  check(!std::get<jwt_claims>(verdict).user.empty());
  return 0;
}
