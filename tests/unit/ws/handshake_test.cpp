#include "ws/handshake.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parley::ws {
namespace {

constexpr std::string_view k_sample_key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3

upgrade_request valid_request() {
  upgrade_request request;
  request.method = "GET";
  request.upgrade = "websocket";
  request.connection = "Upgrade";
  request.key = k_sample_key;
  request.version = "13";
  request.http_1_1 = true;
  return request;
}

TEST(handshake, accept_key_matches_rfc_6455_sample) {
  EXPECT_EQ(accept_key(k_sample_key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(handshake, accept_key_ignores_surrounding_whitespace) {
  EXPECT_EQ(accept_key(" dGhlIHNhbXBsZSBub25jZQ==\t"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(handshake, accept_key_differs_for_another_key) {
  const std::string other = accept_key("AQIDBAUGBwgJCgsMDQ4PEA==");
  EXPECT_EQ(other.size(), 28U);  // base64 of a 20-byte SHA-1
  EXPECT_NE(other, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(handshake, switching_protocols_response_carries_the_accept_key) {
  const std::string response = switching_protocols_response(k_sample_key);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_TRUE(response.ends_with("\r\n\r\n"));
}

TEST(handshake, accepts_a_valid_upgrade) {
  EXPECT_EQ(check_upgrade(valid_request()), handshake_verdict::accept);
}

TEST(handshake, missing_upgrade_header_is_not_an_upgrade) {
  auto request = valid_request();
  request.upgrade = "";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::not_an_upgrade);
  request.upgrade = "h2c";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::not_an_upgrade);
}

TEST(handshake, plain_get_without_any_upgrade_headers_is_not_an_upgrade) {
  upgrade_request request;
  request.method = "GET";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::not_an_upgrade);
}

TEST(handshake, version_8_is_a_version_mismatch) {
  auto request = valid_request();
  request.version = "8";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::version_mismatch);
  request.version = "";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::version_mismatch);
  request.version = "14";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::version_mismatch);
}

TEST(handshake, missing_key_is_a_bad_request) {
  auto request = valid_request();
  request.key = "";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request);
}

TEST(handshake, malformed_keys_are_bad_requests) {
  for (std::string_view key : {"dGhlIHNhbXBsZSBub25jZQ=",      // 23 characters
                               "dGhlIHNhbXBsZSBub25jZQ===",    // 25 characters
                               "dGhlIHNhbXBsZSBub25jZQ",       // no padding
                               "dGhlIHNhbXBsZSBub25jZ!==",     // not base64
                               "dGhlIHNhbXBsZSBub25 ZQ==",     // 24 characters, space inside
                               "c2hvcnQ=",                     // base64 of 5 bytes, not 16
                               "dGhlIHNhbXBsZSBub25jZQAA"}) {  // 24 characters, no "=="
    auto request = valid_request();
    request.key = key;
    EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request) << key;
  }
}

TEST(handshake, post_upgrade_is_a_bad_request) {
  auto request = valid_request();
  request.method = "POST";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request);
  request.method = "HEAD";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request);
}

TEST(handshake, http_1_0_upgrade_is_a_bad_request) {
  auto request = valid_request();
  request.http_1_1 = false;
  EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request);
}

TEST(handshake, connection_without_upgrade_token_is_a_bad_request) {
  auto request = valid_request();
  request.connection = "";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request);
  request.connection = "keep-alive";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request);
  request.connection = "Upgraded";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::bad_request);
}

TEST(handshake, accepts_upgrade_listed_among_other_connection_tokens) {
  auto request = valid_request();
  request.connection = "keep-alive, Upgrade";  // what Firefox sends
  EXPECT_EQ(check_upgrade(request), handshake_verdict::accept);
}

TEST(handshake, accepts_tokens_in_any_case) {
  auto request = valid_request();
  request.upgrade = "WebSocket";
  request.connection = "UPGRADE";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::accept);
  request.upgrade = "WEBSOCKET";
  request.connection = "upgrade";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::accept);
}

TEST(handshake, accepts_version_and_key_with_surrounding_whitespace) {
  auto request = valid_request();
  request.version = " 13 ";
  request.key = " dGhlIHNhbXBsZSBub25jZQ== ";
  EXPECT_EQ(check_upgrade(request), handshake_verdict::accept);
}

TEST(handshake, header_has_token_finds_tokens_in_a_list) {
  EXPECT_TRUE(header_has_token("Upgrade", "upgrade"));
  EXPECT_TRUE(header_has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(header_has_token("Upgrade, keep-alive", "upgrade"));
  EXPECT_TRUE(header_has_token("keep-alive,upgrade", "upgrade"));
  EXPECT_TRUE(header_has_token("a ,\tUpGrAdE\t, b", "upgrade"));
  EXPECT_TRUE(header_has_token(" , upgrade", "upgrade"));
}

TEST(handshake, header_has_token_needs_a_whole_token) {
  EXPECT_FALSE(header_has_token("", "upgrade"));
  EXPECT_FALSE(header_has_token("keep-alive", "upgrade"));
  EXPECT_FALSE(header_has_token("upgraded", "upgrade"));
  EXPECT_FALSE(header_has_token("no-upgrade", "upgrade"));
  EXPECT_FALSE(header_has_token("up grade", "upgrade"));
  EXPECT_FALSE(header_has_token("keep-alive, ", "upgrade"));
}

}  // namespace
}  // namespace parley::ws
