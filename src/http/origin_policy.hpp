#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

// Which browser pages may open a WebSocket here (security.allowed_origins): a defence against
// cross-site WebSocket hijacking, where a foreign page uses a visitor's browser to connect.
// The list is comma-separated; each entry is one of
//   *                        every Origin
//   self                     the request's own Host (the page the server itself served)
//   scheme://host            exactly that origin (default ports 80/443 may be written or not)
//   scheme://host:*          that host on any port
//   scheme://*.domain        any subdomain of domain (not domain itself), default port
// A request without an Origin header is no browser's (browsers always send one on a WebSocket
// upgrade) and is allowed: it could set any Origin it liked.
class origin_policy {
 public:
  explicit origin_policy(std::string_view list = "self,http://localhost:*");

  // True when a page from `origin` may connect to the server reached as `host` (the Host header).
  [[nodiscard]] bool allows(std::string_view origin, std::string_view host) const;
  [[nodiscard]] bool allows_all() const { return any_; }

 private:
  struct pattern {
    std::string scheme;  // "http"
    std::string host;    // "localhost", or the suffix ".example.com" when `subdomains`
    std::string port;    // "8080"; "*": any; empty: the scheme's default
    bool subdomains = false;
  };

  bool any_ = false;
  bool self_ = false;
  std::vector<pattern> patterns_;
};

// The problem with a security.allowed_origins value, or empty when it is fine (config checks it).
std::string_view origin_list_problem(std::string_view list);

}  // namespace parley::http
