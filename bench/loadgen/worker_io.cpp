#include <errno.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "clock.hpp"
#include "handshake.hpp"
#include "room_plan.hpp"
#include "worker.hpp"

namespace parley::bench {

void worker::start_connects() {
  while (handshakes_in_flight_ < max_in_flight_ && next_connect_ < connections_.size() &&
         !stopping_) {
    client_connection& c = connections_[next_connect_++];
    if (c.state == connection_state::not_started) open_connection(c);
  }
}

void worker::open_connection(client_connection& c) {
  c.state = connection_state::connecting;
  ++handshakes_in_flight_;
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) return fail(c, totals_.errors.connect_failed);
  const int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  // Edge-triggered, in and out at once: no epoll_ctl ever again for this socket.
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = static_cast<std::uint64_t>(&c - connections_.data());
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) != 0)
    return fail(c, totals_.errors.connect_failed);
  if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&server_), sizeof server_) != 0 &&
      errno != EINPROGRESS)
    return fail(c, totals_.errors.connect_failed);
  // Completion (even an immediate one) arrives as EPOLLOUT.
}

void worker::on_event(client_connection& c, std::uint32_t events) {
  if (c.state == connection_state::connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    on_connected(c);
    if (c.state == connection_state::closed) return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    on_readable(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
  if ((events & EPOLLOUT) && c.state != connection_state::closed && c.out_written < c.out.size())
    queue_flush(c);
}

void worker::on_connected(client_connection& c) {
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
    return fail(c, totals_.errors.connect_failed);
  char name[64];
  const int name_size =
      std::snprintf(name, sizeof name, "%s%u", opts_.name_prefix.c_str(), c.client);
  auto h =
      make_handshake(opts_.host, opts_.port, {name, static_cast<std::size_t>(name_size)},
                     handshake_query(c), subprotocol(opts_), random_,
                     opts_.compression ? "permessage-deflate; client_no_context_takeover" : "");
  c.expected_accept = std::move(h.expected_accept);
  c.out.assign(h.request.begin(), h.request.end());
  c.state = connection_state::handshaking;
  flush(c);
}

// "&room=R" unless there is one room (the tutorial's URL), then "&since=N" when resuming.
std::string worker::handshake_query(const client_connection& c) const {
  std::string query;
  if (opts_.rooms > 1) query = "&room=" + room_name(opts_, room_of(opts_, c.client));
  if (c.resume) query += "&since=" + std::to_string(c.since);
  return query;
}

// Reads until the socket is empty (a short read says so; with EPOLLRDHUP, until EOF). The
// shared buffer starts with the connection's leftover so frames are parsed in place.
void worker::on_readable(client_connection& c, bool drain_to_eof) {
  char* buffer = read_buffer_.get();
  while (c.state == connection_state::handshaking || c.state == connection_state::open) {
    const std::size_t have = c.leftover.size();
    if (have) std::memcpy(buffer, c.leftover.data(), have);
    const std::size_t room = k_read_buffer - have;
    const ssize_t n = ::read(c.fd, buffer + have, room);
    if (n > 0) {
      now_ = now_ns();
      const std::size_t total = have + static_cast<std::size_t>(n);
      const std::size_t used = consume(c, buffer, total);
      if (c.state == connection_state::closed) return;
      c.leftover.assign(buffer + used, buffer + total);
      if (static_cast<std::size_t>(n) < room && !drain_to_eof) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    // EOF or reset: expected only once we are stopping.
    if (stopping_) return close_connection(c);
    return fail(c, c.state == connection_state::handshaking ? totals_.errors.handshake_failed
                                                            : totals_.errors.unexpected_close);
  }
}

void worker::queue_flush(client_connection& c) {
  if (c.queued_for_flush) return;
  c.queued_for_flush = true;
  flush_list_.push_back(static_cast<std::uint32_t>(&c - connections_.data()));
}

// Once per loop turn: senders write their due messages, then every queued connection gets one
// write() of everything it has (the kernel coalesces, like a cork).
void worker::flush_all() {
  if (flush_list_.empty()) return;
  const auto now = now_ns();
  for (const auto index : flush_list_) {
    client_connection& c = connections_[index];
    c.queued_for_flush = false;
    if (c.state == connection_state::closed) continue;
    if (c.sender_slot >= 0 && sending_) write_pending_messages(senders_[c.sender_slot], now);
    flush(c);
  }
  flush_list_.clear();
}

void worker::flush(client_connection& c) {
  while (c.out_written < c.out.size()) {
    const ssize_t n = ::write(c.fd, c.out.data() + c.out_written, c.out.size() - c.out_written);
    if (n > 0) {
      c.out_written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // EPOLLOUT will say when
    if (stopping_) return close_connection(c);
    return fail(c, totals_.errors.unexpected_close);
  }
  c.out.clear();  // keeps its capacity: no allocation per message
  c.out_written = 0;
}

void worker::close_connection(client_connection& c) {
  if (c.state == connection_state::connecting || c.state == connection_state::handshaking)
    --handshakes_in_flight_;
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
  c.state = connection_state::closed;
  c.leftover = {};
  c.out = {};
  c.out_written = 0;
}

void worker::fail(client_connection& c, std::uint64_t& counter) {
  ++counter;
  close_connection(c);
}

}  // namespace parley::bench
