// The upgrade decision on arbitrary header values: method, Upgrade, Connection, Sec-WebSocket-Key
// and Sec-WebSocket-Version (the input's lines, in that order; the first byte picks HTTP/1.0 or
// 1.1), then the 101 response for an accepted key. Checks that the verdict follows the headers.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ws/handshake.hpp"

namespace {

std::vector<std::string_view> lines_of(std::string_view text, std::size_t wanted) {
  std::vector<std::string_view> lines;
  while (lines.size() + 1 < wanted) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) break;
    lines.push_back(text.substr(0, newline));
    text.remove_prefix(newline + 1);
  }
  lines.push_back(text);
  lines.resize(wanted);
  return lines;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto lines = lines_of(text, 5);
  parley::ws::upgrade_request request{.method = lines[0],
                                      .upgrade = lines[1],
                                      .connection = lines[2],
                                      .key = lines[3],
                                      .version = lines[4],
                                      .http_1_1 = (data[0] & 1) == 0};
  const auto verdict = parley::ws::check_upgrade(request);

  // Tokens are case-insensitive: the same answer for the lower-case header.
  const bool upgrade = parley::ws::header_has_token(request.upgrade, "websocket");
  check(upgrade == parley::ws::header_has_token(lower(request.upgrade), "websocket"));
  check(upgrade == parley::ws::header_has_token(request.upgrade, "WebSocket"));
  check((verdict == parley::ws::handshake_verdict::not_an_upgrade) == !upgrade);

  if (verdict == parley::ws::handshake_verdict::accept) {
    check(request.method == "GET" && request.http_1_1);
    check(parley::ws::header_has_token(request.connection, "upgrade"));
    const std::string accept = parley::ws::accept_key(request.key);
    check(accept.size() == 28 && accept.ends_with('='));  // base64 of a 20-byte SHA-1
    const std::string response = parley::ws::switching_protocols_response(request.key, "parley.v1");
    check(response.starts_with("HTTP/1.1 101 ") && response.ends_with("\r\n\r\n"));
    check(response.find(accept) != std::string::npos);
  }
  return 0;
}
