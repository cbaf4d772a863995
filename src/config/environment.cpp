#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "config/error.hpp"
#include "config/keys.hpp"
#include "config/parse_value.hpp"
#include "config/sources.hpp"

namespace parley::config {
namespace {

constexpr std::string_view k_prefix = "PARLEY_";

const key* key_for_variable(std::string_view name) {
  const auto keys = all_keys();
  const auto found =
      std::find_if(keys.begin(), keys.end(), [name](const key& k) { return env_name(k) == name; });
  return found == keys.end() ? nullptr : &*found;
}

}  // namespace

void apply_environment(const std::vector<std::string>& environment, options& opts) {
  for (const std::string_view entry : environment) {
    if (!entry.starts_with(k_prefix)) continue;
    const auto equals = entry.find('=');
    const auto name = entry.substr(0, equals);
    if (name == k_config_variable) continue;
    const key* k = key_for_variable(name);
    if (k == nullptr) {
      throw error(fmt::format("{}: not a configuration variable (parley --help lists them)", name));
    }
    const auto text =
        equals == std::string_view::npos ? std::string_view{} : entry.substr(equals + 1);
    store_text(*k, text, opts, fmt::format("{}={}", name, single_quoted(text)));
  }
}

std::string config_path_from(const std::vector<std::string>& environment) {
  std::string path;
  for (const std::string_view entry : environment) {
    if (entry.starts_with(k_config_variable) && entry.size() > k_config_variable.size() &&
        entry[k_config_variable.size()] == '=') {
      path = entry.substr(k_config_variable.size() + 1);
    }
  }
  return path;
}

}  // namespace parley::config
