#pragma once

#include <spdlog/logger.h>

#include <string>

namespace parley::obs {

struct log_options {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
};

// Sets up every logger with the tutorial-compatible line format
// "2026-01-02 15:04:05,123 INFO  [parley.chat] - alice: hi" on standard output.
// Throws std::invalid_argument for an unknown level.
void init_logging(const log_options& options);

// One logger per layer; the name is the [package] of each line.
spdlog::logger& chat_log();    // parley.chat
spdlog::logger& http_log();    // parley.http
spdlog::logger& ws_log();      // parley.ws
spdlog::logger& net_log();     // parley.net
spdlog::logger& server_log();  // parley.server
spdlog::logger& trace_log();   // parley.tracing

}  // namespace parley::obs
