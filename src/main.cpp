#include <csignal>
#include <exception>
#include <iostream>

#include "app/server.hpp"
#include "config/options.hpp"
#include "obs/log.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);      // a peer that vanished is an error code, not a fatal signal
  parley::app::block_stop_signals();  // before any thread starts: see server::run
  auto outcome = parley::config::parse_command_line(argc, argv);
  if (!outcome.run) return outcome.exit_code;
  try {
    parley::obs::init_logging({outcome.run->log_level});
    parley::app::server server(*outcome.run);
    return server.run();
  } catch (const std::exception& error) {
    std::cerr << "parley: " << error.what() << '\n';
    return 1;
  }
}
