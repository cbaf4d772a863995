#include "config/parse_value.hpp"

#include <gtest/gtest.h>

#include "config/error.hpp"
#include "config/options.hpp"

namespace parley::config {
namespace {

const key& named(std::string_view name) {
  const key* k = find_key(name);
  if (k == nullptr) throw std::logic_error("no key " + std::string(name));
  return *k;
}

std::string problem_with(const key& k, std::string_view text) {
  try {
    check_value(k, parse_text(k, text));
  } catch (const problem& trouble) {
    return trouble.what();
  }
  return "";
}

TEST(parse_value, reads_each_type_from_text) {
  EXPECT_EQ(parse_text(named("metrics.enabled"), "true"), value(true));
  EXPECT_EQ(parse_text(named("metrics.enabled"), "false"), value(false));
  EXPECT_EQ(parse_text(named("server.port"), "8080"), value(std::int64_t{8080}));
  EXPECT_EQ(parse_text(named("tracing.sample_ratio"), "0.25"), value(0.25));
  EXPECT_EQ(parse_text(named("tracing.sample_ratio"), "1"), value(1.0));
  EXPECT_EQ(parse_text(named("log.file"), "/var/log/parley.log"),
            value(std::string("/var/log/parley.log")));
}

TEST(parse_value, names_what_is_wrong_with_text) {
  EXPECT_EQ(problem_with(named("server.port"), "abc"), "not a number");
  EXPECT_EQ(problem_with(named("server.port"), ""), "not a number");
  EXPECT_EQ(problem_with(named("server.port"), "80 "), "not a number");
  EXPECT_EQ(problem_with(named("server.port"), "1.5"), "must be a whole number");
  EXPECT_EQ(problem_with(named("server.port"), "65536"), "must be between 0 and 65535");
  EXPECT_EQ(problem_with(named("server.port"), "-1"), "must be between 0 and 65535");
  EXPECT_EQ(problem_with(named("server.port"), "99999999999999999999"),
            "must be between 0 and 65535");
  EXPECT_EQ(problem_with(named("limits.max_queued_bytes"), "12"),
            "must be between 1024 and 17179869184");
  EXPECT_EQ(problem_with(named("metrics.enabled"), "yes"), "must be true or false");
  EXPECT_EQ(problem_with(named("metrics.enabled"), "TRUE"), "must be true or false");
  EXPECT_EQ(problem_with(named("tracing.sample_ratio"), "half"), "not a number");
  EXPECT_EQ(problem_with(named("tracing.sample_ratio"), "1.5"), "must be between 0 and 1");
  EXPECT_EQ(problem_with(named("tracing.sample_ratio"), "nan"), "must be between 0 and 1");
  EXPECT_EQ(problem_with(named("log.format"), "xml"), "must be one of text, json");
  EXPECT_EQ(problem_with(named("log.level"), "loud"),
            "must be one of trace, debug, info, warn, error, critical, off");
  EXPECT_EQ(problem_with(named("server.bind"), "localhost"),
            "must be an IP address, such as 0.0.0.0 or ::1");
  EXPECT_EQ(problem_with(named("tracing.endpoint"), "localhost:4318"),
            "must be an http:// URL (the exporter speaks plain HTTP; put TLS in a local collector)");
  EXPECT_EQ(problem_with(named("tracing.service_name"), ""), "must not be empty");
}

TEST(parse_value, accepts_the_edges_of_each_range) {
  EXPECT_EQ(problem_with(named("server.port"), "0"), "");
  EXPECT_EQ(problem_with(named("server.port"), "65535"), "");
  EXPECT_EQ(problem_with(named("limits.max_queued_bytes"), "17179869184"), "");
  EXPECT_EQ(problem_with(named("tracing.sample_ratio"), "0"), "");
  EXPECT_EQ(problem_with(named("server.bind"), "::1"), "");
  EXPECT_EQ(problem_with(named("server.bind"), "127.0.0.1"), "");
  EXPECT_EQ(problem_with(named("server.web_root"), ""), "");
}

TEST(parse_value, store_text_names_the_source_in_its_error) {
  options opts;
  try {
    store_text(named("server.port"), "abc", opts, "PARLEY_SERVER_PORT='abc'");
    FAIL() << "no error";
  } catch (const error& trouble) {
    EXPECT_STREQ(trouble.what(), "PARLEY_SERVER_PORT='abc': not a number");
  }
}

TEST(parse_value, keeps_error_lines_on_one_line) {
  EXPECT_EQ(single_quoted("a\nb\x1B"), "'a\\nb\\x1B'");
}

}  // namespace
}  // namespace parley::config
