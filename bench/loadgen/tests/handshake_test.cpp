#include "handshake.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace parley::bench {
namespace {

std::string response(const std::string& accept, const std::string& extra = "") {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         accept + "\r\n" + extra + "\r\n";
}

TEST(handshake, offers_the_subprotocol_and_carries_room_and_since) {
  std::mt19937_64 random(1);
  const auto h = make_handshake("127.0.0.1", 9090, "u3", "&room=r1&since=41", "parley.v1", random);
  EXPECT_TRUE(h.request.starts_with("GET /chat/u3?age=1&room=r1&since=41 HTTP/1.1\r\n"));
  EXPECT_NE(h.request.find("\r\nSec-WebSocket-Protocol: parley.v1\r\n"), std::string::npos);
  const auto legacy = make_handshake("127.0.0.1", 9090, "u3", "", "", random);
  EXPECT_TRUE(legacy.request.starts_with("GET /chat/u3?age=1 HTTP/1.1\r\n"));
  EXPECT_EQ(legacy.request.find("Sec-WebSocket-Protocol"), std::string::npos);
}

TEST(handshake, v1_needs_the_server_to_confirm_parley_v1) {
  std::mt19937_64 random(2);
  const auto h = make_handshake("h", 1, "u1", "", "parley.v1", random);
  const auto ok = response(h.expected_accept, "Sec-WebSocket-Protocol: parley.v1\r\n");
  EXPECT_EQ(check_response(ok, h.expected_accept, "parley.v1").status, response_status::upgraded);
  EXPECT_EQ(check_response(ok, h.expected_accept, "parley.v1").head_size, ok.size());
  // A server that ignores the offer would speak the legacy protocol to us.
  EXPECT_EQ(check_response(response(h.expected_accept), h.expected_accept, "parley.v1").status,
            response_status::refused);
  EXPECT_EQ(check_response(ok, h.expected_accept, "").status, response_status::refused);
  EXPECT_EQ(check_response(response(h.expected_accept), h.expected_accept).status,
            response_status::upgraded);
  EXPECT_EQ(check_response(response("wrong"), h.expected_accept).status, response_status::refused);
  EXPECT_EQ(check_response("HTTP/1.1 101 Switching", h.expected_accept).status,
            response_status::need_more);
}

}  // namespace
}  // namespace parley::bench
