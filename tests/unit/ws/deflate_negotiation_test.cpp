#include "ws/deflate_negotiation.hpp"

#include <gtest/gtest.h>

namespace parley::ws {
namespace {

std::string response_to(std::string_view offers) {
  const auto agreed = negotiate_deflate(offers);
  return agreed ? agreed->response : "(declined)";
}

TEST(deflate_negotiation, accepts_a_bare_offer_with_server_no_context_takeover) {
  const auto agreed = negotiate_deflate("permessage-deflate");
  ASSERT_TRUE(agreed);
  EXPECT_EQ(agreed->response, "permessage-deflate; server_no_context_takeover");
  EXPECT_FALSE(agreed->client_no_context_takeover);
}

TEST(deflate_negotiation, answers_what_browsers_and_python_offer) {
  // Chromium, Firefox, Node's ws and Python's websockets all send this one.
  EXPECT_EQ(response_to("permessage-deflate; client_max_window_bits"),
            "permessage-deflate; server_no_context_takeover");
}

TEST(deflate_negotiation, echoes_client_max_window_bits_with_a_value) {
  EXPECT_EQ(response_to("permessage-deflate; client_max_window_bits=10"),
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=10");
  EXPECT_EQ(response_to("permessage-deflate; client_max_window_bits=\"9\""),
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=9");
}

TEST(deflate_negotiation, honours_client_no_context_takeover) {
  const auto agreed = negotiate_deflate(
      "permessage-deflate; client_no_context_takeover; server_no_context_takeover");
  ASSERT_TRUE(agreed);
  EXPECT_TRUE(agreed->client_no_context_takeover);
  EXPECT_EQ(agreed->response,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

TEST(deflate_negotiation, accepts_a_server_window_of_15_only) {
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits=15"),
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=15");
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits=10"), "(declined)");
}

TEST(deflate_negotiation, takes_the_first_acceptable_offer) {
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits=10, "
                        "permessage-deflate; client_max_window_bits=12, permessage-deflate"),
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=12");
  EXPECT_EQ(response_to("x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover"),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

TEST(deflate_negotiation, declines_offers_with_bad_parameters) {
  for (const char* bad : {
           "permessage-deflate; unknown_param",
           "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
           "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
           "permessage-deflate; client_no_context_takeover=1",
           "permessage-deflate; server_max_window_bits",  // needs a value
           "permessage-deflate; client_max_window_bits=7",
           "permessage-deflate; client_max_window_bits=16",
           "permessage-deflate; client_max_window_bits=010",
           "permessage-deflate; client_max_window_bits=1a",
           "permessage-deflate; client_max_window_bits=\"\"",
           "x-webkit-deflate-frame",
       }) {
    EXPECT_EQ(response_to(bad), "(declined)") << bad;
  }
}

TEST(deflate_negotiation, declines_everything_in_a_malformed_header) {
  EXPECT_EQ(response_to("permessage-deflate, permessage-deflate; a=\"open"), "(declined)");
}

TEST(deflate_negotiation, compares_the_extension_name_without_case) {
  EXPECT_EQ(response_to("Permessage-Deflate"), "permessage-deflate; server_no_context_takeover");
}

}  // namespace
}  // namespace parley::ws
