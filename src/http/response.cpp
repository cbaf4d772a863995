#include "http/response.hpp"

#include <fmt/format.h>

namespace parley::http {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

std::string serialize(const response& response) {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nServer: parley\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
      response.status, reason_phrase(response.status), response.content_type, response.body.size());
  for (const auto& [name, value] : response.headers) {
    out += fmt::format("{}: {}\r\n", name, value);
  }
  out += response.keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!response.head_only) out += response.body;
  return out;
}

}  // namespace parley::http
