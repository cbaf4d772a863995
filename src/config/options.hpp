#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/defaults.hpp"

namespace parley::config {

// Everything the server can be told at start-up.
struct options {
  std::uint16_t port = defaults::port;  // 0: any free port (tests)
  std::string bind_address = defaults::bind_address;
  unsigned threads = 0;        // event loops; 0: one per core
  bool echo_endpoint = false;  // serve /echo (conformance tests)
  std::uint64_t max_message_size = defaults::max_message_size;
  // Unsent output per connection: over the hard limit a client is closed at once; above the soft
  // limit for longer than the grace period, too.
  std::uint64_t max_queued_bytes = defaults::max_queued_bytes;
  std::uint64_t soft_queued_bytes = defaults::soft_queued_bytes;
  std::chrono::milliseconds slow_consumer_grace = defaults::slow_consumer_grace;
  std::chrono::milliseconds handshake_timeout = defaults::handshake_timeout;
  std::chrono::milliseconds close_timeout = defaults::close_timeout;
  std::chrono::milliseconds ping_interval = defaults::ping_interval;  // 0: never ping
  std::chrono::milliseconds shutdown_timeout = defaults::shutdown_timeout;
  std::string web_root;  // empty: the embedded web client
  std::string log_level = "info";
  // OpenTelemetry tracing, exported as OTLP/HTTP JSON (docs/tracing.md).
  bool tracing_enabled = false;
  std::string tracing_endpoint = "http://localhost:4318/v1/traces";
  double tracing_sample_ratio = 1.0;  // of new traces; a caller's traceparent decides for its own
  std::string tracing_service_name = "parley";
};

// The outcome of reading the command line: options to run with, or an exit code
// (after --help, or after an error already printed).
struct parse_outcome {
  std::optional<options> run;
  int exit_code = 0;
};

parse_outcome parse_command_line(int argc, char** argv);

}  // namespace parley::config
