#include <csignal>
#include <exception>
#include <iostream>

#include "app/server.hpp"
#include "config/options.hpp"
#include "obs/log.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer that vanished is an error code, not a fatal signal
  // SIGINT/SIGTERM stay pending until the server is up and listening for them (server::run),
  // and the event-loop threads inherit the block, so the main thread alone takes them.
  parley::app::block_stop_signals();
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
