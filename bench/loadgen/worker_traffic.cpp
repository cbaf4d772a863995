#include <algorithm>
#include <cstring>

#include "frame_writer.hpp"
#include "handshake.hpp"
#include "v1_event.hpp"
#include "worker.hpp"

namespace parley::bench {

std::size_t worker::consume(client_connection& c, char* data, std::size_t size) {
  if (c.state != connection_state::handshaking) return consume_frames(c, data, size);
  const auto check = check_response({data, size}, c.expected_accept, subprotocol(opts_));
  if (check.status == response_status::need_more) {
    if (size > 16 * 1024) fail(c, totals_.errors.handshake_failed);  // no sane head is this big
    return 0;
  }
  if (check.status == response_status::refused) {
    fail(c, totals_.errors.handshake_failed);
    return size;
  }
  c.state = connection_state::open;
  --handshakes_in_flight_;
  c.expected_accept = {};
  return check.head_size + consume_frames(c, data + check.head_size, size - check.head_size);
}

// Handles every complete frame in data[0, size); returns the bytes used. The rest is the
// start of a frame, kept as leftover.
std::size_t worker::consume_frames(client_connection& c, char* data, std::size_t size) {
  std::size_t pos = 0;
  while (pos < size && c.state == connection_state::open) {
    const frame f = read_frame({data + pos, size - pos}, opts_.compression);
    if (f.status == frame_status::need_more) {
      // The whole frame must fit the read buffer beside the next read (the server's cap is
      // 64 KiB).
      if (f.header_size && f.size() > k_read_buffer / 2) fail(c, totals_.errors.protocol);
      break;
    }
    if (f.status == frame_status::error) {
      fail(c, totals_.errors.protocol);
      break;
    }
    on_frame(c, f, {data + pos + f.header_size, static_cast<std::size_t>(f.payload_size)});
    pos += f.size();
  }
  return pos;
}

void worker::on_frame(client_connection& c, const frame& f, std::span<char> payload) {
  if (f.masked) unmask_payload(payload, f.mask);
  std::string_view text{payload.data(), payload.size()};
  if (f.compressed) {
    // Parley never fragments; server_no_context_takeover: each message inflates on its own.
    if (!f.fin || !inflater_.inflate(text, inflated_)) return fail(c, totals_.errors.protocol);
    text = inflated_;
  }
  switch (f.opcode) {
    case opcode::text:
    case opcode::binary:
      if (c.in_fragmented) return fail(c, totals_.errors.protocol);
      if (f.fin) return on_text(c, text);
      c.in_fragmented = true;
      c.fragments.assign(text);
      return;
    case opcode::continuation:
      if (!c.in_fragmented) return fail(c, totals_.errors.protocol);
      c.fragments.append(text);
      if (!f.fin) return;
      c.in_fragmented = false;
      on_text(c, c.fragments);
      c.fragments.clear();
      return;
    case opcode::ping:
      ++totals_.pings;
      append_frame(c.out, opcode::pong, payload);
      return queue_flush(c);
    case opcode::pong:
      return;
    case opcode::close:
      // Echo the status code, then go: the server closes its side after our echo.
      append_frame(c.out, opcode::close, payload.first(std::min<std::size_t>(2, payload.size())));
      flush(c);
      if (stopping_) return close_connection(c);
      return fail(c, totals_.errors.unexpected_close);
  }
}

void worker::on_text(client_connection& c, std::string_view text) {
  const chat_line line = opts_.protocol == wire_protocol::v1
                             ? classify_v1_event(text, opts_.name_prefix)
                             : classify_line(text, opts_.name_prefix);
  c.last_id = std::max(c.last_id, line.id);
  switch (line.kind) {
    case line_kind::greeting:
      return on_greeting(c, line);
    case line_kind::join:
      ++totals_.join_notices;
      totals_.last_join_ns = now_;
      return;
    case line_kind::leave:
      ++totals_.leaves;
      if (c.client == 0) ++totals_.observer_leaves;
      return;
    case line_kind::message:
      if (line.client < opts_.senders && !last_seq_.empty()) return on_message(c, line);
      [[fallthrough]];
    case line_kind::other:
      ++totals_.other_lines;
      [[fallthrough]];
    case line_kind::hello:
      return;
  }
}

void worker::on_greeting(client_connection& c, const chat_line& line) {
  ++totals_.greetings;
  totals_.last_join_ns = now_;
  if (!c.resume) return;
  // A reconnect's replay: every stored event after `since`, its own join last (not counted).
  const std::uint64_t replayed = line.replayed > 0 ? line.replayed - 1 : 0;
  ++totals_.resumed;
  totals_.replayed += replayed;
  totals_.replay_min = std::min(totals_.replay_min, replayed);
  totals_.replay_gaps += line.replay_gaps;
  totals_.last_resumed_ns = now_;
}

void worker::on_message(client_connection& c, const chat_line& line) {
  ++totals_.deliveries;
  if (now_ >= schedule_.measure_start && now_ < schedule_.measure_end)
    ++totals_.deliveries_measured;

  const auto local = static_cast<std::size_t>(&c - connections_.data());
  std::uint32_t& last = last_seq_[local * opts_.senders + line.client];
  if (line.seq > last) {
    totals_.seq_gaps += line.seq - last - 1;
    last = line.seq;
  } else {
    ++totals_.out_of_order;
  }
  if (line.sent_ns >= schedule_.measure_start && line.sent_ns < schedule_.measure_end)
    totals_.latency.record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ - line.sent_ns)) / 1000);

  if (line.client != c.client || c.sender_slot < 0) return;
  sender_state& s = senders_[c.sender_slot];
  if (s.outstanding) --s.outstanding;
  if (sending_ && opts_.rate <= 0) {  // window mode: our own message back frees a slot
    ++s.pending;
    queue_flush(c);
  }
}

// Encodes the sender's due messages into its output, stamped with `now` (just before write()):
// the text itself (legacy) or a v1 `send` request around it.
void worker::write_pending_messages(sender_state& s, std::int64_t now) {
  client_connection& c = connections_[s.connection];
  const bool measured = now >= schedule_.measure_start;
  const bool v1 = opts_.protocol == wire_protocol::v1;
  const std::string_view head = v1 ? std::string_view{s.v1_head} : std::string_view{};
  const std::string_view tail = v1 ? k_v1_send_tail : std::string_view{};
  for (; s.pending > 0 && now < schedule_.measure_end; --s.pending) {
    char prefix[k_message_prefix_max];
    const std::size_t prefix_size = write_message_prefix(prefix, s.next_seq++, now);
    const std::size_t size = std::max<std::size_t>(opts_.size, prefix_size);
    const std::size_t payload_size = head.size() + size + tail.size();
    const std::size_t at = append_frame_header(c.out, opcode::text, payload_size);
    char* payload = c.out.data() + at;
    char* text = payload + head.size();
    std::memcpy(payload, head.data(), head.size());
    std::memcpy(text, prefix, prefix_size);
    std::memset(text + prefix_size, 'x', size - prefix_size);
    std::memcpy(text + size, tail.data(), tail.size());
    mask_payload({payload, payload_size});
    ++s.outstanding;
    ++totals_.sent;
    totals_.expected_deliveries += s.recipients;
    if (measured) ++totals_.sent_measured;
  }
  s.pending = 0;
}

}  // namespace parley::bench
