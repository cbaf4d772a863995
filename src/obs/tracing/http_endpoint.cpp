#include "obs/tracing/http_endpoint.hpp"

#include <charconv>
#include <stdexcept>

namespace parley::obs::tracing {
namespace {

[[noreturn]] void bad(std::string_view url, std::string_view why) {
  throw std::invalid_argument("'" + std::string(url) + "' " + std::string(why));
}

}  // namespace

http_endpoint parse_http_endpoint(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.starts_with("https://")) bad(url, "uses https, and only http:// is supported");
  if (!url.starts_with(scheme)) bad(url, "is not an http:// URL");
  std::string_view rest = url.substr(scheme.size());
  const auto path_start = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, path_start);
  if (authority.find('@') != std::string_view::npos) bad(url, "has user info, not supported");

  http_endpoint endpoint;
  endpoint.host_header = authority;
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {  // an IPv6 literal
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad(url, "has an unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) bad(url, "has junk after its IPv6 address");
    if (!after.empty()) port = after.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) bad(url, "has no host");
  endpoint.host = host;
  if (!authority.starts_with('[') && host.find(':') != std::string_view::npos) {
    bad(url, "has an IPv6 address without brackets");
  }
  if (!port.empty() || authority.ends_with(':')) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      bad(url, "has an invalid port");
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  if (path_start != std::string_view::npos) {
    const std::string_view path = rest.substr(path_start);
    endpoint.target.clear();
    if (path.starts_with('?')) endpoint.target.push_back('/');
    endpoint.target.append(path);
    if (const auto hash = endpoint.target.find('#'); hash != std::string::npos) {
      endpoint.target.erase(hash);
    }
  }
  return endpoint;
}

}  // namespace parley::obs::tracing
