// Drives a WebSocket session (frames, fragmentation, UTF-8, close handshake) with arbitrary
// bytes, split into pieces at positions the input chooses, behind an echo application.
#include <string>

#include "app/echo_handler.hpp"
#include "recording_transport.hpp"
#include "ws/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 64;  // the first byte sets how the stream is chopped
  parley::fuzz::recording_transport transport;
  auto session = std::make_unique<parley::ws::session>(
      transport, std::make_unique<parley::app::echo_handler>(),
      parley::ws::session_limits{4096, {}});
  auto& opened = *session;
  transport.handler = std::move(session);
  opened.open();

  std::string pending;
  for (std::size_t at = 1; at < size && !transport.closed; at += piece) {
    pending.append(reinterpret_cast<const char*>(data) + at, std::min(piece, size - at));
    transport.feed(pending);
  }
  transport.handler->on_disconnect();
  return 0;
}
