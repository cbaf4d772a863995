#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

// Who a request comes from: the TCP peer, or, when the peer is one of security.trusted_proxies,
// the address its X-Forwarded-For names. Only a configured proxy is believed: anyone else could
// write any address into the header and so escape limits.connections_per_ip.
class client_address {
 public:
  // `proxies`: comma-separated IP addresses or networks ("10.0.0.0/8", "fd00::/8"); empty: none,
  // and X-Forwarded-For is ignored.
  explicit client_address(std::string_view proxies = {});

  // The client's IP address in canonical form. `peer`: the TCP peer as transport::remote_address
  // gives it ("1.2.3.4:5678", "[::1]:5678"); `forwarded_for`: every X-Forwarded-For value of the
  // request, comma-joined in order. From a trusted peer, the rightmost address of the header that
  // is not itself a trusted proxy (each proxy appends the address it saw); a malformed entry ends
  // the walk at the last address a trusted proxy reported.
  [[nodiscard]] std::string of(std::string_view peer, std::string_view forwarded_for) const;
  [[nodiscard]] bool trusts(std::string_view ip) const;

  // An address or network of trusted proxies.
  struct network {
    std::string bytes;  // the address in network order: 4 bytes (IPv4) or 16 (IPv6)
    unsigned prefix;    // leading bits that must match
  };

 private:
  std::vector<network> proxies_;
};

// "1.2.3.4:5678" -> "1.2.3.4", "[::1]:5678" -> "::1" (canonical); empty when it is neither.
std::string peer_ip(std::string_view remote_address);
// The canonical text of an IP address (IPv4-mapped IPv6 as IPv4), or empty when it is none.
std::string canonical_ip(std::string_view text);
// The network `text` names ("10.1.2.3", "10.0.0.0/8"), or nothing when it names none.
std::optional<client_address::network> parse_network(std::string_view text);
// The problem with a security.trusted_proxies value, or empty when it is fine (config checks it).
std::string_view proxy_list_problem(std::string_view list);

}  // namespace parley::http
