#include <gtest/gtest.h>

#include "config/error.hpp"
#include "config/options.hpp"
#include "config/sources.hpp"

namespace parley::config {
namespace {

std::string error_of(std::string_view document) {
  options opts;
  try {
    apply_toml(document, "parley.toml", opts);
  } catch (const error& trouble) {
    return trouble.what();
  }
  return "";
}

TEST(toml_file, sets_keys_of_every_type) {
  options opts;
  apply_toml(R"(
[server]
port = 8080
bind = "::1"
echo_endpoint = true
[limits]
ping_interval_ms = 0
[tracing]
sample_ratio = 0.5
[log]
format = "json"
)",
             "parley.toml", opts);
  EXPECT_EQ(opts.port, 8080);
  EXPECT_EQ(opts.bind_address, "::1");
  EXPECT_TRUE(opts.echo_endpoint);
  EXPECT_EQ(opts.ping_interval.count(), 0);
  EXPECT_EQ(opts.tracing_sample_ratio, 0.5);
  EXPECT_EQ(opts.log_format, "json");
}

TEST(toml_file, takes_dotted_keys_and_whole_numbers_for_ratios) {
  options opts;
  apply_toml("metrics.enabled = true\ntracing.sample_ratio = 0\n", "parley.toml", opts);
  EXPECT_TRUE(opts.metrics_enabled);
  EXPECT_EQ(opts.tracing_sample_ratio, 0.0);
}

TEST(toml_file, leaves_keys_it_does_not_name_alone) {
  options opts;
  opts.port = 1234;
  apply_toml("", "parley.toml", opts);
  apply_toml("[metrics]\n", "parley.toml", opts);
  EXPECT_EQ(opts.port, 1234);
}

TEST(toml_file, reports_an_unknown_key) {
  EXPECT_EQ(error_of("[server]\nprot = 1\n"),
            "parley.toml: unknown key 'server.prot' (docs/configuration.md lists the keys)");
  EXPECT_EQ(error_of("port = 1\n"),
            "parley.toml: unknown key 'port' (docs/configuration.md lists the keys)");
  EXPECT_EQ(error_of("[server.tls]\ncert = \"x\"\n"),
            "parley.toml: unknown key 'server.tls' (docs/configuration.md lists the keys)");
}

TEST(toml_file, reports_an_unknown_table) {
  EXPECT_EQ(error_of("[b7a.observability.metrics]\nenabled = true\n"),
            "parley.toml: unknown table 'b7a' (docs/configuration.md lists the keys)");
}

TEST(toml_file, reports_a_value_of_the_wrong_type) {
  EXPECT_EQ(error_of("[server]\nport = \"9090\"\n"),
            "parley.toml: server.port = \"9090\": must be a whole number, not a string");
  EXPECT_EQ(error_of("[server]\nport = 90.5\n"),
            "parley.toml: server.port = 90.5: must be a whole number, not a number");
  EXPECT_EQ(error_of("[metrics]\nenabled = \"yes\"\n"),
            "parley.toml: metrics.enabled = \"yes\": must be true or false, not a string");
  EXPECT_EQ(error_of("[log]\nfile = 3\n"),
            "parley.toml: log.file = 3: must be a string, not a whole number");
  EXPECT_EQ(error_of("[tracing]\nsample_ratio = [1]\n"),
            "parley.toml: tracing.sample_ratio: must be a number, not an array");
  EXPECT_EQ(error_of("[server]\nport = { a = 1 }\n"),
            "parley.toml: server.port: must be a whole number, not a table");
}

TEST(toml_file, reports_a_value_out_of_range_or_not_among_the_choices) {
  EXPECT_EQ(error_of("[limits]\nmax_queued_bytes = 12\n"),
            "parley.toml: limits.max_queued_bytes = 12: must be between 1024 and 17179869184");
  EXPECT_EQ(error_of("[log]\nformat = \"xml\"\n"),
            "parley.toml: log.format = \"xml\": must be one of text, json");
}

TEST(toml_file, reports_a_syntax_error_with_line_and_column) {
  EXPECT_EQ(error_of("[metrics]\nenabled = tru\n"),
            "parley.toml:2:14: Error while parsing boolean: expected 'true', saw 'tru\\n'");
  EXPECT_EQ(error_of("[server]\nport = 1\nport = 2\n").substr(0, 14), "parley.toml:3:");
}

TEST(toml_file, reports_the_first_problem_in_file_order) {
  EXPECT_EQ(error_of("[server]\nthreads = \"many\"\n[limits]\nclose_timeout_ms = 0\n"),
            "parley.toml: server.threads = \"many\": must be a whole number, not a string");
  EXPECT_EQ(error_of("[zzz]\na = 1\n[aaa]\nb = 2\n"),
            "parley.toml: unknown table 'zzz' (docs/configuration.md lists the keys)");
}

}  // namespace
}  // namespace parley::config
