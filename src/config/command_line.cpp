#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "config/error.hpp"
#include "config/keys.hpp"
#include "config/parse_value.hpp"
#include "config/sources.hpp"

namespace parley::config {

command_line read_command_line(const std::vector<std::string>& args) {
  const auto keys = all_keys();
  command_line flags;
  flags.values.resize(keys.size());

  // CLI11 only splits the arguments: every value is kept as text and goes through the same
  // parsing and checks as the environment's, so both report errors alike. Help is ours
  // (help_text), built from the key table.
  CLI::App cli{"", "parley"};
  cli.set_help_flag();
  cli.add_flag("-h,--help", flags.help);
  cli.add_option("--config", flags.config_path)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto names = flag_name(keys[i]);
    if (!keys[i].alias.empty()) names += "," + std::string(keys[i].alias);
    if (keys[i].target.type == value_type::boolean) {
      cli.add_flag(names, flags.values[i]);  // bare: "true"; --name=false: "false"
    } else {
      cli.add_option(names, flags.values[i])->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them backwards
  try {
    cli.parse(reversed);
  } catch (const CLI::ParseError& trouble) {
    throw error(fmt::format("{} (parley --help lists the flags)", one_line(trouble.what())));
  }
  return flags;
}

void apply_command_line(const command_line& flags, options& opts) {
  const auto keys = all_keys();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!flags.values[i]) continue;
    const auto& text = *flags.values[i];
    store_text(keys[i], text, opts, fmt::format("{}={}", flag_name(keys[i]), single_quoted(text)));
  }
}

}  // namespace parley::config
