// Sends arbitrary bytes to the HTTP side of a connection: request parsing, routing, static
// files, the upgrade handshake and, past a valid upgrade, the WebSocket session.
#include <string>

#include "app/echo_handler.hpp"
#include "http/request_handler.hpp"
#include "http/site.hpp"
#include "recording_transport.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static parley::http::site site;
  if (site.websocket_routes.empty()) {
    site.websocket_routes.push_back(
        {"/echo", [](std::string_view, std::size_t, std::string_view, std::string_view) {
           return parley::http::websocket_application{
               std::make_unique<parley::app::echo_handler>(), {}};
         }});
  }
  parley::fuzz::recording_transport transport;
  transport.handler = std::make_unique<parley::http::request_handler>(transport, site);
  std::string pending(reinterpret_cast<const char*>(data), size);
  transport.feed(pending);
  transport.handler->on_disconnect();
  return 0;
}
