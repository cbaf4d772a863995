#include "obs/formatters.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/details/log_msg.h>

#include <regex>
#include <string>

namespace parley::obs {
namespace {

std::string formatted(spdlog::formatter& formatter, spdlog::level::level_enum level,
                      std::string_view payload) {
  const spdlog::details::log_msg msg("parley.chat", level, payload);
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  return {out.data(), out.size()};
}

TEST(text_formatter, writes_the_tutorials_line) {
  const auto formatter = make_text_formatter();
  const std::regex line(
      R"(^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} INFO  \[parley\.chat\] - alice: hi\n$)");
  EXPECT_TRUE(std::regex_match(formatted(*formatter, spdlog::level::info, "alice: hi"), line))
      << formatted(*formatter, spdlog::level::info, "alice: hi");
  EXPECT_NE(formatted(*formatter, spdlog::level::warn, "x").find(" WARN  [parley.chat]"),
            std::string::npos);
  EXPECT_NE(formatted(*formatter, spdlog::level::critical, "x").find(" FATAL [parley.chat]"),
            std::string::npos);
}

TEST(json_formatter, writes_one_object_with_the_four_fields) {
  const auto json = make_json_formatter();
  const auto text = make_text_formatter();
  const auto line = formatted(*json, spdlog::level::info, "alice: \"hi\"\n");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);

  simdjson::dom::parser parser;
  const simdjson::padded_string document(line);
  simdjson::dom::object object;
  ASSERT_FALSE(parser.parse(document).get_object().get(object)) << line;
  EXPECT_EQ(object.size(), 4U);
  EXPECT_EQ(std::string_view(object["level"]), "INFO");
  EXPECT_EQ(std::string_view(object["package"]), "parley.chat");
  EXPECT_EQ(std::string_view(object["message"]), "alice: \"hi\"\n");
  // The same date text as the line format's first 23 characters.
  const std::string_view date(object["date"]);
  EXPECT_TRUE(std::regex_match(std::string(date),
                               std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})")))
      << date;
  EXPECT_EQ(date.size(), formatted(*text, spdlog::level::info, "x").find(' ', 11));
}

TEST(json_formatter, keeps_the_order_date_level_package_message) {
  const auto json = make_json_formatter();
  const auto line = formatted(*json, spdlog::level::err, "x");
  EXPECT_EQ(line.substr(0, 9), R"({"date":")");
  EXPECT_NE(line.find(R"(","level":"ERROR","package":"parley.chat","message":"x"})"),
            std::string::npos)
      << line;
}

}  // namespace
}  // namespace parley::obs
