#include "ws/extension_header.hpp"

#include <gtest/gtest.h>

namespace parley::ws {
namespace {

TEST(extension_header, reads_one_offer_without_parameters) {
  const auto offers = parse_extension_offers("permessage-deflate");
  ASSERT_TRUE(offers);
  ASSERT_EQ(offers->size(), 1U);
  EXPECT_EQ((*offers)[0].name, "permessage-deflate");
  EXPECT_TRUE((*offers)[0].params.empty());
}

TEST(extension_header, reads_parameters_with_and_without_values) {
  const auto offers = parse_extension_offers(
      "permessage-deflate; client_max_window_bits ;server_max_window_bits=10");
  ASSERT_TRUE(offers);
  ASSERT_EQ((*offers)[0].params.size(), 2U);
  EXPECT_EQ((*offers)[0].params[0].name, "client_max_window_bits");
  EXPECT_FALSE((*offers)[0].params[0].value);
  EXPECT_EQ((*offers)[0].params[1].name, "server_max_window_bits");
  EXPECT_EQ((*offers)[0].params[1].value, "10");
}

TEST(extension_header, reads_several_offers_in_order) {
  const auto offers = parse_extension_offers(
      "permessage-deflate; client_no_context_takeover, x-webkit-deflate-frame,permessage-deflate");
  ASSERT_TRUE(offers);
  ASSERT_EQ(offers->size(), 3U);
  EXPECT_EQ((*offers)[1].name, "x-webkit-deflate-frame");
  EXPECT_TRUE((*offers)[2].params.empty());
}

TEST(extension_header, unquotes_quoted_values_with_escapes) {
  const auto offers = parse_extension_offers(R"(foo; a="10"; b="x\"y, z;")");
  ASSERT_TRUE(offers);
  ASSERT_EQ(offers->size(), 1U);
  EXPECT_EQ((*offers)[0].params[0].value, "10");
  EXPECT_EQ((*offers)[0].params[1].value, "x\"y, z;");
}

TEST(extension_header, skips_empty_list_elements) {
  const auto offers = parse_extension_offers(" , permessage-deflate ,, foo ,");
  ASSERT_TRUE(offers);
  EXPECT_EQ(offers->size(), 2U);
}

TEST(extension_header, rejects_malformed_headers) {
  for (const char* bad :
       {"", " , ", "permessage-deflate;", "permessage-deflate; =1",
        "permessage-deflate; a=", "permessage-deflate; a=\"open", "permessage-deflate a",
        "per message", "; a", "a; b=c d", "a; b=\"x\"y", "a; b=@", "a\x01"}) {
    EXPECT_FALSE(parse_extension_offers(bad)) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace parley::ws
