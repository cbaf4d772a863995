#include "net/connection.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <cerrno>
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
// Queue entries an emptied queue keeps room for at least (16 bytes each).
constexpr std::size_t k_idle_queue_capacity = 4;

bool would_block(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}
}  // namespace

connection::connection(event_loop& loop, asio::ip::tcp::socket socket, output_limits limits)
    : loop_(loop),
      socket_(std::move(socket)),
      limits_(limits),
      deadline_slot_(deadline_queue::k_none) {
  limits_.soft = std::min(limits_.soft, limits_.hard);  // the hard limit is checked above the soft
}

connection::~connection() {
  loop_.deadlines().cancel(*this);
}

void connection::start(std::unique_ptr<connection_handler> handler) {
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);  // we cork ourselves
  handler_ = std::move(handler);
  loop_.metrics().connections_opened.add();
  loop_.add_connection(this);
  wait_readable();
}

void connection::shutdown() {
  if (state_ == state::open) handler_->on_shutdown();
}

std::size_t connection::loop_index() const {
  return loop_.index();
}

std::string connection::remote_address() const {
  boost::system::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  if (ec) return {};
  const auto address = peer.address().to_string();
  const auto port = std::to_string(peer.port());
  return peer.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

void connection::wait_readable() {
  socket_.async_wait(asio::socket_base::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (!ec && self->state_ != state::closed) self->on_readable();
                     });
}

void connection::on_readable() {
  const auto buffer = loop_.receive_buffer();
  for (int round = 0; round < k_reads_per_wakeup && state_ != state::closed; ++round) {
    boost::system::error_code ec;
    const std::size_t size = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), ec);
    if (would_block(ec)) break;
    if (ec) {  // end of stream or reset
      finish();
      return;
    }
    loop_.metrics().bytes_in.add(size);
    if (state_ == state::open) deliver(buffer.first(size));
    if (size < buffer.size()) break;
  }
  if (state_ != state::closed) wait_readable();
}

void connection::deliver(std::span<char> bytes) {
  if (leftover_.empty()) {
    const std::size_t used = offer(bytes);
    if (state_ == state::open && used < bytes.size())
      leftover_.assign(bytes.data() + used, bytes.size() - used);
    return;
  }
  leftover_.append(bytes.data(), bytes.size());
  const std::size_t used = offer(std::span<char>(leftover_.data(), leftover_.size()));
  if (state_ != state::open) {
    leftover_.clear();
    leftover_.shrink_to_fit();
    return;
  }
  leftover_.erase(0, used);
  // An idle connection keeps no buffer, and a small partial message no large one.
  if (leftover_.empty() || leftover_.capacity() > 4 * leftover_.size() + 4096)
    leftover_.shrink_to_fit();
}

std::size_t connection::offer(std::span<char> bytes) {
  std::size_t used = 0;
  while (state_ == state::open) {
    connection_handler* current = handler_.get();
    in_on_data_ = true;
    used += current->on_data(bytes.subspan(used));
    in_on_data_ = false;
    retired_handler_.reset();
    // A new handler (after an upgrade) gets the bytes the old one did not take.
    if (handler_.get() == current || used == bytes.size()) break;
  }
  return used;
}

void connection::send(const shared_bytes& bytes) {
  if (!admit(bytes->size())) return;
  queue_.push_back(loop_.bytes_pool().share(bytes));
  schedule_flush();
}

bool connection::admit(std::size_t size) {
  if (state_ != state::open || slow_consumer_) return false;
  queued_bytes_ += size + k_queue_entry_overhead;
  if (queued_bytes_ > limits_.soft && over_output_limits()) {
    give_up_on_slow_consumer();
    return false;
  }
  return true;
}

bool connection::over_output_limits() {
  if (queued_bytes_ > limits_.hard) return true;
  const auto now = std::chrono::steady_clock::now();
  if (above_soft_since_ == std::chrono::steady_clock::time_point{}) {
    above_soft_since_ = now;
    return false;
  }
  return now - above_soft_since_ >= limits_.grace;
}

void connection::give_up_on_slow_consumer() {
  slow_consumer_ = true;
  loop_.metrics().slow_consumer_closes.add();
  obs::net_log().warn("slow consumer: {} bytes left unread{}; closing it", queued_bytes_,
                      queued_bytes_ > limits_.hard ? "" : " for the whole grace period");
  // Drop everything not yet begun; a frame partly sent must be finished to keep the stream whole.
  const std::size_t keep = queue_head_ < queue_.size() && queue_offset_ > 0 ? 1 : 0;
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_ + keep), queue_.end());
  queued_bytes_ =
      keep == 0 ? 0 : queue_[queue_head_]->size() - queue_offset_ + k_queue_entry_overhead;
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
  queue_.push_back(loop_.bytes_pool().own(std::make_shared<const std::string>(std::move(bytes))));
  schedule_flush();
}

void connection::send(std::string bytes) {
  if (!admit(bytes.size())) return;
  queue_.push_back(loop_.bytes_pool().own(std::make_shared<const std::string>(std::move(bytes))));
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
    const ssize_t sent = ::sendmsg(socket_.native_handle(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
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
  if (queued_bytes_ <= limits_.soft) above_soft_since_ = {};
  if (queue_head_ == queue_.size()) {
    release_queue(queue_.size());
    if (state_ == state::closing) begin_drain();
  } else if (queue_head_ >= k_compact_after && queue_head_ * 2 >= queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    queue_head_ = 0;
  }
}

void connection::release_queue(std::size_t recently_used) {
  queue_.clear();
  queue_head_ = 0;
  queue_offset_ = 0;
  queued_bytes_ = 0;
  above_soft_since_ = {};
  // A busy connection keeps the room its turns need; one whose traffic dropped (an idle one after
  // a burst) gives the rest back.
  if (queue_.capacity() > std::max(k_idle_queue_capacity, 2 * recently_used)) {
    std::vector<local_ref> smaller;
    smaller.reserve(std::min(recently_used, k_max_gather));
    queue_.swap(smaller);
  }
}

void connection::wait_writable() {
  waiting_writable_ = true;
  socket_.async_wait(asio::socket_base::wait_write,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->waiting_writable_ = false;
                       if (!ec) self->flush();
                     });
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
  boost::system::error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_send, ec);
  if (ec) {
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
  if (in_on_data_) retired_handler_ = std::move(handler_);
  handler_ = std::move(handler);
}

void connection::finish() {
  if (state_ == state::closed) return;
  state_ = state::closed;
  cancel_timer();
  boost::system::error_code ec;
  socket_.close(ec);  // pending waits complete with operation_aborted
  release_queue();
  queue_.shrink_to_fit();
  // Inside on_data the handler may still be reading bytes in leftover_: deliver() frees it after.
  if (!in_on_data_) {
    leftover_.clear();
    leftover_.shrink_to_fit();
  }
  auto& metrics = loop_.metrics();
  (upgraded_ ? metrics.connections_closed_websocket : metrics.connections_closed_http).add();
  loop_.remove_connection(this);
  // Told from a fresh handler call, never re-entrantly from inside the handler's own on_data.
  loop_.post([self = shared_from_this()] {
    if (self->handler_) self->handler_->on_disconnect();
    self->handler_.reset();
  });
}

}  // namespace parley::net
