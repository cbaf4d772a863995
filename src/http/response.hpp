#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::http {

struct response {
  int status = 200;
  std::string_view content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // extra header fields
  bool keep_alive = true;
  bool head_only = false;  // answer to HEAD: headers and Content-Length, no body
};

// The response as HTTP/1.1 bytes.
std::string serialize(const response& response);

// "Not Found" for 404, and so on.
std::string_view reason_phrase(int status);

}  // namespace parley::http
