#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/address_limit.hpp"
#include "http/address_rate.hpp"
#include "http/client_address.hpp"
#include "http/origin_policy.hpp"
#include "http/static_files.hpp"
#include "ws/session.hpp"

namespace parley::obs::tracing {
class tracer;
}

namespace parley::http {

// The application behind a WebSocket upgrade, and the subprotocol it speaks (confirmed in the
// 101 response's Sec-WebSocket-Protocol; empty: none).
struct websocket_application {
  std::unique_ptr<ws::message_handler> handler;
  std::string_view subprotocol;
};

// Makes the application behind a WebSocket path for one upgrade request (`offered_protocols`:
// its Sec-WebSocket-Protocol values, comma-separated; `authorization`: its Authorization header,
// empty when none); a null handler when the target is not one it serves (404). Runs on the
// connection's loop.
using websocket_factory = std::function<websocket_application(
    std::string_view target, std::size_t loop_index, std::string_view offered_protocols,
    std::string_view authorization)>;

// Answers a GET under /api/ with a JSON body; nothing when there is no such resource (404).
using api_handler = std::function<std::optional<std::string>(std::string_view path)>;

struct websocket_route {
  std::string path;  // "/echo" exactly, or, ending in '/', a prefix such as "/chat/"
  websocket_factory make;
};

// What the HTTP layer serves: shared, read-only after start-up except `ready`.
struct site {
  std::vector<websocket_route> websocket_routes;
  static_files files;
  std::chrono::milliseconds handshake_timeout{10000};  // also the keep-alive idle timeout
  // Slowloris guard: a request under way must arrive at this many bytes a second on average,
  // checked each second from its first byte (the handshake timeout bounds it whole); 0: off.
  unsigned min_request_bytes_per_second = 0;
  unsigned max_header_fields = 100;  // header lines of a request; more: 431
  ws::session_limits ws_limits;
  bool compression = false;       // accept permessage-deflate offers (ws.compression)
  std::atomic<bool> ready{true};  // /readyz: false while draining
  // /readyz: false while something the server needs is away (cluster mode: Redis); null: none.
  // Called from any loop.
  std::function<bool()> dependencies_ready;
  obs::tracing::tracer* tracer = nullptr;  // spans for upgrades; null: none
  api_handler api;                         // GET /api/...; null: none
  origin_policy origins;                   // browser pages that may open a WebSocket
  client_address clients;                  // who a request is from (trusted proxies' headers)
  address_limit connections_per_address;   // open WebSockets per client address
  address_rate upgrades_per_address;       // new WebSockets per second per client address

  // The route for a request path, or nullptr.
  [[nodiscard]] const websocket_route* find_websocket_route(std::string_view path) const;
};

}  // namespace parley::http
