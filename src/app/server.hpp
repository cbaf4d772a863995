#pragma once

#include <memory>
#include <vector>

#include "chat/executor.hpp"
#include "chat/service.hpp"
#include "config/options.hpp"
#include "http/site.hpp"
#include "net/event_loop.hpp"
#include "net/listener.hpp"
#include "obs/metrics/exposer.hpp"
#include "obs/tracing/tracer.hpp"
#include "store/history_store.hpp"

namespace parley::cluster {
class cluster_link;
}

namespace parley::app {

class memory_release;

// The executor the chat layer posts through: the server's event loops. From a loop's thread,
// the tasks for each other loop are gathered and cross in one post per loop turn.
class loop_executor final : public chat::executor {
 public:
  explicit loop_executor(std::vector<std::unique_ptr<net::event_loop>>& loops) : loops_(loops) {}
  [[nodiscard]] std::size_t loop_count() const override { return loops_.size(); }
  void post(std::size_t loop, std::function<void()> task) override {
    if (auto* here = net::event_loop::current()) {
      here->post_batched(*loops_[loop], std::move(task));
    } else {
      loops_[loop]->post(std::move(task));
    }
  }

 private:
  std::vector<std::unique_ptr<net::event_loop>>& loops_;
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and the threads it starts from then on;
// call first thing in main, so that server::run can take them with sigwait (never lost, never
// fatal, also during start-up).
void block_stop_signals();

// The whole server: event loops, listeners, the HTTP site and the chat, wired together.
class server {
 public:
  // Binds the port; throws std::exception with a clear message when it cannot.
  explicit server(const config::options& options);
  ~server();

  std::uint16_t port() const { return port_; }
  // The metrics port (0 when metrics are off).
  std::uint16_t metrics_port() const;

  // Serves until SIGTERM or SIGINT, then drains (close 1001 to every WebSocket, up to the
  // shutdown timeout) and returns the process exit code. SIGHUP reloads the TLS certificate.
  int run();

 private:
  void drain();
  // Waits until every loop has run what was posted to it so far: a close on one loop posts the
  // leave to the room's home loop, which must record it before the loops stop.
  void finish_posted_work();
  // Reads tls.cert_file and tls.key_file again into a new context for new connections (the
  // metrics port's too, with metrics.tls); open ones keep theirs. A failure is logged and
  // counted, and the old context stays.
  void reload_tls();

  config::options options_;
  obs::tracing::tracer tracer_;  // outlives the loops, whose queued tasks may hold spans
  std::vector<std::unique_ptr<net::event_loop>> loops_;  // destroyed after all that uses them
  loop_executor executor_{loops_};
  // Before the chat, whose rooms hold its logs; closed (threads joined) before the chat goes.
  std::unique_ptr<store::history_store> store_;     // none: storage.engine = memory, or a cluster
  std::unique_ptr<cluster::cluster_link> cluster_;  // none: one node (cluster.redis empty)
  chat::service chat_;
  http::site site_;
  std::vector<std::unique_ptr<net::listener>> listeners_;  // listeners_[i] runs on loops_[i]
  std::unique_ptr<obs::metrics::exposer> metrics_;         // when metrics.enabled
  net::shared_tls_context tls_;  // when tls.cert_file and tls.key_file; replaced by reloads
  std::unique_ptr<memory_release> memory_release_;  // on loops_[0]; when memory.release_interval_ms
  std::uint16_t port_ = 0;
};

}  // namespace parley::app
