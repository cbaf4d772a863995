#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/options.hpp"

namespace parley::config {

// What start-up does next: run with these options, or print `output` (--help) and exit.
struct load_outcome {
  std::optional<options> run;
  std::string output;
};

// Reads the configuration: defaults, then the file named by --config or PARLEY_CONFIG (none
// unless named), then the PARLEY_* environment, then the flags; later sources win.
// `args` are the command-line arguments after the program name; `environment` holds
// "NAME=VALUE" strings, as environ does. Throws config::error for anything it cannot use.
load_outcome load(const std::vector<std::string>& args,
                  const std::vector<std::string>& environment);

// Throws config::error when keys that only work together disagree (tls.cert_file without
// tls.key_file, metrics.tls without them). Apart from load() so that each key can be loaded alone
// (the keys' tests do).
void check_together(const options& opts);

// The --help text: every key's flag, default and meaning.
std::string help_text();

}  // namespace parley::config
