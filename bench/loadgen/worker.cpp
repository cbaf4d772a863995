#include "worker.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <stdexcept>

#include "clock.hpp"
#include "room_plan.hpp"
#include "v1_event.hpp"

namespace parley::bench {

worker::worker(const options& opts, const sockaddr_in& server, unsigned index,
               const std::atomic<command>& cmd, const send_schedule& schedule)
    : opts_(opts),
      server_(server),
      index_(index),
      command_(cmd),
      schedule_(schedule),
      random_(std::random_device{}() ^ index),
      read_buffer_(new char[k_read_buffer]),
      max_in_flight_(std::max(1u, opts.connect_concurrency / opts.threads)) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error("epoll/eventfd failed");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = k_wake_tag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);

  const bool sends = opts.mode == run_mode::fanout || opts.mode == run_mode::storm;
  for (std::uint32_t c = index; c < opts.connections(); c += opts.threads) {
    client_connection& conn = connections_.emplace_back();
    conn.client = c;
    if (sends && c < opts.senders) {
      conn.sender_slot = static_cast<std::int32_t>(senders_.size());
      sender_state& s = senders_.emplace_back();
      s.connection = static_cast<std::uint32_t>(connections_.size() - 1);
      // The storm's client 0 seeds while it is alone in the room.
      s.recipients = opts.mode == run_mode::storm ? 1 : room_size(opts, room_of(opts, c));
      s.v1_head.resize(k_v1_send_head_max);
      s.v1_head.resize(write_v1_send_head(s.v1_head.data(), room_name(opts, room_of(opts, c))));
    }
  }
  if (sends) last_seq_.assign(std::size_t{connections_.size()} * opts.senders, 0);
}

worker::~worker() {
  for (auto& c : connections_)
    if (c.fd >= 0) ::close(c.fd);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void worker::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void worker::run() {
  constexpr int k_max_events = 512;
  epoll_event events[k_max_events];
  while (!stopping_) {
    start_connects();
    flush_all();
    publish();

    timespec timeout{}, *timeout_ptr = nullptr;
    if (const auto deadline = next_deadline(); deadline >= 0) {
      const auto wait = std::max<std::int64_t>(0, deadline - now_ns());
      timeout = {static_cast<time_t>(wait / 1'000'000'000),
                 static_cast<long>(wait % 1'000'000'000)};
      timeout_ptr = &timeout;
    }
    const int n = epoll_pwait2(epoll_fd_, events, k_max_events, timeout_ptr, nullptr);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == k_wake_tag) {
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
        continue;
      }
      on_event(connections_[events[i].data.u64], events[i].events);
    }
    handle_command();
    if (sending_) {
      const auto now = now_ns();
      if (now >= schedule_.measure_end) {
        sending_ = false;
        for (auto& s : senders_) s.pending = 0;
        publish();
        progress_.senders_done.store(true, std::memory_order_release);
      } else if (opts_.rate > 0) {
        schedule_rate_sends(now);
      }
    }
  }
  for (auto& c : connections_) close_connection(c);
  publish();
}

void worker::handle_command() {
  const command cmd = command_.load(std::memory_order_acquire);
  if (cmd == seen_command_) return;
  seen_command_ = cmd;
  if (cmd == command::start_sending) start_sending();
  if (cmd == command::seed) {
    for (auto& s : senders_) {
      s.pending = opts_.history;
      write_pending_messages(s, now_ns());
      queue_flush(connections_[s.connection]);
    }
  }
  if (cmd == command::disconnect) disconnect_for_storm();
  if (cmd == command::reconnect) {
    for (auto& c : connections_) c.since = schedule_.storm_since;
    next_connect_ = 0;  // start_connects opens the dropped ones
  }
  if (cmd == command::stop) stopping_ = true;
}

// Every client but 0 drops its connection (as in a network failure: no close frame) and is set
// to come back with since= when the reconnect command comes.
void worker::disconnect_for_storm() {
  for (auto& c : connections_) {
    if (c.client == 0) continue;
    close_connection(c);
    c.state = connection_state::not_started;
    c.resume = true;
    c.in_fragmented = false;
    c.fragments.clear();
  }
}

void worker::start_sending() {
  sending_ = true;
  if (senders_.empty()) return;
  if (opts_.rate > 0) return;  // schedule_rate_sends does it
  for (auto& s : senders_) {
    s.pending = opts_.window;
    queue_flush(connections_[s.connection]);
  }
}

// Global message j is due at warmup_start + j/rate and belongs to sender j % senders, so the
// senders take turns evenly. A late turn sends everything overdue: the offered rate stays honest.
void worker::schedule_rate_sends(std::int64_t now) {
  const double interval_ns = 1e9 / opts_.rate;
  for (;; ++next_rate_slot_) {
    const auto due = schedule_.warmup_start +
                     static_cast<std::int64_t>(static_cast<double>(next_rate_slot_) * interval_ns);
    if (due > now || due >= schedule_.measure_end) return;
    const auto sender = static_cast<std::uint32_t>(next_rate_slot_ % opts_.senders);
    if (sender % opts_.threads != index_) continue;
    client_connection& c = connections_[sender / opts_.threads];
    if (c.state != connection_state::open) continue;
    ++senders_[c.sender_slot].pending;
    queue_flush(c);
  }
}

// When the loop must wake without I/O: the next rate slot, or the end of sending. -1: never.
std::int64_t worker::next_deadline() const {
  if (!sending_) return -1;
  if (opts_.rate <= 0) return schedule_.measure_end;
  const auto due =
      schedule_.warmup_start +
      static_cast<std::int64_t>(static_cast<double>(next_rate_slot_) * 1e9 / opts_.rate);
  return std::min(due, schedule_.measure_end);
}

void worker::publish() {
  constexpr auto relaxed = std::memory_order_relaxed;
  progress_.greetings.store(totals_.greetings, relaxed);
  progress_.join_notices.store(totals_.join_notices, relaxed);
  progress_.deliveries.store(totals_.deliveries, relaxed);
  progress_.sent.store(totals_.sent, relaxed);
  progress_.expected_deliveries.store(totals_.expected_deliveries, relaxed);
  progress_.observer_leaves.store(totals_.observer_leaves, relaxed);
  if (!connections_.empty() && connections_[0].client == 0)
    progress_.observer_last_id.store(connections_[0].last_id, relaxed);
  progress_.resumed.store(totals_.resumed, relaxed);
  progress_.last_resumed_ns.store(totals_.last_resumed_ns, relaxed);
  progress_.errors.store(totals_.errors.total(), relaxed);
  progress_.last_join_ns.store(totals_.last_join_ns, relaxed);
}

}  // namespace parley::bench
