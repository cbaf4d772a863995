#include "http/origin_policy.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace parley::http {
namespace {

struct authority {
  std::string host;  // lower case; an IPv6 address keeps its brackets
  std::string port;  // empty: none given
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "host", "host:port", "[v6]" or "[v6]:port"; nothing when malformed.
std::optional<authority> split_authority(std::string_view text) {
  authority out;
  std::string_view rest;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = lower(text.substr(0, close + 1));
    rest = text.substr(close + 1);
  } else {
    const auto colon = text.find(':');
    out.host = lower(text.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
  }
  if (out.host.empty() || out.host.find_first_of("/?#@ ") != std::string::npos) return std::nullopt;
  if (!rest.empty()) {
    if (!rest.starts_with(':')) return std::nullopt;
    out.port = std::string(rest.substr(1));
    if (out.port != "*" && !all_digits(out.port)) return std::nullopt;
  }
  return out;
}

std::string_view default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return "80";
  if (scheme == "https" || scheme == "wss") return "443";
  return {};
}

struct origin {
  std::string scheme;
  authority where;
};

// "scheme://authority" with nothing after it, the default port elided; nothing when malformed
// (browsers send "null" for pages with no origin, such as files and sandboxed frames).
std::optional<origin> parse_origin(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  origin out{lower(text.substr(0, sep)), {}};
  if (!std::all_of(out.scheme.begin(), out.scheme.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '-' || c == '.';
      })) {
    return std::nullopt;
  }
  auto where = split_authority(text.substr(sep + 3));
  if (!where) return std::nullopt;
  out.where = std::move(*where);
  if (out.where.port == default_port(out.scheme)) out.where.port.clear();
  return out;
}

}  // namespace

origin_policy::origin_policy(std::string_view list) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry == "*") {
      any_ = true;
    } else if (entry == "self") {
      self_ = true;
    } else if (auto parsed = parse_origin(entry)) {
      pattern p{std::move(parsed->scheme), std::move(parsed->where.host),
                std::move(parsed->where.port), false};
      if (p.host.starts_with("*.")) {
        p.host.erase(0, 1);  // keeps the dot: ".example.com"
        p.subdomains = true;
      }
      patterns_.push_back(std::move(p));
    }  // else: config refused it already (origin_list_problem)
  }
}

bool origin_policy::allows(std::string_view origin_text, std::string_view host) const {
  if (any_) return true;
  const auto seen = parse_origin(origin_text);
  if (!seen) return false;
  if (self_) {
    if (auto own = split_authority(host); own && own->port != "*") {
      if (own->port == default_port(seen->scheme)) own->port.clear();
      if (own->host == seen->where.host && own->port == seen->where.port) return true;
    }
  }
  return std::any_of(patterns_.begin(), patterns_.end(), [&](const pattern& p) {
    if (p.scheme != seen->scheme) return false;
    if (p.port != "*" && p.port != seen->where.port) return false;
    if (p.subdomains) {
      return seen->where.host.size() > p.host.size() && seen->where.host.ends_with(p.host);
    }
    return p.host == seen->where.host;
  });
}

std::string_view origin_list_problem(std::string_view list) {
  if (trim(list).empty()) return "must name at least one origin, `self` or `*`";
  for (std::size_t start = 0; start <= list.size();) {
    const auto comma = std::min(list.find(',', start), list.size());
    const auto entry = trim(list.substr(start, comma - start));
    start = comma + 1;  // past the end after the last entry (an empty one after a final comma)
    if (entry == "*" || entry == "self") continue;
    const auto parsed = parse_origin(entry);
    if (!parsed) {
      return "each entry must be `*`, `self` or scheme://host[:port] (port may be `*`, host may "
             "start with `*.`)";
    }
    const auto& host = parsed->where.host;
    if (host.find('*', host.starts_with("*.") ? 1 : 0) != std::string::npos) {
      return "a host may only start with `*.` (any subdomain)";
    }
  }
  return {};
}

}  // namespace parley::http
