#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/transport.hpp"
#include "obs/tracing/trace_context.hpp"
#include "ws/close_code.hpp"
#include "ws/frame_encoder.hpp"
#include "ws/frame_parser.hpp"
#include "ws/inflater.hpp"
#include "ws/utf8.hpp"

namespace parley::obs::metrics {
enum class rejection : std::uint8_t;
}

namespace parley::ws {

class session;

// The application on top of a WebSocket: the chat, or the echo endpoint.
class message_handler {
 public:
  virtual ~message_handler() = default;
  // The 101 response is queued; the session is open and may send.
  virtual void on_open(session& session) = 0;
  // A complete message (text already checked to be UTF-8). The view is valid during the call.
  virtual void on_text(std::string_view text) = 0;
  virtual void on_binary(std::string_view data) = 0;
  // The session left the open state (close frame either way, protocol error or dropped TCP);
  // called once, and nothing is delivered after it.
  virtual void on_close() = 0;
  // Adds what the application knows (the chat: the username) to the upgrade's span; called
  // before on_open, only when that span is recorded.
  virtual void annotate_upgrade(obs::tracing::span& /*upgrade*/) const {}
};

struct session_limits {
  std::uint64_t max_message_size = std::uint64_t{64} * 1024;
  std::chrono::milliseconds close_timeout{5000};  // wait for the client's close frame
  // Quiet this long, the server pings; quiet another interval, the peer is gone (0: never ping).
  std::chrono::milliseconds ping_interval{30000};
};

// The RFC 6455 protocol of one server-side connection, on top of a transport: parses frames,
// reassembles fragmented messages, validates UTF-8 (failing fast), answers pings and runs the
// close handshake. It never sees a socket, so tests drive it with an in-memory transport.
class session final : public net::connection_handler {
 public:
  // `trace`: the upgrade span's, under which the session's spans (its close) and the
  // application's (a chat message's broadcast) are recorded.
  session(net::transport& transport, std::unique_ptr<message_handler> handler,
          session_limits limits, obs::tracing::trace_context trace = {});
  ~session() override;

  // permessage-deflate was agreed in the handshake (call before open): compressed messages are
  // inflated, and the application may send compressed frames (sends_deflated()).
  // `client_no_context_takeover`: each client message is inflated on its own.
  void enable_deflate(bool client_no_context_takeover);
  [[nodiscard]] bool sends_deflated() const { return deflate_ != nullptr; }

  // Tells the handler the session is open; call right after queueing the 101 response. `path`
  // (the upgrade request's) is for the access log's close line.
  void open(std::string_view path = {});

  // Queues a frame already encoded (a broadcast's shared frame).
  void send(const shared_frame& frame);
  // Starts the closing handshake: sends a close frame, then waits for the client's.
  void close(close_status status);
  [[nodiscard]] bool is_open() const { return state_ == state::open; }
  [[nodiscard]] std::size_t loop_index() const { return transport_.loop_index(); }
  // The loop's clock, as close_at takes it.
  [[nodiscard]] std::chrono::steady_clock::time_point now() const { return transport_.now(); }
  // Where the session's spans hang (an empty context when it is not traced).
  [[nodiscard]] const obs::tracing::trace_context& trace() const;
  // Closes the session with `status` at `when` unless it has ended by then (an authentication
  // token's expiry); a later call moves the time. `status.reason` must outlive the session (a
  // string literal).
  void close_at(std::chrono::steady_clock::time_point when, close_status status);
  // Keeps `token` as long as the session lives (an upgrade's slot in limits.connections_per_ip).
  void keep(std::shared_ptr<void> token) { kept_ = std::move(token); }

  // net::connection_handler
  std::size_t on_data(std::span<char> bytes) override;
  void on_timeout() override;
  void on_shutdown() override;
  void on_restart(std::string_view reason) override;
  void on_slow_consumer() override;
  void on_disconnect() override;

 private:
  enum class state : std::uint8_t {
    open,
    closing,  // we sent a close frame and wait for the client's
    closed,   // close frames exchanged or the connection failed; ignore everything
  };
  // Who started the end of the session, for the access log.
  enum class closer : std::uint8_t {
    nobody_yet,
    client,  // sent the first close frame
    server,  // sent the first close frame, or dropped the peer (ping timeout)
    none,    // the TCP connection ended without a close frame
  };

  // `checked`: payload bytes already unmasked and UTF-8-checked while the frame was incomplete.
  void handle_frame(const frame_header& header, std::span<char> payload, std::size_t checked);
  void handle_data_frame(const frame_header& header, std::string_view payload, std::size_t checked);
  // A frame of a compressed message (`op`: the message's), inflated and then checked.
  void handle_compressed_frame(const frame_header& header, opcode op, std::string_view payload);
  // Fails fast on invalid UTF-8 in a text frame that has only partly arrived (RFC 6455 §8.1).
  void check_partial_text(const frame_header& header, std::span<char> frame);
  // Whether a frame with this header carries text of the message being received.
  [[nodiscard]] bool continues_text(const frame_header& header) const;
  void handle_close_frame(std::string_view payload);
  void deliver_message(opcode op, std::string_view payload);
  // Fails the connection (RFC 6455 §7.1.7): close frame with the reason, then TCP close.
  void fail(close_status status);
  void fail(close_status status, obs::metrics::rejection reason);
  void start_ping_timer();
  // Runs the ping logic after `delay` (none: never), or sooner when close_at's time comes first.
  void arm_timer(std::optional<std::chrono::steady_clock::duration> delay);
  // `status`: the first close frame (ours or the client's), or 1006 when there was none.
  // Tells the handler, once, and opens the close span; called right after note_end(), whose record
  // names the initiator.
  void leave_open_state(close_status status);
  // `clean`: close frames went both ways.
  void end_close_span(bool clean);
  // Remembers the first way the session ended; later ones are consequences.
  void note_end(closer by, close_code code);
  // Enters the closed state, writing the access log's close line the first time.
  void become_closed();
  // Counts a protocol failure we close for, by its close code.
  static obs::metrics::rejection rejection_for(close_code code);
  void log_close() const;

  net::transport& transport_;
  std::unique_ptr<message_handler> handler_;
  session_limits limits_;
  std::shared_ptr<void> kept_;  // released with the session (see keep)
  state state_ = state::open;
  bool handler_told_closed_ = false;
  opcode message_opcode_ =
      opcode::continuation;               // text or binary while a fragmented message is open
  std::unique_ptr<std::string> message_;  // the fragments so far (none between messages)
  utf8_stream_validator utf8_;
  std::chrono::steady_clock::time_point last_heard_{};  // the last bytes from the peer
  bool ping_outstanding_ = false;                       // we pinged, waiting an interval
  bool heard_since_ping_ = false;                       // bytes arrived since that ping
  // When the ping logic runs next (max(): never); the timer may fire sooner for close_at.
  std::chrono::steady_clock::time_point ping_due_ = std::chrono::steady_clock::time_point::max();
  struct scheduled_close {
    std::chrono::steady_clock::time_point when;
    close_status status;
  };
  std::optional<scheduled_close> scheduled_close_;  // close_at's
  std::size_t partial_checked_ = 0;  // of the incomplete frame at the front of the input
  closer closed_by_ = closer::nobody_yet;
  close_code close_code_ = close_code::abnormal;  // the first close frame's, or 1005/1006

  // What only some sessions need lives apart, so an idle connection carries two null pointers.
  struct access_record {  // the access log's, when it is on
    std::string remote;
    std::string path;
    std::chrono::steady_clock::time_point opened_at;
  };
  struct tracing_state {  // when the upgrade was traced
    obs::tracing::trace_context context;
    obs::tracing::span close_span;  // from leaving the open state to the end of the handshake
  };
  struct deflate_state {  // when permessage-deflate was agreed
    bool client_no_context_takeover = false;
    bool message_compressed = false;  // the message being received is
    // Made at the first compressed message; without context takeover, dropped after each one so
    // an idle connection holds no zlib state.
    std::unique_ptr<inflater> inflate;
  };
  std::unique_ptr<access_record> access_;
  std::unique_ptr<deflate_state> deflate_;
  std::unique_ptr<tracing_state> tracing_;
};

}  // namespace parley::ws
