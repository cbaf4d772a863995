#include "handshake.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace parley::bench {
namespace {

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

handshake make_handshake(std::string_view host, unsigned port, std::string_view name,
                         std::string_view query, std::string_view subprotocol,
                         std::mt19937_64& random, std::string_view extensions) {
  std::array<unsigned char, 16> nonce;
  for (auto& b : nonce) b = static_cast<unsigned char>(random());
  const std::string key = base64(nonce.data(), nonce.size());

  const std::string magic = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(magic.data()), magic.size(), digest);

  handshake h;
  h.expected_accept = base64(digest, sizeof digest);
  std::string offer = subprotocol.empty()
                          ? std::string{}
                          : fmt::format("Sec-WebSocket-Protocol: {}\r\n", subprotocol);
  if (!extensions.empty()) offer += fmt::format("Sec-WebSocket-Extensions: {}\r\n", extensions);
  h.request = fmt::format(
      "GET /chat/{}?age=1{} HTTP/1.1\r\nHost: {}:{}\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n{}\r\n",
      name, query, host, port, key, offer);
  return h;
}

response_check check_response(std::string_view input, std::string_view expected_accept,
                              std::string_view subprotocol) {
  response_check check;
  const auto end = input.find("\r\n\r\n");
  if (end == std::string_view::npos) return check;
  check.head_size = end + 4;
  check.status = response_status::refused;

  std::string_view head = input.substr(0, end + 2);
  auto next_line = [&head] {
    const auto eol = head.find("\r\n");
    const auto line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    return line;
  };
  const auto status_line = next_line();
  if (!status_line.starts_with("HTTP/1.1 101")) return check;
  bool accepted = false;
  std::string_view confirmed;
  while (!head.empty()) {
    const auto line = next_line();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (iequals(name, "sec-websocket-accept") && value == expected_accept) accepted = true;
    if (iequals(name, "sec-websocket-protocol")) confirmed = value;
  }
  if (accepted && confirmed == subprotocol) check.status = response_status::upgraded;
  return check;
}

}  // namespace parley::bench
