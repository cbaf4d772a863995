#include "config/load.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/error.hpp"
#include "config/keys.hpp"

namespace parley::config {
namespace {

using strings = std::vector<std::string>;

// A TOML file in the test's temporary folder, removed afterwards.
class config_file {
 public:
  explicit config_file(const std::string& text)
      : path_(std::filesystem::path(::testing::TempDir()) /
              ("parley_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".toml")) {
    std::ofstream(path_) << text;
  }
  ~config_file() { std::filesystem::remove(path_); }
  config_file(const config_file&) = delete;
  config_file& operator=(const config_file&) = delete;
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

options loaded(const strings& args, const strings& environment = {}) {
  auto outcome = load(args, environment);
  if (!outcome.run) throw std::logic_error("no options: " + outcome.output);
  return *outcome.run;
}

// The error line load() gives, or "" when it succeeds.
std::string error_of(const strings& args, const strings& environment = {}) {
  try {
    load(args, environment);
  } catch (const error& trouble) {
    return trouble.what();
  }
  return "";
}

TEST(load, gives_the_defaults_when_nothing_is_set) {
  const auto opts = loaded({}, {"HOME=/root", "PATH=/usr/bin"});
  EXPECT_EQ(opts.port, 9090);
  EXPECT_EQ(opts.bind_address, "0.0.0.0");
  EXPECT_FALSE(opts.metrics_enabled);
  EXPECT_EQ(opts.metrics_port, 9797);
  EXPECT_EQ(opts.tracing_endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(opts.tracing_sample_ratio, 1.0);
  EXPECT_EQ(opts.log_format, "text");
  EXPECT_TRUE(opts.log_access);
}

TEST(load, reads_the_file_named_by_config) {
  const config_file file("[server]\nport = 8001\n[metrics]\nenabled = true\n");
  const auto opts = loaded({"--config", file.path()});
  EXPECT_EQ(opts.port, 8001);
  EXPECT_TRUE(opts.metrics_enabled);
}

TEST(load, reads_the_file_named_by_parley_config) {
  const config_file file("[server]\nport = 8001\n");
  EXPECT_EQ(loaded({}, {"PARLEY_CONFIG=" + file.path()}).port, 8001);
}

TEST(load, prefers_the_config_flag_to_parley_config) {
  const config_file flag_file("[server]\nport = 8001\n");
  const config_file env_file("[server]\nport = 8002\n");
  EXPECT_EQ(loaded({"--config", flag_file.path()}, {"PARLEY_CONFIG=" + env_file.path()}).port,
            8001);
}

TEST(load, lets_the_environment_override_the_file_and_flags_override_both) {
  const config_file file("[server]\nport = 8001\nthreads = 3\nbind = \"127.0.0.1\"\n");
  const strings environment = {"PARLEY_CONFIG=" + file.path(), "PARLEY_SERVER_PORT=8002",
                               "PARLEY_SERVER_THREADS=4"};
  const auto opts = loaded({"--server-port", "8003"}, environment);
  EXPECT_EQ(opts.port, 8003);                 // flag over env over file
  EXPECT_EQ(opts.threads, 4U);                // env over file
  EXPECT_EQ(opts.bind_address, "127.0.0.1");  // file over default
}

TEST(load, takes_the_old_flag_names_too) {
  const auto opts = loaded({"--port", "1234", "--bind", "127.0.0.1", "--echo-endpoint",
                            "--max-queued-bytes", "4096", "--ping-interval-ms", "0"});
  EXPECT_EQ(opts.port, 1234);
  EXPECT_EQ(opts.bind_address, "127.0.0.1");
  EXPECT_TRUE(opts.echo_endpoint);
  EXPECT_EQ(opts.max_queued_bytes, 4096U);
  EXPECT_EQ(opts.ping_interval, std::chrono::milliseconds(0));
}

TEST(load, takes_the_last_of_a_repeated_flag) {
  EXPECT_EQ(loaded({"--port", "1", "--server-port=2"}).port, 2);
}

TEST(load, reads_boolean_flags_bare_or_with_a_value) {
  EXPECT_TRUE(loaded({"--metrics-enabled"}).metrics_enabled);
  EXPECT_TRUE(loaded({"--metrics-enabled=true"}).metrics_enabled);
  EXPECT_FALSE(loaded({"--log-access=false"}).log_access);
  EXPECT_FALSE(
      loaded({"--metrics-enabled=false"}, {"PARLEY_METRICS_ENABLED=true"}).metrics_enabled);
}

// A value the key takes that is not its default.
std::string other_than_default(const key& k) {
  switch (k.target.type) {
    case value_type::boolean:
      return std::get<bool>(k.target.load(options{})) ? "false" : "true";
    case value_type::integer:
      return std::to_string(k.max);
    case value_type::ratio:
      return "0.5";
    case value_type::text:
      break;
  }
  if (!k.choices.empty()) return std::string(k.choices.back());
  if (k.name.ends_with(".bind")) return "::1";
  if (k.name == "tracing.endpoint") return "http://collector.example:4318/v1/traces";
  if (k.name == "cluster.redis") return "redis://redis.example:6379/1";
  if (k.name == "security.allowed_origins") return "https://chat.example.com";
  if (k.name == "security.trusted_proxies") return "10.0.0.0/8";
  return "other";
}

TEST(load, sets_every_key_from_its_flag_and_from_its_variable) {
  for (const auto& k : all_keys()) {
    const auto text = other_than_default(k);
    const auto via_flag = loaded({flag_name(k) + "=" + text});
    const auto via_env = loaded({}, {env_name(k) + "=" + text});
    EXPECT_NE(k.target.load(via_flag), k.target.load(options{})) << k.name;
    EXPECT_EQ(k.target.load(via_flag), k.target.load(via_env)) << k.name;
  }
}

TEST(load, answers_help_with_every_flag_and_its_default) {
  const auto outcome = load({"--help"}, {});
  EXPECT_FALSE(outcome.run);
  for (const auto& k : all_keys()) {
    EXPECT_NE(outcome.output.find(flag_name(k)), std::string::npos) << k.name;
    EXPECT_NE(outcome.output.find(std::string(k.help)), std::string::npos) << k.name;
    EXPECT_NE(outcome.output.find("default " + default_text(k)), std::string::npos) << k.name;
  }
  EXPECT_NE(outcome.output.find("PARLEY_METRICS_PORT"), std::string::npos);
  EXPECT_NE(outcome.output.find("--config FILE"), std::string::npos);
}

TEST(load, reports_a_value_out_of_range_in_the_file) {
  const config_file file("[limits]\nmax_queued_bytes = 12\n");
  EXPECT_EQ(error_of({"--config", file.path()}),
            file.path() + ": limits.max_queued_bytes = 12: must be between 1024 and 17179869184");
}

TEST(load, reports_a_missing_file) {
  EXPECT_EQ(error_of({"--config", "/nonexistent/parley.toml"}),
            "/nonexistent/parley.toml: cannot read: No such file or directory");
}

TEST(load, reports_an_unknown_variable_but_not_parley_config) {
  EXPECT_EQ(error_of({}, {"PARLEY_SERVR_PORT=1"}),
            "PARLEY_SERVR_PORT: not a configuration variable (parley --help lists them)");
  EXPECT_EQ(error_of({}, {"PARLEY_CONFIG="}), "");
  EXPECT_EQ(error_of({}, {"PARLEYX=1", "XPARLEY_SERVER_PORT=abc"}), "");
}

TEST(load, reports_a_bad_variable_with_its_value) {
  EXPECT_EQ(error_of({}, {"PARLEY_SERVER_PORT=abc"}), "PARLEY_SERVER_PORT='abc': not a number");
  EXPECT_EQ(error_of({}, {"PARLEY_SERVER_PORT=70000"}),
            "PARLEY_SERVER_PORT='70000': must be between 0 and 65535");
  EXPECT_EQ(error_of({}, {"PARLEY_LOG_ACCESS=1"}), "PARLEY_LOG_ACCESS='1': must be true or false");
}

TEST(load, reports_a_bad_flag_with_its_value) {
  EXPECT_EQ(error_of({"--port", "abc"}), "--server-port='abc': not a number");
  EXPECT_EQ(error_of({"--tracing-sample-ratio", "2"}),
            "--tracing-sample-ratio='2': must be between 0 and 1");
  EXPECT_EQ(error_of({"--metrics-enabled=maybe"}),
            "--metrics-enabled='maybe': must be true or false");
}

TEST(load, reports_an_unknown_flag_or_argument) {
  EXPECT_EQ(error_of({"--prot", "1"}),
            "The following arguments were not expected: 1 --prot (parley --help lists the flags)");
  EXPECT_EQ(error_of({"extra"}),
            "The following argument was not expected: extra (parley --help lists the flags)");
}

TEST(load, checks_the_file_before_the_environment_and_flags_that_would_override_it) {
  // A broken file is an error even when every key in it is overridden: it is never ignored.
  const config_file file("[server]\nport = \"x\"\n");
  EXPECT_EQ(error_of({"--config", file.path(), "--port", "1"}, {"PARLEY_SERVER_PORT=2"}),
            file.path() + ": server.port = \"x\": must be a whole number, not a string");
}

TEST(load, wants_both_tls_files_or_neither) {
  options opts;
  EXPECT_NO_THROW(check_together(opts));
  opts.tls_cert_file = "server.crt";
  EXPECT_THROW(check_together(opts), error);
  opts.tls_key_file = "server.key";
  EXPECT_NO_THROW(check_together(opts));
  opts.tls_cert_file.clear();
  EXPECT_THROW(check_together(opts), error);
}

TEST(load, wants_the_tls_files_for_metrics_tls) {
  options opts;
  opts.metrics_tls = true;
  EXPECT_THROW(check_together(opts), error);
  opts.tls_cert_file = "server.crt";
  opts.tls_key_file = "server.key";
  EXPECT_NO_THROW(check_together(opts));
}

}  // namespace
}  // namespace parley::config
