#include "net/connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <span>

#include "net/event_loop.hpp"
#include "obs/log.hpp"

namespace parley::net {
namespace asio = boost::asio;

namespace {
// How long a closing connection may take to take our last bytes, then to close its side.
constexpr std::chrono::seconds k_flush_timeout{5};
constexpr std::chrono::seconds k_linger_timeout{2};
// What a queue entry may cost besides its bytes: the reference in the queue and, for a frame of
// its own (a pong, an HTTP response), the shared block, the string and allocator slack; so that a
// flood of tiny frames is bounded by the cap too.
constexpr std::size_t k_queue_entry_overhead = 96;
// Sent entries are compacted away once there are this many (amortised O(1) per entry).
constexpr std::size_t k_compact_after = 1024;
// Reads per readiness event before yielding to other connections on the loop.
constexpr int k_reads_per_wakeup = 4;
// Buffers per gather write (Linux takes up to 1024, IOV_MAX). Written with sendmsg directly:
// Asio's write_some passes at most 64, and a busy turn queues more frames than that.
constexpr std::size_t k_max_gather = 512;

bool would_block(int error) {
  return error == EAGAIN || error == EWOULDBLOCK;
}
}  // namespace

connection::connection(event_loop& loop, int fd)
    : loop_(loop), fd_(fd), deadline_slot_(deadline_queue::k_none) {}

connection::~connection() {
  loop_.deadlines().cancel(*this);
  close_socket();
}

void connection::start(std::unique_ptr<connection_handler> handler) {
  const int on = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // we cork ourselves
  // A bounded send buffer, so that the output limits count most of what the peer left unread.
  if (const auto size = loop_.limits().socket_send_buffer; size > 0) {
    const int bytes = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  }
  handler_.set(std::move(handler));
  self_ = shared_from_this();
  loop_.metrics().connections_opened.add();
  loop_.add_connection(this);
  if (!loop_.watch(*this)) {
    obs::net_log().warn("cannot watch a new connection: {}", std::strerror(errno));
    finish();
  }
}

void connection::on_ready(std::uint32_t events) {
  if (state_ == state::closed) return;  // finished earlier in this wakeup
  if (waiting_writable_ && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
    waiting_writable_ = false;
    loop_.watch_writable(*this, false);
    flush();
  }
  if (state_ != state::closed && (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) != 0)
    on_readable();
}

void connection::shutdown() {
  if (state_ == state::open) handler_->on_shutdown();
}

std::size_t connection::loop_index() const {
  return loop_.index();
}

std::string connection::remote_address() const {
  if (fd_ < 0) return {};
  asio::ip::tcp::endpoint peer;
  auto size = static_cast<socklen_t>(peer.capacity());
  if (::getpeername(fd_, peer.data(), &size) != 0) return {};
  peer.resize(size);
  const auto address = peer.address().to_string();
  const auto port = std::to_string(peer.port());
  return peer.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

void connection::on_readable() {
  const auto buffer = loop_.receive_buffer();
  // What is left after the last round is reported again by the (level-triggered) epoll set.
  for (int round = 0; round < k_reads_per_wakeup && state_ != state::closed; ++round) {
    const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0 && would_block(errno)) break;
    if (received <= 0) {  // end of stream or reset
      finish();
      return;
    }
    const auto size = static_cast<std::size_t>(received);
    loop_.metrics().bytes_in.add(size);
    if (state_ == state::open)
      handler_.deliver(buffer.first(size), [this] { return state_ == state::open; });
    if (size < buffer.size()) break;
  }
}

void connection::send(const shared_bytes& bytes) {
  if (!admit(bytes->size())) return;
  enqueue(loop_.bytes_pool().share(bytes));
}

bool connection::admit(std::size_t size) {
  if (state_ != state::open || slow_consumer_) return false;
  queued_bytes_ += size + k_queue_entry_overhead;
  if (queued_bytes_ > loop_.limits().soft && over_output_limits()) {
    give_up_on_slow_consumer();
    return false;
  }
  return true;
}

bool connection::over_output_limits() {
  const output_limits& limits = loop_.limits();
  if (queued_bytes_ > limits.hard) return true;
  const auto now = std::chrono::steady_clock::now();
  if (above_soft_since_ == std::chrono::steady_clock::time_point{}) {
    above_soft_since_ = now;
    watch_soft_limit(now);
    return false;
  }
  return now - above_soft_since_ >= limits.grace;
}

void connection::watch_soft_limit(std::chrono::steady_clock::time_point since) {
  if (soft_watched_) return;  // its check comes, and watches again from the newer `since`
  soft_watched_ = true;
  loop_.soft_limits().watch(shared_from_this(), since + loop_.limits().grace);
}

void connection::on_grace_over() {
  soft_watched_ = false;
  if (state_ != state::open || slow_consumer_) return;
  if (above_soft_since_ == std::chrono::steady_clock::time_point{}) return;  // it caught up
  if (std::chrono::steady_clock::now() - above_soft_since_ >= loop_.limits().grace) {
    give_up_on_slow_consumer();
  } else {
    watch_soft_limit(above_soft_since_);  // it caught up, then fell behind again later
  }
}

void connection::give_up_on_slow_consumer() {
  slow_consumer_ = true;
  loop_.metrics().slow_consumer_closes.add();
  obs::net_log().warn("slow consumer: {} bytes left unread{}; closing it", queued_bytes_,
                      queued_bytes_ > loop_.limits().hard ? "" : " for the whole grace period");
  // Drop everything not yet begun; a frame partly sent must be finished to keep the stream whole.
  const std::size_t keep = queue_head_ < queue_.size() && queue_offset_ > 0 ? 1 : 0;
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_ + keep), queue_.end());
  const std::size_t before = queued_bytes_;
  queued_bytes_ =
      keep == 0 ? 0 : queue_[queue_head_]->size() - queue_offset_ + k_queue_entry_overhead;
  loop_.metrics().output_dropped.add(before - queued_bytes_);
  above_soft_since_ = {};
  // Told from a fresh handler call: this send may come from inside a room's delivery loop.
  loop_.post([self = shared_from_this()] {
    if (self->state_ != state::open) return;
    self->slow_consumer_ = false;
    self->handler_->on_slow_consumer();
  });
}

void connection::send_last(std::string bytes) {
  if (state_ != state::open) return;
  queued_bytes_ += bytes.size() + k_queue_entry_overhead;
  enqueue(loop_.bytes_pool().own(std::make_shared<const std::string>(std::move(bytes))));
}

void connection::send(std::string bytes) {
  if (!admit(bytes.size())) return;
  enqueue(loop_.bytes_pool().own(std::make_shared<const std::string>(std::move(bytes))));
}

void connection::enqueue(local_ref bytes) {
  if (queue_.capacity() == 0) queue_.reserve(std::max<std::size_t>(last_batch_, 1));
  queue_.push_back(std::move(bytes));
  schedule_flush();
}

void connection::schedule_flush() {
  if (flush_scheduled_ || waiting_writable_) return;
  flush_scheduled_ = true;
  loop_.defer_flush(shared_from_this());
}

void connection::flush() {
  flush_scheduled_ = false;
  if (state_ != state::open && state_ != state::closing) return;
  std::array<iovec, k_max_gather> gather;
  while (queue_head_ < queue_.size()) {
    std::size_t count = 0;
    for (; queue_head_ + count < queue_.size() && count < k_max_gather; ++count) {
      const std::string& bytes = *queue_[queue_head_ + count];
      const std::size_t skip = count == 0 ? queue_offset_ : 0;
      gather[count] = {const_cast<char*>(bytes.data() + skip), bytes.size() - skip};
    }
    msghdr message{};
    message.msg_iov = gather.data();
    message.msg_iovlen = count;
    const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) {
        wait_writable();
        break;
      }
      finish();
      return;
    }
    auto written = static_cast<std::size_t>(sent);
    loop_.metrics().bytes_out.add(written);
    while (written > 0) {
      const std::size_t left = queue_[queue_head_]->size() - queue_offset_;
      if (written < left) {
        queue_offset_ += written;
        queued_bytes_ -= written;
        break;
      }
      written -= left;
      queued_bytes_ -= left + k_queue_entry_overhead;
      queue_offset_ = 0;
      queue_[queue_head_++].reset();
    }
  }
  if (queued_bytes_ <= loop_.limits().soft) above_soft_since_ = {};
  if (queue_head_ == queue_.size()) {
    last_batch_ = static_cast<std::uint16_t>(std::min(queue_.size(), k_max_gather));
    release_queue();
    if (state_ == state::closing) begin_drain();
  } else if (queue_head_ >= k_compact_after && queue_head_ * 2 >= queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    queue_head_ = 0;
  }
}

void connection::release_queue() {
  // Freed, not kept: a busy connection allocates its next queue once, at the size its last flush
  // wrote (see enqueue()), and an idle one after a burst keeps nothing.
  std::vector<local_ref>().swap(queue_);
  queue_head_ = 0;
  queue_offset_ = 0;
  queued_bytes_ = 0;
  above_soft_since_ = {};
}

void connection::wait_writable() {
  waiting_writable_ = true;
  if (!loop_.watch_writable(*this, true)) finish();
}

void connection::close_after_flush() {
  if (state_ != state::open) return;
  state_ = state::closing;
  // A peer that stopped reading would keep a closing connection forever: give the flush a deadline.
  start_timer(k_flush_timeout);
  if (queue_head_ == queue_.size() && !waiting_writable_) {
    begin_drain();
  } else {
    schedule_flush();
  }
}

void connection::begin_drain() {
  state_ = state::draining;
  if (::shutdown(fd_, SHUT_WR) != 0) {
    finish();
    return;
  }
  start_timer(k_linger_timeout);
}

void connection::close_now() {
  finish();
}

void connection::start_timer(std::chrono::milliseconds delay) {
  if (state_ == state::closed) return;  // nothing left to time
  loop_.deadlines().schedule(*this, std::chrono::steady_clock::now() + delay);
}

void connection::cancel_timer() {
  loop_.deadlines().cancel(*this);
}

void connection::on_deadline() {
  if (state_ == state::open) {
    handler_->on_timeout();
  } else if (state_ != state::closed) {
    finish();  // a closing connection's flush or linger deadline
  }
}

void connection::replace_handler(std::unique_ptr<connection_handler> handler) {
  upgraded_ = true;
  handler_.set(std::move(handler));
}

void connection::finish() {
  if (state_ == state::closed) return;
  state_ = state::closed;
  cancel_timer();
  close_socket();  // which takes it out of the loop's epoll set
  const std::size_t dropped = queued_bytes_;
  release_queue();
  // Counted once freed: loop 0's memory release may trim as soon as it sees the count.
  loop_.metrics().output_dropped.add(dropped);
  handler_.drop_leftover();
  auto& metrics = loop_.metrics();
  (upgraded_ ? metrics.connections_closed_websocket : metrics.connections_closed_http).add();
  loop_.remove_connection(this);
  // Told from a fresh handler call, never re-entrantly from inside the handler's own on_data.
  loop_.post([self = std::move(self_)] {
    if (self->handler_) self->handler_->on_disconnect();
    self->handler_.reset();
  });
}

void connection::abandon() {
  state_ = state::closed;
  close_socket();
  self_.reset();  // may destroy this
}

void connection::close_socket() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
}

}  // namespace parley::net
