#include <fmt/format.h>

#include "config/keys.hpp"
#include "config/load.hpp"

namespace parley::config {
namespace {

std::string placeholder(const key& k) {
  switch (k.target.type) {
    case value_type::boolean:
      return "[=true|false]";
    case value_type::integer:
      return " INT";
    case value_type::ratio:
      return " NUMBER";
    case value_type::text:
      break;
  }
  return k.choices.empty() ? " TEXT" : fmt::format(" {}", fmt::join(k.choices, "|"));
}

std::string facts(const key& k) {
  auto text = "default " + default_text(k);
  if (k.target.type == value_type::integer) text += fmt::format("; {} to {}", k.min, k.max);
  if (!k.alias.empty()) text += fmt::format("; also {}", k.alias);
  return text;
}

std::string_view table_of(const key& k) {
  return k.name.substr(0, k.name.find('.'));
}

}  // namespace

std::string help_text() {
  std::string text =
      "parley: a WebSocket chat server (the tutorial's chat room, and more)\n"
      "\n"
      "Usage: parley [--config FILE] [--KEY VALUE]...\n"
      "\n"
      "Each setting below is a flag, an environment variable and a key of the TOML file:\n"
      "  --metrics-port 9797  =  PARLEY_METRICS_PORT=9797  =  [metrics] port = 9797\n"
      "Flags win over the environment, which wins over the file; unset keys keep their defaults.\n"
      "No file is read unless named. docs/configuration.md has the details.\n"
      "\n"
      "  -h, --help\n"
      "      print this help and exit\n"
      "  --config FILE\n"
      "      read settings from this TOML file (or PARLEY_CONFIG=FILE)\n";
  std::string_view table;
  for (const auto& k : all_keys()) {
    if (table_of(k) != table) {
      table = table_of(k);
      text += fmt::format("\n[{}]\n", table);
    }
    text += fmt::format("  {}{}  ({})\n      {}\n", flag_name(k), placeholder(k), facts(k), k.help);
  }
  return text;
}

}  // namespace parley::config
