#include "chat/join_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parley::chat {
namespace {

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// --- percent_decode --------------------------------------------------------------------------

TEST(join_request, percent_decode_decodes_utf8_escapes) {
  EXPECT_EQ(percent_decode("J%C3%BCrgen"), "J\xC3\xBCrgen");
}

TEST(join_request, percent_decode_accepts_lower_and_upper_case_hex) {
  EXPECT_EQ(percent_decode("%e2%82%AC"), "\xE2\x82\xAC");
  EXPECT_EQ(percent_decode("%41%4a%4A"), "AJJ");
}

TEST(join_request, percent_decode_leaves_plain_text_and_plus_alone) {
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("alice"), "alice");
  EXPECT_EQ(percent_decode("a+b"), "a+b");  // RFC 3986, not form encoding
}

TEST(join_request, percent_decode_decodes_escapes_at_both_ends) {
  EXPECT_EQ(percent_decode("%41"), "A");
  EXPECT_EQ(percent_decode("%41b%43"), "AbC");
  EXPECT_EQ(percent_decode("a%2Fb%20c%25"), "a/b c%");
}

TEST(join_request, percent_decode_keeps_nul_bytes) {
  EXPECT_EQ(percent_decode("a%00b"), std::string("a\0b", 3));
}

TEST(join_request, percent_decode_rejects_bad_escapes) {
  for (std::string_view bad :
       {"%", "%4", "a%", "a%4", "%G1", "%1G", "%%41", "%-1", "% 41", "ab%zz"}) {
    EXPECT_EQ(percent_decode(bad), std::nullopt) << bad;
  }
}

// --- username_problem ------------------------------------------------------------------------

TEST(join_request, accepts_ordinary_usernames) {
  for (std::string_view name :
       {"alice", "J\xC3\xBCrgen", "a", "bob smith", "\xF0\x9F\x98\x80", "x\xC2\xA0y"}) {
    EXPECT_TRUE(username_problem(name).empty()) << name << ": " << username_problem(name);
  }
}

TEST(join_request, rejects_empty_username) {
  EXPECT_FALSE(username_problem("").empty());
}

TEST(join_request, accepts_32_code_points_and_rejects_33) {
  for (std::string_view character : {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    EXPECT_TRUE(username_problem(repeat(character, 32)).empty()) << character;
    EXPECT_EQ(username_problem(repeat(character, 33)),
              "Invalid username: must be 1 to 32 characters.")
        << character;
  }
}

TEST(join_request, counts_code_points_not_bytes) {
  // 32 characters in 80 bytes: within the limit.
  const std::string mixed = repeat("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 8);
  ASSERT_EQ(mixed.size(), 80U);
  EXPECT_TRUE(username_problem(mixed).empty());
  EXPECT_FALSE(username_problem(mixed + "z").empty());
}

TEST(join_request, rejects_c0_controls_del_and_c1_controls) {
  for (std::string name : {std::string("a\0b", 3), std::string("\x01"), std::string("tab\there"),
                           std::string("new\nline"), std::string("esc\x1B"), std::string("\x1F"),
                           std::string("del\x7F"), std::string("c1\xC2\x80"),
                           std::string("c1\xC2\x85"), std::string("\xC2\x9Fz")}) {
    EXPECT_EQ(username_problem(name), "Invalid username: control characters are not allowed.")
        << name;
  }
}

TEST(join_request, accepts_the_characters_next_to_the_control_ranges) {
  for (std::string_view name : {" space", "~tilde", "\xC2\xA0nbsp", "\xC2\xBF"}) {
    EXPECT_TRUE(username_problem(name).empty()) << name;
  }
}

TEST(join_request, rejects_invalid_utf8_username) {
  for (std::string_view name : {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "ab\xFF", "\x80"}) {
    EXPECT_EQ(username_problem(name), "Invalid username: not valid UTF-8.");
  }
}

// --- parse_join_target -----------------------------------------------------------------------

join_request expect_request(std::string_view target) {
  auto parsed = parse_join_target(target);
  if (auto* refusal = std::get_if<join_refusal>(&parsed)) {
    ADD_FAILURE() << target << " refused: " << refusal->reason;
    return {};
  }
  return std::get<join_request>(parsed);
}

std::string expect_refusal(std::string_view target) {
  auto parsed = parse_join_target(target);
  if (std::holds_alternative<join_request>(parsed)) {
    ADD_FAILURE() << target << " was accepted";
    return {};
  }
  return std::get<join_refusal>(parsed).reason;
}

constexpr std::string_view k_bad_age = "Invalid age: must be a whole number from 0 to 150.";

TEST(join_request, reads_username_without_age) {
  const auto request = expect_request("/chat/alice");
  EXPECT_EQ(request.username, "alice");
  EXPECT_EQ(request.age, std::nullopt);
}

TEST(join_request, reads_username_with_age) {
  const auto request = expect_request("/chat/alice?age=30");
  EXPECT_EQ(request.username, "alice");
  EXPECT_EQ(request.age, 30U);
}

TEST(join_request, percent_decodes_the_username) {
  EXPECT_EQ(expect_request("/chat/J%C3%BCrgen").username, "J\xC3\xBCrgen");
  EXPECT_EQ(expect_request("/chat/bob%20smith?age=1").username, "bob smith");
}

TEST(join_request, accepts_age_bounds_0_and_150) {
  EXPECT_EQ(expect_request("/chat/a?age=0").age, 0U);
  EXPECT_EQ(expect_request("/chat/a?age=150").age, 150U);
}

TEST(join_request, treats_empty_age_as_no_age) {
  EXPECT_EQ(expect_request("/chat/a?age=").age, std::nullopt);
  EXPECT_EQ(expect_request("/chat/a?age").age, std::nullopt);
  EXPECT_EQ(expect_request("/chat/a?").age, std::nullopt);
}

TEST(join_request, refuses_ages_that_are_not_whole_numbers_from_0_to_150) {
  for (std::string_view age : {"abc", "-1", "151", "1000", "99999999999999999999", "1.5", "3a",
                               " 5", "5 ", "+5", "0x10", "1e2"}) {
    EXPECT_EQ(expect_refusal(std::string("/chat/alice?age=") + std::string(age)), k_bad_age) << age;
  }
}

TEST(join_request, ignores_other_query_parameters) {
  EXPECT_EQ(expect_request("/chat/a?room=x&age=42&lang=de").age, 42U);
  EXPECT_EQ(expect_request("/chat/a?room=x").age, std::nullopt);
  EXPECT_EQ(expect_request("/chat/a?page=abc&agent=x&xage=5").age, std::nullopt);
  EXPECT_EQ(expect_request("/chat/a?page=abc&age=7").age, 7U);
}

TEST(join_request, refuses_bad_percent_encoding) {
  EXPECT_EQ(expect_refusal("/chat/al%ZZice"), "Invalid username: bad percent-encoding.");
  EXPECT_EQ(expect_refusal("/chat/alice%"), "Invalid username: bad percent-encoding.");
}

TEST(join_request, refuses_invalid_usernames_with_the_reason) {
  EXPECT_EQ(expect_refusal("/chat/"), "Invalid username: must be 1 to 32 characters.");
  EXPECT_EQ(expect_refusal("/chat/?age=3"), "Invalid username: must be 1 to 32 characters.");
  EXPECT_EQ(expect_refusal("/chat/" + std::string(33, 'a')),
            "Invalid username: must be 1 to 32 characters.");
  EXPECT_EQ(expect_refusal("/chat/a%00b"), "Invalid username: control characters are not allowed.");
  EXPECT_EQ(expect_refusal("/chat/a%7Fb"), "Invalid username: control characters are not allowed.");
  EXPECT_EQ(expect_refusal("/chat/a%C2%85b"),
            "Invalid username: control characters are not allowed.");
  EXPECT_EQ(expect_refusal("/chat/%C3"), "Invalid username: not valid UTF-8.");
  EXPECT_EQ(expect_refusal("/chat/%ED%A0%80"), "Invalid username: not valid UTF-8.");
}

TEST(join_request, accepts_32_percent_encoded_multi_byte_characters) {
  EXPECT_EQ(expect_request("/chat/" + repeat("%C3%A9", 32)).username, repeat("\xC3\xA9", 32));
  expect_refusal("/chat/" + repeat("%C3%A9", 33));
}

TEST(join_request, uses_the_given_prefix) {
  auto parsed = parse_join_target("/room/alice?age=5", "/room/");
  ASSERT_TRUE(std::holds_alternative<join_request>(parsed));
  EXPECT_EQ(std::get<join_request>(parsed).username, "alice");
  EXPECT_EQ(std::get<join_request>(parsed).age, 5U);
}

}  // namespace
}  // namespace parley::chat
