#include "run.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "clock.hpp"
#include "process_probe.hpp"
#include "room_plan.hpp"

namespace parley::bench {
namespace {

sockaddr_in resolve(const options& opts) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(opts.host.c_str(), nullptr, &hints, &found) != 0 || !found)
    throw std::runtime_error("cannot resolve host " + opts.host);
  sockaddr_in address;
  std::memcpy(&address, found->ai_addr, sizeof address);
  freeaddrinfo(found);
  address.sin_port = htons(opts.port);
  return address;
}

void sleep_until_ns(std::int64_t t) {
  const auto wait = t - now_ns();
  if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
}

// The controller: owns the workers and their threads, and watches their published progress.
class controller {
 public:
  controller(const options& opts) : opts_(opts), server_(resolve(opts)) {
    for (unsigned i = 0; i < opts.threads; ++i)
      workers_.push_back(std::make_unique<worker>(opts, server_, i, command_, schedule_));
  }

  void start() {
    start_ns_ = now_ns();
    for (auto& w : workers_) threads_.emplace_back([&w] { w->run(); });
  }

  void send(command cmd) {
    command_.store(cmd, std::memory_order_release);
    for (auto& w : workers_) w->wake();
  }

  void stop() {
    send(command::stop);
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  template <typename F>
  std::uint64_t sum(F field) {
    std::uint64_t total = 0;
    for (auto& w : workers_) total += (w->published().*field).load(std::memory_order_relaxed);
    return total;
  }

  // Polls `done` every 2 ms until it holds or `timeout_s` passes; false on timeout.
  template <typename F>
  bool wait_for(F done, double timeout_s) {
    const auto deadline = now_ns() + seconds_to_ns(timeout_s);
    while (!done()) {
      if (now_ns() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // Every client greeted and every join notice delivered. Gives up early when connections
  // failed and nothing has moved for 2 s (the count can then never be reached).
  bool wait_joined(run_report& r) {
    const std::uint64_t n = opts_.connections();
    r.expected_join_notices = expected_join_notices(opts_);
    std::uint64_t last_seen = 0;
    auto last_change = now_ns();
    const bool joined = wait_for(
        [&] {
          const auto greetings = sum(&progress::greetings);
          const auto joins = sum(&progress::join_notices);
          if (greetings == n && joins >= r.expected_join_notices) return true;
          if (greetings + joins != last_seen) {
            last_seen = greetings + joins;
            last_change = now_ns();
          }
          return sum(&progress::errors) > 0 && now_ns() - last_change > seconds_to_ns(2);
        },
        opts_.timeout_s);
    std::int64_t last_join = 0;
    for (auto& w : workers_)
      last_join = std::max(last_join, w->published().last_join_ns.load(std::memory_order_relaxed));
    const bool ok = joined && sum(&progress::errors) == 0;
    if (ok) r.connect_s = (last_join - start_ns_) / 1e9;
    return ok;
  }

  // Fanout after the joins: warmup, measured window, then the drain until every client has
  // every message.
  void fanout(run_report& r) {
    const auto start = now_ns();
    schedule_.warmup_start = start;
    schedule_.measure_start = start + seconds_to_ns(opts_.warmup_s);
    schedule_.measure_end = schedule_.measure_start + seconds_to_ns(opts_.duration_s);
    send(command::start_sending);

    sleep_until_ns(schedule_.measure_start);
    const double own_cpu0 = own_cpu_seconds();
    const double server_cpu0 = opts_.server_pid ? read_cpu_seconds(opts_.server_pid) : -1;
    sleep_until_ns(schedule_.measure_end);
    const double window_s = (now_ns() - schedule_.measure_start) / 1e9;
    r.loadgen_cpu_util = (own_cpu_seconds() - own_cpu0) / window_s;
    if (server_cpu0 >= 0)
      r.server_cpu_util = (read_cpu_seconds(opts_.server_pid) - server_cpu0) / window_s;

    if (!wait_for([&] { return all_senders_done(); }, opts_.timeout_s)) ++r.errors.timeouts;
    if (!wait_delivered()) ++r.errors.timeouts;
  }

  // Every message sent has reached every member of its room (or the timeout passed).
  bool wait_delivered() {
    const std::uint64_t expected = sum(&progress::expected_deliveries);
    return wait_for([&] { return sum(&progress::deliveries) >= expected; }, opts_.timeout_s);
  }

  // Storm after the joins: clients 1..N drop their connections (their names are free once
  // client 0 has seen every leave); while they are away client 0 sends --history messages; then
  // all reconnect at once with since = the room's last id - --since-back. storm_s runs from the
  // reconnect command to the last joined (which carries the replay).
  void storm(run_report& r) {
    const std::uint64_t n = opts_.clients;
    send(command::disconnect);
    if (!wait_for([&] { return sum(&progress::observer_leaves) >= n; }, opts_.timeout_s))
      return void(++r.errors.timeouts);
    schedule_.warmup_start = now_ns();
    schedule_.measure_start = schedule_.measure_end = std::numeric_limits<std::int64_t>::max();
    send(command::seed);
    if (!wait_for([&] { return sum(&progress::sent) >= opts_.history; }, opts_.timeout_s) ||
        !wait_delivered())
      return void(++r.errors.timeouts);
    const std::uint64_t last_id = workers_[0]->published().observer_last_id.load();
    schedule_.storm_since = last_id > opts_.since_back ? last_id - opts_.since_back : 0;

    const double server_cpu0 = opts_.server_pid ? read_cpu_seconds(opts_.server_pid) : -1;
    const auto start = now_ns();
    send(command::reconnect);
    if (!wait_for([&] { return sum(&progress::resumed) >= n; }, opts_.timeout_s))
      return void(++r.errors.timeouts);
    std::int64_t last = 0;
    for (auto& w : workers_)
      last = std::max(last, w->published().last_resumed_ns.load(std::memory_order_relaxed));
    r.storm_s = (last - start) / 1e9;
    // Then every join notice of the reconnects: n to client 0, n(n-1)/2 among themselves.
    const std::uint64_t notices = r.expected_join_notices + n + n * (n - 1) / 2;
    if (!wait_for([&] { return sum(&progress::join_notices) >= notices; }, opts_.timeout_s))
      return void(++r.errors.timeouts);
    r.storm_all_s = (now_ns() - start) / 1e9;
    if (server_cpu0 >= 0) r.storm_server_cpu_s = read_cpu_seconds(opts_.server_pid) - server_cpu0;
  }

  bool all_senders_done() {
    for (auto& w : workers_)
      if (!w->published().senders_done.load(std::memory_order_acquire)) return false;
    return true;
  }

  // Adds up the workers' totals; call after stop().
  void collect(run_report& r) {
    for (auto& w : workers_) {
      const worker_totals& t = w->totals();
      r.greetings += t.greetings;
      r.join_notices += t.join_notices;
      r.leaves += t.leaves;
      r.other_lines += t.other_lines;
      r.pings += t.pings;
      r.messages_sent += t.sent;
      r.expected_deliveries += t.expected_deliveries;
      r.resumed += t.resumed;
      r.replayed += t.replayed;
      r.replay_gaps += t.replay_gaps;
      if (t.resumed) {
        const auto fewest = static_cast<std::int64_t>(t.replay_min);
        r.replay_min = r.replay_min < 0 ? fewest : std::min(r.replay_min, fewest);
      }
      r.messages_sent_measured += t.sent_measured;
      r.deliveries += t.deliveries;
      r.deliveries_measured += t.deliveries_measured;
      r.out_of_order += t.out_of_order;
      r.seq_gaps += t.seq_gaps;
      r.errors.connect_failed += t.errors.connect_failed;
      r.errors.handshake_failed += t.errors.handshake_failed;
      r.errors.unexpected_close += t.errors.unexpected_close;
      r.errors.protocol += t.errors.protocol;
      r.latency.merge(t.latency);
    }
    r.lost = r.expected_deliveries > r.deliveries ? r.expected_deliveries - r.deliveries : 0;
    if (opts_.duration_s > 0) {
      r.messages_per_s = r.messages_sent_measured / opts_.duration_s;
      r.deliveries_per_s = r.deliveries_measured / opts_.duration_s;
    }
    r.wall_s = (now_ns() - start_ns_) / 1e9;
  }

 private:
  const options& opts_;
  sockaddr_in server_;
  std::atomic<command> command_{command::connect};
  send_schedule schedule_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<std::thread> threads_;
  std::int64_t start_ns_ = 0;
};

// After `settle_s` quiet seconds, reads the server's RSS each second until two readings agree
// within 1% (at most 10 s).
std::int64_t settled_rss(int pid, double settle_s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(settle_s));
  std::int64_t previous = read_rss_bytes(pid);
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::int64_t current = read_rss_bytes(pid);
    if (std::llabs(current - previous) <= previous / 100) return current;
    previous = current;
  }
  return previous;
}

}  // namespace

run_report run(const options& opts) {
  run_report r;
  controller c(opts);
  const int pid = opts.server_pid;
  if (pid) r.rss_before = read_rss_bytes(pid);

  const double own_cpu0 = own_cpu_seconds();
  const double server_cpu0 = pid ? read_cpu_seconds(pid) : -1;
  const auto join_start = now_ns();
  c.start();
  const bool joined = c.wait_joined(r);
  if (opts.mode != run_mode::fanout) {  // fanout reports its measured window instead
    const double join_s = (now_ns() - join_start) / 1e9;
    r.loadgen_cpu_util = (own_cpu_seconds() - own_cpu0) / join_s;
    if (server_cpu0 >= 0) r.server_cpu_util = (read_cpu_seconds(pid) - server_cpu0) / join_s;
  }
  if (!joined && c.sum(&progress::errors) == 0) ++r.errors.timeouts;
  if (joined && opts.mode == run_mode::fanout) c.fanout(r);
  if (joined && opts.mode == run_mode::storm) c.storm(r);
  if (pid)
    r.rss_after =
        opts.mode == run_mode::idle ? settled_rss(pid, opts.settle_s) : read_rss_bytes(pid);
  if (joined && opts.mode == run_mode::idle && opts.hold_s > 0)
    std::this_thread::sleep_for(std::chrono::duration<double>(opts.hold_s));

  c.stop();
  c.collect(r);
  if (r.rss_before >= 0 && r.rss_after >= 0)
    r.rss_per_conn = static_cast<double>(r.rss_after - r.rss_before) / opts.clients;
  r.loadgen_cpu_s = own_cpu_seconds();
  return r;
}

}  // namespace parley::bench
