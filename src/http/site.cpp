#include "http/site.hpp"

namespace parley::http {

const websocket_route* site::find_websocket_route(std::string_view path) const {
  for (const auto& route : websocket_routes) {
    if (route.path.back() == '/') {
      // A prefix route takes exactly one more path segment: "/chat/alice", not "/chat/a/b".
      if (path.starts_with(route.path) &&
          path.find('/', route.path.size()) == std::string_view::npos) {
        return &route;
      }
    } else if (path == route.path) {
      return &route;
    }
  }
  return nullptr;
}

}  // namespace parley::http
