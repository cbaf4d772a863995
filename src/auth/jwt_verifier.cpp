#include "auth/jwt_verifier.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include <array>
#include <cstdio>
#include <stdexcept>

#include "auth/base64url.hpp"

namespace parley::auth {
namespace {

// One per thread: the parser keeps its buffers between tokens.
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

struct bio_deleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct ecdsa_sig_deleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};

bool hs256_verifies(std::string_view secret, std::string_view signed_part,
                    std::string_view signature) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
           mac.data(), &length) == nullptr) {
    return false;
  }
  return signature.size() == length && CRYPTO_memcmp(mac.data(), signature.data(), length) == 0;
}

// JOSE's ES256 signature is r || s, 32 bytes each; OpenSSL verifies DER (RFC 7518 §3.4).
std::optional<std::string> es256_to_der(std::string_view signature) {
  if (signature.size() != 64) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(signature.data());
  std::unique_ptr<ECDSA_SIG, ecdsa_sig_deleter> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

// A claim that is a JSON number, as whole seconds (a fraction is cut off).
std::optional<std::int64_t> seconds(simdjson::dom::object claims, std::string_view key,
                                    bool& malformed) {
  simdjson::dom::element value;
  if (claims[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  if (std::int64_t whole = 0; value.get(whole) == simdjson::SUCCESS) return whole;
  if (double number = 0;
      value.get(number) == simdjson::SUCCESS && number > -9e18 && number < 9e18) {
    return static_cast<std::int64_t>(number);
  }
  malformed = true;
  return std::nullopt;
}

}  // namespace

struct jwt_verifier::public_key {
  EVP_PKEY* key = nullptr;
  std::string_view alg;  // RS256 or ES256: the only one this key verifies
  ~public_key() { EVP_PKEY_free(key); }
};

std::string_view describe(jwt_problem problem) {
  switch (problem) {
    case jwt_problem::malformed:
      return "Invalid token: not a JWT.";
    case jwt_problem::unsupported_alg:
      return "Invalid token: unsupported algorithm.";
    case jwt_problem::bad_signature:
      return "Invalid token: bad signature.";
    case jwt_problem::expired:
      return "Token expired.";
    case jwt_problem::not_yet_valid:
      return "Invalid token: not valid yet.";
    case jwt_problem::missing_user:
      return "Invalid token: no user claim.";
  }
  return "Invalid token.";
}

jwt_verifier::jwt_verifier(jwt_settings settings) : settings_(std::move(settings)) {
  if (settings_.public_key_file.empty()) return;
  std::unique_ptr<BIO, bio_deleter> file(BIO_new_file(settings_.public_key_file.c_str(), "r"));
  if (!file) {
    throw std::runtime_error(
        fmt::format("auth.jwt_public_key: cannot read {}", settings_.public_key_file));
  }
  key_ = std::make_unique<public_key>();
  key_->key = PEM_read_bio_PUBKEY(file.get(), nullptr, nullptr, nullptr);
  if (key_->key != nullptr && EVP_PKEY_base_id(key_->key) == EVP_PKEY_RSA) {
    key_->alg = "RS256";
  } else if (key_->key != nullptr && EVP_PKEY_base_id(key_->key) == EVP_PKEY_EC) {
    std::array<char, 64> curve{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key_->key, "group", curve.data(), curve.size(), &length) ==
            1 &&
        std::string_view(curve.data(), length) == SN_X9_62_prime256v1) {
      key_->alg = "ES256";
    }
  }
  if (key_->alg.empty()) {
    throw std::runtime_error(fmt::format(
        "auth.jwt_public_key: {} is not a PEM RSA or P-256 public key", settings_.public_key_file));
  }
}

jwt_verifier::~jwt_verifier() = default;

bool jwt_verifier::signature_verifies(std::string_view alg, std::string_view signed_part,
                                      std::string_view signature) const {
  if (alg == "HS256") return hs256_verifies(settings_.secret, signed_part, signature);
  std::string der;
  if (alg == "ES256") {
    auto converted = es256_to_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->key) != 1) {
    return false;
  }
  return EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

std::variant<jwt_claims, jwt_problem> jwt_verifier::verify(
    std::string_view token, std::chrono::system_clock::time_point now) const {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return jwt_problem::malformed;
  }
  const auto header = decode_base64url(token.substr(0, first));
  const auto payload = decode_base64url(token.substr(first + 1, second - first - 1));
  const auto signature = decode_base64url(token.substr(second + 1));
  if (!header || !payload || !signature) return jwt_problem::malformed;

  // The header names the algorithm; only one a configured key is for is taken ("none" never).
  simdjson::dom::object fields;
  if (thread_parser().parse(*header).get(fields) != simdjson::SUCCESS) {
    return jwt_problem::malformed;
  }
  std::string_view alg;
  if (fields["alg"].get(alg) != simdjson::SUCCESS) return jwt_problem::malformed;
  const bool usable =
      (alg == "HS256" && !settings_.secret.empty()) || (key_ != nullptr && alg == key_->alg);
  if (!usable) return jwt_problem::unsupported_alg;
  if (!signature_verifies(alg, token.substr(0, second), *signature)) {
    return jwt_problem::bad_signature;
  }

  // Only now, signed by a key we trust, are the claims read.
  simdjson::dom::object claims;
  if (thread_parser().parse(*payload).get(claims) != simdjson::SUCCESS) {
    return jwt_problem::malformed;
  }
  jwt_claims out;
  std::string_view user;
  if (claims[settings_.user_claim].get(user) != simdjson::SUCCESS || user.empty()) {
    return jwt_problem::missing_user;
  }
  out.user = user;
  bool malformed = false;
  out.expires = seconds(claims, "exp", malformed);
  const auto not_before = seconds(claims, "nbf", malformed);
  if (malformed) return jwt_problem::malformed;
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (out.expires && now_s >= *out.expires) return jwt_problem::expired;
  if (not_before && now_s < *not_before) return jwt_problem::not_yet_valid;
  return out;
}

}  // namespace parley::auth
