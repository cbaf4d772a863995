#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace parley::auth {
namespace {

using namespace std::chrono_literals;
const auto now = std::chrono::system_clock::time_point{} + 1'800'000'000s;
constexpr std::int64_t k_now_s = 1'800'000'000;

// Test-side signing with OpenSSL, independent of the verifier's code paths.
std::string b64url(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string signed_part(std::string_view alg, std::string_view claims) {
  return b64url(std::string(R"({"alg":")") + std::string(alg) + R"(","typ":"JWT"})") + "." +
         b64url(claims);
}

std::string hs256(std::string_view claims, std::string_view secret) {
  const auto part = signed_part("HS256", claims);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(part.data()), part.size(), mac.data(), &length);
  return part + "." + b64url(std::string_view(reinterpret_cast<char*>(mac.data()), length));
}

struct key_pair {
  EVP_PKEY* key = nullptr;
  std::string public_pem_file;
  ~key_pair() {
    EVP_PKEY_free(key);
    std::filesystem::remove(public_pem_file);
  }
};

std::unique_ptr<key_pair> generate(bool ec) {
  EVP_PKEY* key = ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  if (key == nullptr) throw std::runtime_error("key generation failed");
  auto pair = std::make_unique<key_pair>();
  pair->key = key;
  pair->public_pem_file =
      (std::filesystem::temp_directory_path() /
       ("parley-jwt-" + std::to_string(::getpid()) + (ec ? "-ec.pem" : "-rsa.pem")))
          .string();
  FILE* file = std::fopen(pair->public_pem_file.c_str(), "w");
  PEM_write_PUBKEY(file, key);
  std::fclose(file);
  return pair;
}

std::string sign(EVP_PKEY* key, std::string_view alg, std::string_view claims) {
  const auto part = signed_part(alg, claims);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  std::size_t length = 0;
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(part.data()),
                 part.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(part.data()), part.size());
  EVP_MD_CTX_free(ctx);
  signature.resize(length);
  if (alg == "ES256") {  // DER to JOSE's r || s
    const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
    std::string jose(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(jose.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(jose.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    signature = jose;
  }
  return part + "." + b64url(signature);
}

std::string claims_for(std::string_view user, std::int64_t exp) {
  return std::string(R"({"sub":")") + std::string(user) + R"(","exp":)" + std::to_string(exp) + "}";
}

jwt_problem problem_of(const std::variant<jwt_claims, jwt_problem>& verdict) {
  EXPECT_TRUE(std::holds_alternative<jwt_problem>(verdict));
  return std::holds_alternative<jwt_problem>(verdict) ? std::get<jwt_problem>(verdict)
                                                      : jwt_problem::malformed;
}

TEST(jwt_verifier, accepts_a_valid_hs256_token_and_reads_its_claims) {
  jwt_verifier verifier({.secret = "s3cret"});
  const auto verdict = verifier.verify(hs256(claims_for("alice", k_now_s + 60), "s3cret"), now);
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(verdict));
  EXPECT_EQ(std::get<jwt_claims>(verdict).user, "alice");
  EXPECT_EQ(std::get<jwt_claims>(verdict).expires, k_now_s + 60);
}

TEST(jwt_verifier, refuses_another_keys_signature) {
  jwt_verifier verifier({.secret = "s3cret"});
  EXPECT_EQ(problem_of(verifier.verify(hs256(claims_for("alice", k_now_s + 60), "other"), now)),
            jwt_problem::bad_signature);
}

TEST(jwt_verifier, refuses_a_changed_payload) {
  jwt_verifier verifier({.secret = "s3cret"});
  const auto token = hs256(claims_for("alice", k_now_s + 60), "s3cret");
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const auto forged = token.substr(0, first + 1) + b64url(claims_for("mallory", k_now_s + 60)) +
                      token.substr(second);
  EXPECT_EQ(problem_of(verifier.verify(forged, now)), jwt_problem::bad_signature);
}

TEST(jwt_verifier, refuses_alg_none_and_algorithms_without_a_key) {
  jwt_verifier verifier({.secret = "s3cret"});
  EXPECT_EQ(problem_of(
                verifier.verify(signed_part("none", claims_for("alice", k_now_s + 60)) + ".", now)),
            jwt_problem::unsupported_alg);
  EXPECT_EQ(problem_of(verifier.verify(
                signed_part("RS256", claims_for("alice", k_now_s + 60)) + ".AAAA", now)),
            jwt_problem::unsupported_alg);
}

TEST(jwt_verifier, honours_exp_and_nbf) {
  jwt_verifier verifier({.secret = "k"});
  EXPECT_EQ(problem_of(verifier.verify(hs256(claims_for("alice", k_now_s), "k"), now)),
            jwt_problem::expired);
  const auto early = R"({"sub":"alice","nbf":)" + std::to_string(k_now_s + 10) + "}";
  EXPECT_EQ(problem_of(verifier.verify(hs256(early, "k"), now)), jwt_problem::not_yet_valid);
  const auto forever = verifier.verify(hs256(R"({"sub":"alice"})", "k"), now);
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(forever));
  EXPECT_FALSE(std::get<jwt_claims>(forever).expires);
}

TEST(jwt_verifier, reads_the_configured_user_claim) {
  jwt_verifier verifier({.secret = "k", .user_claim = "name"});
  EXPECT_EQ(problem_of(verifier.verify(hs256(claims_for("alice", k_now_s + 9), "k"), now)),
            jwt_problem::missing_user);
  const auto verdict = verifier.verify(hs256(R"({"name":"bob"})", "k"), now);
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(verdict));
  EXPECT_EQ(std::get<jwt_claims>(verdict).user, "bob");
}

TEST(jwt_verifier, refuses_malformed_tokens) {
  jwt_verifier verifier({.secret = "k"});
  for (const std::string token :
       {"", "a", "a.b", "a.b.c.d", "!!.e30.", "e30.e30.", "bnVsbA.e30."}) {
    EXPECT_NE(problem_of(verifier.verify(token, now)), jwt_problem::expired) << token;
  }
  EXPECT_EQ(problem_of(verifier.verify(hs256(R"({"sub":"a","exp":"soon"})", "k"), now)),
            jwt_problem::malformed);
}

TEST(jwt_verifier, verifies_rs256_with_a_public_key_file) {
  const auto keys = generate(false);
  jwt_verifier verifier({.secret = "", .public_key_file = keys->public_pem_file});
  const auto verdict =
      verifier.verify(sign(keys->key, "RS256", claims_for("alice", k_now_s + 5)), now);
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(verdict));
  EXPECT_EQ(std::get<jwt_claims>(verdict).user, "alice");
  // Without a secret, an HS256 token signed with anything (the public key's text) is refused.
  EXPECT_EQ(problem_of(verifier.verify(hs256(claims_for("alice", k_now_s + 5), "x"), now)),
            jwt_problem::unsupported_alg);
  const auto other = generate(true);
  EXPECT_EQ(
      problem_of(verifier.verify(sign(other->key, "ES256", claims_for("a", k_now_s + 5)), now)),
      jwt_problem::unsupported_alg);
}

TEST(jwt_verifier, verifies_es256_with_jose_signatures) {
  const auto keys = generate(true);
  jwt_verifier verifier({.secret = "", .public_key_file = keys->public_pem_file});
  const auto token = sign(keys->key, "ES256", claims_for("alice", k_now_s + 5));
  ASSERT_TRUE(std::holds_alternative<jwt_claims>(verifier.verify(token, now)));
  // A character inside the signature: the last one's low bits are base64url padding, which a
  // decoder may ignore, so changing it may leave the signature's bytes as they were.
  auto tampered = token;
  auto& inside = tampered[tampered.size() - 10];
  inside = inside == 'A' ? 'B' : 'A';
  EXPECT_NE(problem_of(verifier.verify(tampered, now)), jwt_problem::expired);
}

TEST(jwt_verifier, a_key_file_that_is_no_public_key_stops_start_up) {
  EXPECT_THROW(jwt_verifier({.secret = "", .public_key_file = "/nonexistent/key.pem"}),
               std::runtime_error);
  const auto path = std::filesystem::temp_directory_path() / "parley-jwt-not-a-key.pem";
  FILE* file = std::fopen(path.c_str(), "w");
  std::fputs("hello\n", file);
  std::fclose(file);
  EXPECT_THROW(jwt_verifier({.secret = "", .public_key_file = path.string()}), std::runtime_error);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace parley::auth
