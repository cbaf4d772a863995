#include "ws/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace parley::ws {
namespace {

constexpr std::string_view k_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_base64_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/';
}

// A key is the base64 of 16 bytes: 22 base64 characters then "==".
bool is_valid_key(std::string_view key) {
  key = trim(key);
  if (key.size() != 24 || key.substr(22) != "==") return false;
  return std::all_of(key.begin(), key.begin() + 22, is_base64_char);
}

}  // namespace

bool header_has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

handshake_verdict check_upgrade(const upgrade_request& request) {
  if (!header_has_token(request.upgrade, "websocket")) return handshake_verdict::not_an_upgrade;
  if (request.method != "GET" || !request.http_1_1) return handshake_verdict::bad_request;
  if (!header_has_token(request.connection, "upgrade")) return handshake_verdict::bad_request;
  if (trim(request.version) != "13") return handshake_verdict::version_mismatch;
  if (!is_valid_key(request.key)) return handshake_verdict::bad_request;
  return handshake_verdict::accept;
}

std::string accept_key(std::string_view client_key) {
  std::string input(trim(client_key));
  input.append(k_guid);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  std::array<unsigned char, 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1> encoded{};
  const int size = EVP_EncodeBlock(encoded.data(), digest.data(), SHA_DIGEST_LENGTH);
  return {reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(size)};
}

void prepare_accept_keys() {
  static_cast<void>(accept_key("dGhlIHNhbXBsZSBub25jZQ=="));  // RFC 6455's sample key
}

std::string switching_protocols_response(std::string_view client_key, std::string_view subprotocol,
                                         std::string_view extensions) {
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  response += accept_key(client_key);
  if (!subprotocol.empty()) {
    response += "\r\nSec-WebSocket-Protocol: ";
    response += subprotocol;
  }
  if (!extensions.empty()) {
    response += "\r\nSec-WebSocket-Extensions: ";
    response += extensions;
  }
  response += "\r\n\r\n";
  return response;
}

}  // namespace parley::ws
