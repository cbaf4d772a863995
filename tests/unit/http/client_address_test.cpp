#include "http/client_address.hpp"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

TEST(client_address, is_the_peer_without_trusted_proxies) {
  const client_address clients;
  EXPECT_EQ(clients.of("198.51.100.4:5000", "203.0.113.9"), "198.51.100.4");
  EXPECT_EQ(clients.of("[::1]:5000", ""), "::1");
}

TEST(client_address, ignores_forwarded_for_from_an_untrusted_peer) {
  const client_address clients("10.0.0.1");
  EXPECT_EQ(clients.of("198.51.100.4:5000", "203.0.113.9"), "198.51.100.4");
}

TEST(client_address, takes_the_address_a_trusted_proxy_reports) {
  const client_address clients("10.0.0.1");
  EXPECT_EQ(clients.of("10.0.0.1:5000", "203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(clients.of("10.0.0.1:5000", ""), "10.0.0.1");  // no header: the proxy itself
}

TEST(client_address, a_client_cannot_pick_its_address_by_writing_the_header_itself) {
  const client_address clients("10.0.0.1");
  // The client sent "1.1.1.1"; the proxy appended what it saw.
  EXPECT_EQ(clients.of("10.0.0.1:5000", "1.1.1.1, 203.0.113.9"), "203.0.113.9");
}

TEST(client_address, walks_back_through_a_chain_of_trusted_proxies) {
  const client_address clients("10.0.0.1, 10.0.0.2");
  EXPECT_EQ(clients.of("10.0.0.1:5000", "1.1.1.1, 203.0.113.9, 10.0.0.2"), "203.0.113.9");
  EXPECT_EQ(clients.of("10.0.0.1:5000", "10.0.0.2"), "10.0.0.2");
}

TEST(client_address, a_malformed_entry_stops_at_the_last_trusted_report) {
  const client_address clients("10.0.0.1");
  EXPECT_EQ(clients.of("10.0.0.1:5000", "203.0.113.9, unknown"), "10.0.0.1");
  EXPECT_EQ(clients.of("10.0.0.1:5000", "garbage, 203.0.113.9"), "203.0.113.9");
}

TEST(client_address, compares_addresses_in_canonical_form) {
  const client_address clients("2001:DB8:0:0::1");
  EXPECT_TRUE(clients.trusts("2001:db8::1"));
  EXPECT_EQ(clients.of("[2001:db8::1]:443", "::FFFF:203.0.113.9"), "203.0.113.9");
}

TEST(client_address, trusts_whole_networks) {
  const client_address clients("10.0.0.0/8, fd00::/8, 192.168.1.0/25");
  EXPECT_TRUE(clients.trusts("10.200.3.4"));
  EXPECT_TRUE(clients.trusts("fd12::1"));
  EXPECT_TRUE(clients.trusts("192.168.1.127"));
  EXPECT_FALSE(clients.trusts("192.168.1.128"));
  EXPECT_FALSE(clients.trusts("11.0.0.1"));
  EXPECT_FALSE(clients.trusts("fe80::1"));
  EXPECT_EQ(clients.of("10.1.1.1:80", "203.0.113.9, 10.2.2.2"), "203.0.113.9");
}

TEST(peer_ip, strips_the_port) {
  EXPECT_EQ(peer_ip("127.0.0.1:9090"), "127.0.0.1");
  EXPECT_EQ(peer_ip("[::ffff:127.0.0.1]:9090"), "127.0.0.1");
  EXPECT_EQ(peer_ip(""), "");
}

TEST(proxy_list_problem, accepts_addresses_and_empty) {
  EXPECT_EQ(proxy_list_problem(""), "");
  EXPECT_EQ(proxy_list_problem("10.0.0.1, ::1"), "");
  EXPECT_EQ(proxy_list_problem("10.0.0.0/8"), "");
  EXPECT_NE(proxy_list_problem("10.0.0.0/33"), "");
  EXPECT_NE(proxy_list_problem("10.0.0.0/"), "");
  EXPECT_NE(proxy_list_problem("proxy.local"), "");
}

}  // namespace
}  // namespace parley::http
