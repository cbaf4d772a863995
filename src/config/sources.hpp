#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::config {

struct options;

// Each source sets the keys it names on top of what `opts` holds already, so applying them in
// the order file, environment, command line gives flags > env > file > defaults.
// All throw config::error, naming the source and the key, for anything they cannot use.

// The TOML file at `path`: every key must be known and of the right type.
void apply_file(const std::string& path, options& opts);
// A TOML document; `source` names it in errors (the file's path).
void apply_toml(std::string_view document, std::string_view source, options& opts);

// The environment's PARLEY_* variables ("NAME=VALUE" strings, as in environ); each must be a
// key's variable, or PARLEY_CONFIG.
void apply_environment(const std::vector<std::string>& environment, options& opts);
// PARLEY_CONFIG's value, or empty.
std::string config_path_from(const std::vector<std::string>& environment);

// The command line, read (CLI11) before any source is applied.
struct command_line {
  bool help = false;
  std::optional<std::string> config_path;          // --config
  std::vector<std::optional<std::string>> values;  // each key's flag text, by index in all_keys()
};
// `args` come without the program name. Throws config::error for an unknown flag or a flag
// without its value.
command_line read_command_line(const std::vector<std::string>& args);
void apply_command_line(const command_line& flags, options& opts);

// The variable that names the configuration file.
constexpr std::string_view k_config_variable = "PARLEY_CONFIG";

}  // namespace parley::config
