#include "http/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace parley::http {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls `each` with every comma-separated entry of `list`, trimmed, from the last to the first,
// until it returns false.
template <class Each>
void for_each_from_right(std::string_view list, Each each) {
  while (!list.empty()) {
    const auto comma = list.rfind(',');
    const auto entry = trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(0, comma);
    if (!each(entry)) return;
  }
}

// The address in network order (4 or 16 bytes; IPv4-mapped IPv6 as IPv4), or empty.
std::string address_bytes(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return {};
  const std::string address(text);
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return {reinterpret_cast<const char*>(&v4), sizeof v4};
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) != 1) return {};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) return {reinterpret_cast<const char*>(&v6.s6_addr[12]), 4};
  return {reinterpret_cast<const char*>(&v6), sizeof v6};
}

bool prefix_matches(const std::string& address, const client_address::network& net) {
  if (address.size() != net.bytes.size()) return false;
  const unsigned whole = net.prefix / 8;
  if (address.compare(0, whole, net.bytes, 0, whole) != 0) return false;
  const unsigned rest = net.prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (static_cast<unsigned char>(address[whole]) & mask) ==
         (static_cast<unsigned char>(net.bytes[whole]) & mask);
}

}  // namespace

std::string canonical_ip(std::string_view text) {
  const auto bytes = address_bytes(text);
  char out[INET6_ADDRSTRLEN];
  if (bytes.size() == 4) return inet_ntop(AF_INET, bytes.data(), out, sizeof out);
  if (bytes.size() == 16) return inet_ntop(AF_INET6, bytes.data(), out, sizeof out);
  return {};
}

std::optional<client_address::network> parse_network(std::string_view text) {
  const auto slash = text.find('/');
  client_address::network net{address_bytes(text.substr(0, slash)), 0};
  if (net.bytes.empty()) return std::nullopt;
  const unsigned bits = static_cast<unsigned>(net.bytes.size() * 8);
  net.prefix = bits;
  if (slash == std::string_view::npos) return net;
  const auto digits = text.substr(slash + 1);
  if (digits.empty() || digits.size() > 3 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  net.prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
  if (net.prefix > bits) return std::nullopt;
  return net;
}

std::string peer_ip(std::string_view remote_address) {
  if (remote_address.starts_with('[')) {
    const auto close = remote_address.find(']');
    return close == std::string_view::npos ? std::string{}
                                           : canonical_ip(remote_address.substr(1, close - 1));
  }
  return canonical_ip(remote_address.substr(0, remote_address.rfind(':')));
}

client_address::client_address(std::string_view proxies) {
  for_each_from_right(proxies, [&](std::string_view entry) {
    if (auto net = parse_network(entry)) proxies_.push_back(std::move(*net));
    return true;  // a bad entry: config refused it already (proxy_list_problem)
  });
}

bool client_address::trusts(std::string_view ip) const {
  const auto address = address_bytes(ip);
  return std::any_of(proxies_.begin(), proxies_.end(),
                     [&](const network& net) { return prefix_matches(address, net); });
}

std::string client_address::of(std::string_view peer, std::string_view forwarded_for) const {
  std::string client = peer_ip(peer);
  if (!trusts(client)) return client;
  for_each_from_right(forwarded_for, [&](std::string_view entry) {
    auto hop = canonical_ip(entry);
    if (hop.empty()) return false;  // not an address a proxy wrote: keep the last trusted report
    client = std::move(hop);
    return trusts(client);  // a trusted proxy's own address: its report is one further left
  });
  return client;
}

std::string_view proxy_list_problem(std::string_view list) {
  std::string_view problem;
  for_each_from_right(list, [&](std::string_view entry) {
    if (!parse_network(entry)) {
      problem = "must be IP addresses or networks (10.0.0.0/8) separated by commas";
    }
    return problem.empty();
  });
  return problem;
}

}  // namespace parley::http
