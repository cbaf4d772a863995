#include "config/load.hpp"

#include "config/error.hpp"
#include "config/sources.hpp"

namespace parley::config {

load_outcome load(const std::vector<std::string>& args,
                  const std::vector<std::string>& environment) {
  const auto flags = read_command_line(args);
  if (flags.help) return {std::nullopt, help_text()};

  options opts;
  const auto path = flags.config_path ? *flags.config_path : config_path_from(environment);
  if (!path.empty()) apply_file(path, opts);
  apply_environment(environment, opts);
  apply_command_line(flags, opts);
  return {opts, {}};
}

void check_together(const options& opts) {
  if (opts.tls_cert_file.empty() != opts.tls_key_file.empty())
    throw error("tls.cert_file and tls.key_file: set both (TLS) or neither (plain HTTP)");
  if (opts.metrics_tls && opts.tls_cert_file.empty())
    throw error(
        "metrics.tls needs tls.cert_file and tls.key_file: the metrics port serves the "
        "chat port's certificate");
}

}  // namespace parley::config
