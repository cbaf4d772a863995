#include "auth/base64url.hpp"

#include <gtest/gtest.h>

namespace parley::auth {
namespace {

TEST(base64url, decodes_without_padding) {
  EXPECT_EQ(decode_base64url(""), "");
  EXPECT_EQ(decode_base64url("Zg"), "f");
  EXPECT_EQ(decode_base64url("Zm8"), "fo");
  EXPECT_EQ(decode_base64url("Zm9v"), "foo");
  EXPECT_EQ(decode_base64url("eyJhbGciOiJIUzI1NiJ9"), R"({"alg":"HS256"})");
}

TEST(base64url, uses_the_url_alphabet) {
  EXPECT_EQ(decode_base64url("-_8"), std::string("\xfb\xff", 2));
  EXPECT_FALSE(decode_base64url("+/8"));
}

TEST(base64url, refuses_padding_bad_characters_and_impossible_lengths) {
  EXPECT_FALSE(decode_base64url("Zg=="));
  EXPECT_FALSE(decode_base64url("Zm9v!"));
  EXPECT_FALSE(decode_base64url("Z"));
  EXPECT_FALSE(decode_base64url("Zm9vY"));
}

}  // namespace
}  // namespace parley::auth
