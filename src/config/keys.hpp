#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/value.hpp"

namespace parley::config {

struct options;

// How a key reaches its member of config::options.
struct binding {
  value_type type;
  void (*store)(options& opts, const value& v);  // v has `type` and passed the key's checks
  value (*load)(const options& opts);
};

// One configuration key. The TOML reader, the environment, the command line, --help and the
// documentation test all work from the table of these (all_keys), so a key exists everywhere
// or nowhere.
struct key {
  std::string_view name;  // "metrics.port": [table] and key in the file
  std::string_view help;  // one line for --help and docs/configuration.md
  binding target;
  std::int64_t min = 0;  // integer keys: the values allowed, inclusive
  std::int64_t max = 0;
  std::vector<std::string_view> choices = {};  // text keys limited to these values (else any)
  // Text keys: the problem with a value ("must be an IP address"), or empty when it is fine.
  std::string_view (*check)(std::string_view text) = nullptr;
  std::string_view alias = {};  // an older flag that still works ("--port"), or empty
};

// Every key, in the order --help and the documentation list them.
std::span<const key> all_keys();
// The key with this dotted name, or nullptr.
const key* find_key(std::string_view name);

std::string flag_name(const key& k);  // metrics.port -> --metrics-port
std::string env_name(const key& k);   // metrics.port -> PARLEY_METRICS_PORT
// The default, as TOML writes it (9090, "0.0.0.0", false, 1.0): read from a default options.
std::string default_text(const key& k);

}  // namespace parley::config
