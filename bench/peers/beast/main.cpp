// parley-beast-peer: the tutorial chat room written the way Boost.Beast's chat-multi example
// writes a server, as a comparison point for Parley's benchmarks (bench/run).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "listener.hpp"
#include "shared_state.hpp"

namespace net = boost::asio;

int main(int argc, char** argv) {
  std::uint16_t port = 9090;
  std::string bind = "127.0.0.1";
  unsigned threads = 1;
  CLI::App cli{"parley-beast-peer: the tutorial chat on Boost.Beast (benchmark peer)"};
  cli.add_option("--port", port, "TCP port (0: any free port)")->capture_default_str();
  cli.add_option("--bind", bind, "address to listen on")->capture_default_str();
  cli.add_option("--threads", threads, "threads running the io_context")
      ->capture_default_str()
      ->check(CLI::Range(1U, 256U));
  CLI11_PARSE(cli, argc, argv);

  std::signal(SIGPIPE, SIG_IGN);
  try {
    net::io_context ioc{static_cast<int>(threads)};
    auto state = std::make_shared<parley::beast_peer::shared_state>();
    auto acceptor = std::make_shared<parley::beast_peer::listener>(
        ioc, net::ip::tcp::endpoint{net::ip::make_address(bind), port}, state);
    acceptor->run();
    const auto endpoint = acceptor->local_endpoint();
    fmt::print("listening on http://{}:{}/\n", endpoint.address().to_string(), endpoint.port());
    std::fflush(stdout);

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&ioc](boost::system::error_code, int) { ioc.stop(); });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& thread : pool) thread.join();
  } catch (const std::exception& error) {
    fmt::print(stderr, "parley-beast-peer: {}\n", error.what());
    return 1;
  }
  return 0;
}
