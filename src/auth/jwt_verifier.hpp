#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace parley::auth {

// What a valid token says.
struct jwt_claims {
  std::string user;                     // the configured claim (auth.jwt_user_claim, "sub")
  std::optional<std::int64_t> expires;  // `exp`, seconds since the Unix epoch; none: never
};

enum class jwt_problem : std::uint8_t {
  malformed,        // not three base64url parts of JSON objects
  unsupported_alg,  // `alg` is none, or one no configured key verifies
  bad_signature,    // the signature does not verify
  expired,          // `exp` is past
  not_yet_valid,    // `nbf` is ahead
  missing_user,     // the user claim is absent or not a string
};

// The close reason (at most 123 bytes) a client is shown for a problem.
std::string_view describe(jwt_problem problem);

struct jwt_settings {
  std::string secret;           // HS256 key; empty: HS256 refused
  std::string public_key_file;  // PEM: an RSA key (RS256) or a P-256 key (ES256); empty: none
  std::string user_claim = "sub";
};

// Verifies compact JWS tokens (RFC 7515/7519) signed with HS256, RS256 or ES256 using OpenSSL's
// primitives, and reads the claims Parley uses. Immutable after construction: one verifier serves
// every event loop.
class jwt_verifier {
 public:
  // Throws std::runtime_error naming the key file when it cannot be read or is not an RSA or P-256
  // public key.
  explicit jwt_verifier(jwt_settings settings);
  ~jwt_verifier();
  jwt_verifier(const jwt_verifier&) = delete;
  jwt_verifier& operator=(const jwt_verifier&) = delete;

  // The token's claims when its signature verifies with a configured key and it is valid at `now`.
  [[nodiscard]] std::variant<jwt_claims, jwt_problem> verify(
      std::string_view token, std::chrono::system_clock::time_point now) const;

 private:
  struct public_key;
  [[nodiscard]] bool signature_verifies(std::string_view alg, std::string_view signed_part,
                                        std::string_view signature) const;

  jwt_settings settings_;
  std::unique_ptr<public_key> key_;  // null: no public key configured
};

}  // namespace parley::auth
