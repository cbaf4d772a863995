#include "app/server.hpp"

#include <fmt/format.h>
#include <pthread.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "app/echo_handler.hpp"
#include "app/make_cluster.hpp"
#include "app/make_store.hpp"
#include "app/memory_release.hpp"
#include "auth/jwt_verifier.hpp"
#include "cluster/cluster_link.hpp"
#include "http/request_handler.hpp"
#include "obs/log.hpp"
#include "obs/metrics/build_info.hpp"
#include "ws/handshake.hpp"

namespace parley::app {
namespace asio = boost::asio;

namespace {
std::vector<std::unique_ptr<net::event_loop>> make_loops(const config::options& options) {
  const unsigned threads =
      options.threads == 0 ? std::max(1U, std::thread::hardware_concurrency()) : options.threads;
  const net::output_limits limits{options.max_queued_bytes, options.soft_queued_bytes,
                                  options.slow_consumer_grace, options.socket_send_buffer};
  std::vector<std::unique_ptr<net::event_loop>> loops;
  for (unsigned i = 0; i < threads; ++i)
    loops.push_back(std::make_unique<net::event_loop>(i, limits));
  return loops;
}
asio::ip::tcp::endpoint claim_listen_endpoint(const config::options& options) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec)
    throw std::runtime_error("server.bind: '" + options.bind_address + "' is not an IP address");
  try {
    return net::claim_endpoint({address, options.port});
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", options.bind_address,
                                         options.port, error.code().message()));
  }
}
obs::tracing::tracer_settings tracing_settings(const config::options& options) {
  obs::tracing::tracer_settings settings;  // the ratio is checked by config (0..1)
  settings.enabled = options.tracing_enabled;
  settings.endpoint = options.tracing_endpoint;
  settings.sample_ratio = options.tracing_sample_ratio;
  settings.service_name = options.tracing_service_name;
  return settings;
}
chat::chat_settings chat_settings(const config::options& options, obs::tracing::tracer* tracer) {
  chat::chat_settings settings;
  settings.history = {.on_join = options.history_on_join,
                      .memory_events = options.history_memory_events,
                      .max_events = options.history_max_events,
                      .max_age = options.history_max_age,
                      .max_replay = options.history_max_replay};
  settings.limits = {.max_message_size = options.max_message_size,
                     .max_text_bytes = options.max_text_bytes,
                     .max_rooms_per_connection = options.max_rooms_per_connection,
                     .history_per_second = options.history_per_second,
                     .messages_per_second = options.messages_per_second,
                     .messages_burst = options.messages_burst,
                     .legacy_rate_tolerance = options.legacy_rate_tolerance};
  settings.max_rooms = options.max_rooms;
  settings.compression = {.enabled = options.compression == "on",
                          .min_size = options.compression_min_size};
  settings.version = std::string(obs::metrics::k_version);
  settings.tracer = tracer;
  if (!options.jwt_secret.empty() || !options.jwt_public_key.empty()) {
    settings.verifier = std::make_shared<auth::jwt_verifier>(
        auth::jwt_settings{options.jwt_secret, options.jwt_public_key, options.jwt_user_claim});
  }
  return settings;
}
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // not a stop: reloads the TLS certificate (server::reload_tls)
  return set;
}
}  // namespace

void block_stop_signals() {
  const sigset_t stop = stop_signals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
}

server::server(const config::options& options)
    : options_(options),
      tracer_(tracing_settings(options)),
      loops_(make_loops(options)),
      store_(make_store(options, &tracer_)),
      cluster_(make_cluster(options)),
      chat_(executor_, chat_settings(options, &tracer_), store_.get(), cluster_.get(),
            cluster_.get()) {
  ws::prepare_accept_keys();
  site_.tracer = &tracer_;
  site_.files = http::static_files(options.web_root);
  site_.handshake_timeout = options.handshake_timeout;
  site_.origins = http::origin_policy(options.allowed_origins);
  site_.clients = http::client_address(options.trusted_proxies);
  site_.connections_per_address = http::address_limit(options.connections_per_ip);
  site_.upgrades_per_address =
      http::address_rate(options.accepts_per_second_per_ip, options.accepts_burst_per_ip);
  site_.max_header_fields = options.max_request_headers;
  site_.min_request_bytes_per_second = options.request_min_bytes_per_second;
  site_.ws_limits = {options.max_message_size, options.close_timeout, options.ping_interval};
  site_.compression = options.compression == "on";
  site_.websocket_routes.push_back(
      {"/chat/", [this](std::string_view target, std::size_t loop, std::string_view protocols,
                        std::string_view authorization) {
         auto member = chat_.make_member(target, loop, protocols, authorization);
         return http::websocket_application{std::move(member.handler), member.subprotocol};
       }});
  if (options.echo_endpoint) {
    site_.websocket_routes.push_back(
        {"/echo", [](std::string_view, std::size_t, std::string_view, std::string_view) {
           return http::websocket_application{std::make_unique<echo_handler>(), {}};
         }});
  }
  if (cluster_) {
    site_.dependencies_ready = [this] { return cluster_->connected(); };
    // Other nodes may have taken this one for dead: its users come back as newcomers rather
    // than chat on unlisted, under names others may hold by now.
    cluster_->on_lease_lapsed([this] {
      for (auto& loop : loops_) {
        loop->post([loop = loop.get()] {
          loop->restart_sessions("This node lost its place in the cluster; reconnect.");
        });
      }
    });
  }
  site_.api = [this](std::string_view path) -> std::optional<std::string> {
    if (path == "/api/rooms") return chat_.rooms_json();
    if (path.starts_with("/api/rooms/")) return chat_.room_json(path.substr(11));
    return std::nullopt;
  };

  auto handler_factory = [this](net::transport& transport) {
    return std::make_unique<http::request_handler>(transport, site_);
  };
  // One port (port 0: a free one, picked here) shared by every loop's listener (SO_REUSEPORT).
  const auto endpoint = claim_listen_endpoint(options);
  for (auto& loop : loops_) {
    listeners_.push_back(std::make_unique<net::listener>(*loop, endpoint, handler_factory));
  }
  port_ = endpoint.port();
  if (!options.tls_cert_file.empty()) {
    tls_ = std::make_shared<const net::tls_context>(options.tls_cert_file, options.tls_key_file);
    for (auto& listener : listeners_) listener->use_tls(tls_);
  }
  if (options.metrics_enabled) {
    metrics_ = std::make_unique<obs::metrics::exposer>(
        options.metrics_bind, options.metrics_port, loops_.size(), &tracer_,
        options.metrics_tls ? tls_ : nullptr, options.handshake_timeout);
  }
  if (options.memory_release_interval.count() > 0) {
    memory_release_ = std::make_unique<memory_release>(*loops_.front(), loops_.size(),
                                                       options.memory_release_interval,
                                                       options.memory_release_after_bytes);
  }
}

std::uint16_t server::metrics_port() const {
  return metrics_ ? metrics_->port() : 0;
}

server::~server() {
  for (auto& loop : loops_) loop->stop();  // before memory_release_ goes: its wait never runs
  cluster_.reset();                        // its threads call back into the rooms too
  if (store_) store_->close();             // its threads call back into the rooms
}

int server::run() {
  for (std::size_t i = 0; i < loops_.size(); ++i) listeners_[i]->start();
  for (auto& loop : loops_) loop->start();
  if (memory_release_) memory_release_->start();
  if (tracer_.enabled()) {
    tracer_.start_exporter();
    obs::trace_log().info("exporting spans to {} (service {}, new traces sampled at {})",
                          options_.tracing_endpoint, options_.tracing_service_name,
                          options_.tracing_sample_ratio);
  }
  if (metrics_) {
    obs::server_log().info("metrics on {}://{}:{}/metrics", metrics_->tls() ? "https" : "http",
                           options_.metrics_bind, metrics_->port());
  }
  obs::server_log().info("listening on {}://{}:{}/ with {} event loop{}", tls_ ? "https" : "http",
                         options_.bind_address, port_, loops_.size(),
                         loops_.size() == 1 ? "" : "s");

  // Synchronous: the signals are blocked everywhere (block_stop_signals), so none is lost to a
  // handler racing a thread that cannot take it, and one sent during start-up waits here.
  const sigset_t stop = stop_signals();
  int signal = 0;
  while (sigwait(&stop, &signal) != 0 || signal == SIGHUP) {
    if (signal == SIGHUP) reload_tls();
    signal = 0;
  }
  obs::server_log().info("received signal {}, shutting down", signal);
  drain();
  return 0;
}

void server::reload_tls() {
  if (!tls_) {
    obs::server_log().info("received SIGHUP: TLS is off, nothing to reload");
    return;
  }
  auto& counters = obs::metrics::for_loop(0);  // loop 0's: counted from its own thread
  try {
    auto fresh =
        std::make_shared<const net::tls_context>(options_.tls_cert_file, options_.tls_key_file);
    tls_ = fresh;
    if (metrics_) metrics_->use_tls(fresh);  // nothing when the metrics port is plain
    for (std::size_t i = 0; i < loops_.size(); ++i)
      loops_[i]->post([listener = listeners_[i].get(), fresh] { listener->use_tls(fresh); });
    loops_.front()->post([&counters] { counters.tls_reloads_ok.add(); });
    obs::server_log().info("received SIGHUP: reloaded the TLS certificate and key from {} and {}",
                           options_.tls_cert_file, options_.tls_key_file);
  } catch (const std::exception& error) {
    loops_.front()->post([&counters] { counters.tls_reloads_failed.add(); });
    obs::server_log().error("received SIGHUP: TLS reload failed, keeping the old certificate: {}",
                            error.what());
  }
}

void server::finish_posted_work() {
  std::mutex mutex;
  std::condition_variable done;
  std::size_t finished = 0;
  for (auto& loop : loops_) {
    loop->post([&] {
      std::lock_guard lock(mutex);
      ++finished;
      done.notify_one();
    });
  }
  std::unique_lock lock(mutex);
  if (!done.wait_for(lock, std::chrono::seconds(1), [&] { return finished == loops_.size(); })) {
    obs::server_log().warn("shutdown: a loop did not finish its work within 1 s");
    // The tasks above refer to this frame: the loops stop before it goes (stop() joins them).
    lock.unlock();
    for (auto& loop : loops_) loop->stop();
  }
}

void server::drain() {
  site_.ready.store(false, std::memory_order_relaxed);
  std::mutex mutex;
  std::condition_variable all_idle;
  std::vector<bool> idle(loops_.size(), false);
  std::size_t idle_count = 0;

  for (std::size_t i = 0; i < loops_.size(); ++i) {
    // Listeners stay open: /readyz keeps answering 503 to the load balancer while we drain.
    loops_[i]->post([&, i] {
      loops_[i]->begin_shutdown([&, i] {
        std::lock_guard lock(mutex);
        if (!idle[i]) {
          idle[i] = true;
          ++idle_count;
          all_idle.notify_one();
        }
      });
    });
  }
  std::unique_lock lock(mutex);
  const bool drained = all_idle.wait_for(lock, options_.shutdown_timeout,
                                         [&] { return idle_count == loops_.size(); });
  lock.unlock();
  if (!drained) obs::server_log().warn("shutdown timeout: closing the remaining connections");
  finish_posted_work();
  for (auto& loop : loops_) loop->stop();
  chat_.release();              // a clean stop: the rooms' ids continue without a gap
  if (store_) store_->close();  // writes what is queued
  tracer_.stop_exporter();      // after the loops: the closes' spans are queued by now
  obs::server_log().info("stopped");
}

}  // namespace parley::app
