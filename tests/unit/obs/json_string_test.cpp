#include "obs/json_string.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace parley::obs {
namespace {

// What a JSON parser reads back from the literal.
std::string parsed(const std::string& literal) {
  simdjson::dom::parser parser;
  const simdjson::padded_string document(literal);
  std::string_view text;
  const auto error = parser.parse(document).get_string().get(text);
  if (error) throw std::runtime_error("not a JSON string: " + literal);
  return std::string(text);
}

TEST(json_string, quotes_plain_and_multibyte_text_as_it_is) {
  EXPECT_EQ(json_string("alice: hi"), "\"alice: hi\"");
  EXPECT_EQ(json_string("J\xC3\xBCrgen \xF0\x9F\x8E\x89"), "\"J\xC3\xBCrgen \xF0\x9F\x8E\x89\"");
}

TEST(json_string, escapes_quotes_backslashes_and_control_characters) {
  EXPECT_EQ(json_string(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
  EXPECT_EQ(json_string("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(json_string(std::string_view("\x00\x1B\x7F", 3)), R"("\u0000\u001b\u007f")");
}

TEST(json_string, replaces_each_byte_of_invalid_utf8_with_u_fffd) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(json_string("a\xFF"
                        "b"),
            "\"a" + fffd + "b\"");                                           // never valid
  EXPECT_EQ(json_string("\xC3"), "\"" + fffd + "\"");                        // cut short
  EXPECT_EQ(json_string("\xC0\xAF"), "\"" + fffd + fffd + "\"");             // overlong '/'
  EXPECT_EQ(json_string("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // a surrogate
  EXPECT_EQ(json_string("\xF4\x90\x80\x80"),
            "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
}

TEST(json_string, always_gives_json_that_reads_back) {
  EXPECT_EQ(parsed(json_string("quote \" backslash \\ nul \x01 tab \t")),
            "quote \" backslash \\ nul \x01 tab \t");
  // Every byte value, alone and after a lead byte: valid JSON each time.
  for (int first = 0; first < 256; ++first) {
    for (const int second : {0x41, 0x80, 0xBF, 0xC3}) {
      const std::string text = {static_cast<char>(first), static_cast<char>(second)};
      EXPECT_NO_THROW(parsed(json_string(text))) << first << " " << second;
    }
  }
}

}  // namespace
}  // namespace parley::obs
