#include <unistd.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/malloc_arenas.hpp"
#include "app/server.hpp"
#include "config/load.hpp"
#include "obs/log.hpp"

namespace {

// Exit codes: 2 for a configuration the server refuses (as for bad usage), 1 when it cannot run.
constexpr int k_bad_configuration = 2;
constexpr int k_cannot_run = 1;

std::vector<std::string> environment() {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) entries.emplace_back(*entry);
  return entries;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);      // a peer that vanished is an error code, not a fatal signal
  parley::app::block_stop_signals();  // before any thread starts: see server::run
  parley::config::options options;
  try {
    auto outcome = parley::config::load({argv + 1, argv + argc}, environment());
    if (!outcome.run) {
      std::cout << outcome.output;
      return 0;
    }
    options = std::move(*outcome.run);
    parley::config::check_together(options);
    parley::app::limit_malloc_arenas(options.memory_malloc_arenas);  // before any thread starts
    parley::obs::init_logging(
        {options.log_level, options.log_format, options.log_file, options.log_access});
  } catch (const std::exception& error) {  // config::error, or a log file that cannot be opened
    std::cerr << "parley: " << error.what() << '\n';
    return k_bad_configuration;
  }
  try {
    parley::app::server server(options);
    return server.run();
  } catch (const std::exception& error) {
    std::cerr << "parley: " << error.what() << '\n';
    return k_cannot_run;
  }
}
