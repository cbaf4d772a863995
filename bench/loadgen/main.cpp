// parley-loadgen: the benchmark load generator. See README.md beside this file.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "options.hpp"
#include "run.hpp"

namespace {

using parley::bench::options;
using parley::bench::run_mode;
using parley::bench::wire_protocol;

// Each client is a socket: 10,000 clients need more than the usual soft limit of 1024.
void raise_file_limit(std::uint32_t clients) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < clients + 64)
    std::fprintf(stderr, "warning: RLIMIT_NOFILE %llu is below %u clients\n",
                 static_cast<unsigned long long>(limit.rlim_cur), clients);
}

}  // namespace

int main(int argc, char** argv) {
  options opts;
  CLI::App cli{"parley-loadgen: load generator for the Parley chat server", "parley-loadgen"};
  cli.get_formatter()->column_width(34);
  std::string mode = "fanout";
  cli.add_option("--mode", mode, "what to measure")
      ->check(CLI::IsMember({"fanout", "connect", "idle", "storm"}))
      ->capture_default_str();
  std::string protocol = "legacy";
  cli.add_flag("--compression", opts.compression,
               "offer permessage-deflate and inflate the server's compressed messages");
  cli.add_option("--protocol", protocol, "legacy (text lines) or v1 (parley.v1 JSON)")
      ->check(CLI::IsMember({"legacy", "v1"}))
      ->capture_default_str();
  cli.add_option("--rooms", opts.rooms, "client i joins room i % N (lobby when N is 1, else r{k})")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100'000u));
  cli.add_option("--host", opts.host, "server address")->capture_default_str();
  cli.add_option("--port", opts.port, "server port")->capture_default_str();
  cli.add_option("--clients", opts.clients, "connections (chat users)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  cli.add_option("--name-prefix", opts.name_prefix, "client i is named {prefix}{i}")
      ->capture_default_str();
  cli.add_option("--connect-concurrency", opts.connect_concurrency, "handshakes in flight")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  cli.add_option("--timeout-s", opts.timeout_s, "limit of each wait (joins, drain)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_flag("--json", opts.json, "print one JSON object on stdout");
  cli.add_option("--server-pid", opts.server_pid, "server process, for RSS and CPU readings")
      ->check(CLI::PositiveNumber);
  cli.add_option("--threads", opts.threads, "threads, each with its own epoll and clients")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  cli.add_option("--senders", opts.senders, "fanout: clients 0..S-1 send")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  cli.add_option("--size", opts.size, "fanout: message text bytes")
      ->capture_default_str()
      ->check(CLI::Range(1u, 60'000u));
  auto* window = cli.add_option("--window", opts.window, "fanout: outstanding messages per sender")
                     ->capture_default_str()
                     ->check(CLI::Range(1u, 1'000'000u));
  cli.add_option("--rate", opts.rate, "fanout: aggregate messages/s instead of a window")
      ->check(CLI::PositiveNumber)
      ->excludes(window);
  cli.add_option("--warmup", opts.warmup_s, "fanout: seconds sent before measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--duration", opts.duration_s, "fanout: measured seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--hold-s", opts.hold_s, "idle: keep the connections this long after measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--settle-s", opts.settle_s,
                 "idle: quiet seconds after the joins before RSS is read (then read until stable)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--history", opts.history, "storm: messages client 0 sends before the storm")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  cli.add_option("--since-back", opts.since_back,
                 "storm: each reconnect asks for since = its last id - this")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1'000'000'000u));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  opts.mode = mode == "connect" ? run_mode::connect
              : mode == "idle"  ? run_mode::idle
              : mode == "storm" ? run_mode::storm
                                : run_mode::fanout;
  opts.protocol = protocol == "v1" ? wire_protocol::v1 : wire_protocol::legacy;
  if (opts.mode == run_mode::storm) {
    if (opts.protocol != wire_protocol::v1 || opts.rooms != 1) {
      std::fprintf(stderr, "--mode storm needs --protocol v1 and one room\n");
      return 2;
    }
    opts.senders = 1;  // client 0 seeds the history
  }
  if (opts.mode == run_mode::fanout && opts.senders > opts.clients) {
    std::fprintf(stderr, "--senders (%u) must not exceed --clients (%u)\n", opts.senders,
                 opts.clients);
    return 2;
  }

  raise_file_limit(opts.connections());
  try {
    const auto report = parley::bench::run(opts);
    parley::bench::print_summary(opts, report);
    if (opts.json) parley::bench::print_json(opts, report);
    return report.healthy() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parley-loadgen: %s\n", e.what());
    return 2;
  }
}
