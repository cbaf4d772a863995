#pragma once

#include <spdlog/logger.h>

#include <string>

namespace parley::obs {

struct log_options {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text (the tutorial's line) or json (one object per line)
  std::string file = {};        // append here; empty: standard output
  bool access = true;           // parley.access lines (at info, so not at level warn or above)
};

// Sets up every logger, before the server starts its threads. Lines go to standard output, or
// to `file`, appended; with a file, parley.server's few lines (listening, stopping) also go to
// standard output, where supervisors and test harnesses look for them. Until this is called,
// loggers write text lines to standard output.
// Throws std::invalid_argument for an unknown level or format, std::runtime_error when the file
// cannot be opened.
void init_logging(const log_options& options);

// One logger per layer; the name is the [package] of each line.
spdlog::logger& chat_log();    // parley.chat
spdlog::logger& http_log();    // parley.http
spdlog::logger& ws_log();      // parley.ws
spdlog::logger& net_log();     // parley.net
spdlog::logger& server_log();  // parley.server
// parley.access at info: one line per WebSocket upgrade and close; off with log.access = false.
spdlog::logger& access_log();
// parley.tracing: the trace exporter's own troubles (a collector that cannot be reached).
spdlog::logger& trace_log();

}  // namespace parley::obs
