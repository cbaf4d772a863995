// The documentation and the sample file against the key table: a key added, renamed or given a
// new default in the code fails here until docs/configuration.md and parley.toml say so too.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "config/keys.hpp"
#include "config/options.hpp"
#include "config/sources.hpp"

namespace parley::config {
namespace {

const std::string k_source_dir = PARLEY_SOURCE_DIR;  // set by tests/CMakeLists.txt

std::string read(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

struct doc_row {
  std::string flag, env, default_value;
};

// The key table of docs/configuration.md: | `key` | `--flag` (`--alias`) | `ENV` | `default` | ...
std::map<std::string, doc_row> documented_keys() {
  static const std::regex row(
      R"(^\| `([a-z_]+\.[a-z_]+)` \| (.*?) \| `(PARLEY_[A-Z_]+)` \| `(.*?)` \|)");
  std::map<std::string, doc_row> rows;
  std::istringstream lines(read(k_source_dir + "/docs/configuration.md"));
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, row)) {
      EXPECT_TRUE(rows.emplace(match[1], doc_row{match[2], match[3], match[4]}).second)
          << "documented twice: " << match[1];
    }
  }
  return rows;
}

TEST(docs, configuration_md_lists_every_key_with_its_names_and_default) {
  const auto rows = documented_keys();
  EXPECT_EQ(rows.size(), all_keys().size());
  for (const auto& k : all_keys()) {
    const auto row = rows.find(std::string(k.name));
    ASSERT_NE(row, rows.end()) << k.name << " is not in docs/configuration.md";
    auto flags = fmt::format("`{}`", flag_name(k));
    if (!k.alias.empty()) flags += fmt::format(" (`{}`)", k.alias);
    EXPECT_EQ(row->second.flag, flags) << k.name;
    EXPECT_EQ(row->second.env, env_name(k)) << k.name;
    EXPECT_EQ(row->second.default_value, default_text(k)) << k.name;
  }
  for (const auto& [name, row] : rows) EXPECT_NE(find_key(name), nullptr) << name << " is no key";
}

TEST(docs, sample_parley_toml_turns_on_metrics_and_tracing_and_keeps_the_other_defaults) {
  options opts;
  apply_file(k_source_dir + "/parley.toml", opts);
  for (const auto& k : all_keys()) {
    if (k.name == "metrics.enabled" || k.name == "tracing.enabled") {
      EXPECT_EQ(k.target.load(opts), value(true)) << k.name;
    } else {
      EXPECT_EQ(k.target.load(opts), k.target.load(options{})) << k.name;
    }
  }
}

TEST(docs, sample_parley_toml_shows_every_key_with_its_default) {
  static const std::regex table(R"(^\[([a-z_]+)\]$)");
  static const std::regex setting(R"(^#? ?([a-z_]+) = (.*)$)");
  std::map<std::string, std::string> shown;
  std::string current;
  std::istringstream lines(read(k_source_dir + "/parley.toml"));
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, table)) {
      current = match[1];
    } else if (std::regex_match(line, match, setting)) {
      shown[current + "." + match[1].str()] = match[2];
    }
  }
  for (const auto& k : all_keys()) {
    const auto found = shown.find(std::string(k.name));
    ASSERT_NE(found, shown.end()) << k.name << " is not in parley.toml";
    if (k.name != "metrics.enabled" && k.name != "tracing.enabled") {
      EXPECT_EQ(found->second, default_text(k)) << k.name;
    }
  }
}

}  // namespace
}  // namespace parley::config
