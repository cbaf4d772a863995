#include <CLI/CLI.hpp>

#include "config/options.hpp"

namespace parley::config {

parse_outcome parse_command_line(int argc, char** argv) {
  options opts;
  CLI::App cli{"parley: a WebSocket chat server (the tutorial's chat room, and more)", "parley"};
  cli.get_formatter()->column_width(36);

  std::int64_t handshake_ms = opts.handshake_timeout.count();
  std::int64_t close_ms = opts.close_timeout.count();
  std::int64_t ping_ms = opts.ping_interval.count();
  std::int64_t shutdown_ms = opts.shutdown_timeout.count();
  std::int64_t grace_ms = opts.slow_consumer_grace.count();

  cli.add_option("--port", opts.port, "TCP port for HTTP and WebSocket (0: any free port)")
      ->capture_default_str();
  cli.add_option("--bind", opts.bind_address, "address to listen on")->capture_default_str();
  cli.add_option("--threads", opts.threads, "event-loop threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0U, 1024U));
  cli.add_flag("--echo-endpoint", opts.echo_endpoint,
               "serve the /echo WebSocket (conformance tests)");
  cli.add_option("--max-message-size", opts.max_message_size,
                 "largest WebSocket message in bytes; larger ones close with 1009")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  cli.add_option("--max-queued-bytes", opts.max_queued_bytes,
                 "unsent output a client may leave unread before it is closed at once (1008)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{1} << 34));
  cli.add_option("--soft-queued-bytes", opts.soft_queued_bytes,
                 "unsent output a client may keep for the grace period before it is closed (1008)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{1} << 34));
  cli.add_option("--slow-consumer-grace-ms", grace_ms,
                 "how long a client may stay above --soft-queued-bytes")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}));
  cli.add_option("--handshake-timeout-ms", handshake_ms,
                 "time to send a complete HTTP request (and keep-alive idle time)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}));
  cli.add_option("--close-timeout-ms", close_ms, "time a client has to answer our close frame")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{600'000}));
  cli.add_option("--ping-interval-ms", ping_ms,
                 "ping a quiet WebSocket after this long; drop it after twice this long (0: off)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}));
  cli.add_option("--shutdown-timeout-ms", shutdown_ms,
                 "on SIGTERM/SIGINT, how long to wait for WebSockets to close before exiting")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}));
  cli.add_option("--web-root", opts.web_root,
                 "serve the web client from this folder instead of the copy built in");
  cli.add_option("--log-level", opts.log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli.add_flag("--tracing-enabled", opts.tracing_enabled,
               "export OpenTelemetry spans (OTLP/HTTP JSON) to --tracing-endpoint");
  cli.add_option("--tracing-endpoint", opts.tracing_endpoint,
                 "OTLP/HTTP traces URL (http:// only; Jaeger all-in-one listens on :4318)")
      ->capture_default_str();
  cli.add_option(
         "--tracing-sample-ratio", opts.tracing_sample_ratio,
         "share of new traces recorded, 0 to 1 (a caller's traceparent decides for its own)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cli.add_option("--tracing-service-name", opts.tracing_service_name,
                 "service.name of the exported spans")
      ->capture_default_str();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return {std::nullopt, cli.exit(error)};
  }
  opts.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  opts.close_timeout = std::chrono::milliseconds(close_ms);
  opts.ping_interval = std::chrono::milliseconds(ping_ms);
  opts.shutdown_timeout = std::chrono::milliseconds(shutdown_ms);
  opts.slow_consumer_grace = std::chrono::milliseconds(grace_ms);
  return {opts, 0};
}

}  // namespace parley::config
