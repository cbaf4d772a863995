#include "http/origin_policy.hpp"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

TEST(origin_policy, default_allows_the_servers_own_host_and_localhost_on_any_port) {
  const origin_policy policy;
  EXPECT_TRUE(policy.allows("http://127.0.0.1:9090", "127.0.0.1:9090"));
  EXPECT_TRUE(policy.allows("https://chat.example.com", "chat.example.com"));
  EXPECT_TRUE(policy.allows("http://localhost:3000", "chat.example.com"));
  EXPECT_TRUE(policy.allows("http://localhost", "chat.example.com"));
  EXPECT_FALSE(policy.allows("https://evil.example", "chat.example.com"));
  EXPECT_FALSE(policy.allows("https://localhost:3000", "chat.example.com"));  // http only
}

TEST(origin_policy, self_needs_the_same_host_and_port) {
  const origin_policy policy("self");
  EXPECT_FALSE(policy.allows("http://127.0.0.1:9091", "127.0.0.1:9090"));
  EXPECT_FALSE(policy.allows("http://127.0.0.2:9090", "127.0.0.1:9090"));
  EXPECT_FALSE(policy.allows("http://chat.example.com.evil:80", "chat.example.com"));
}

TEST(origin_policy, self_treats_default_ports_as_written_or_not) {
  const origin_policy policy("self");
  EXPECT_TRUE(policy.allows("http://example.com", "example.com:80"));
  EXPECT_TRUE(policy.allows("http://example.com:80", "example.com"));
  EXPECT_TRUE(policy.allows("https://example.com", "example.com:443"));
  EXPECT_FALSE(policy.allows("https://example.com", "example.com:80"));
}

TEST(origin_policy, compares_scheme_and_host_case_insensitively) {
  const origin_policy policy("https://Chat.Example.com,self");
  EXPECT_TRUE(policy.allows("HTTPS://chat.example.COM", "other"));
  EXPECT_TRUE(policy.allows("http://EXAMPLE.org:8080", "example.org:8080"));
}

TEST(origin_policy, exact_entry_matches_scheme_host_and_port) {
  const origin_policy policy("https://chat.example.com");
  EXPECT_TRUE(policy.allows("https://chat.example.com", "x"));
  EXPECT_TRUE(policy.allows("https://chat.example.com:443", "x"));
  EXPECT_FALSE(policy.allows("http://chat.example.com", "x"));
  EXPECT_FALSE(policy.allows("https://chat.example.com:8443", "x"));
  EXPECT_FALSE(policy.allows("https://chat.example.com.evil.net", "x"));
}

TEST(origin_policy, wildcard_port_and_subdomains) {
  const origin_policy policy("http://dev.local:*, https://*.example.com");
  EXPECT_TRUE(policy.allows("http://dev.local:5173", "x"));
  EXPECT_TRUE(policy.allows("http://dev.local", "x"));
  EXPECT_TRUE(policy.allows("https://a.example.com", "x"));
  EXPECT_TRUE(policy.allows("https://a.b.example.com", "x"));
  EXPECT_FALSE(policy.allows("https://example.com", "x"));
  EXPECT_FALSE(policy.allows("https://badexample.com", "x"));
  EXPECT_FALSE(policy.allows("https://a.example.com:8443", "x"));
}

TEST(origin_policy, star_allows_everything_even_null) {
  const origin_policy policy("*");
  EXPECT_TRUE(policy.allows_all());
  EXPECT_TRUE(policy.allows("null", "x"));
  EXPECT_TRUE(policy.allows("https://anything", "x"));
}

TEST(origin_policy, refuses_null_and_malformed_origins) {
  const origin_policy policy;
  EXPECT_FALSE(policy.allows("null", "localhost"));
  EXPECT_FALSE(policy.allows("", "localhost"));
  EXPECT_FALSE(policy.allows("localhost", "localhost"));
  EXPECT_FALSE(policy.allows("http://localhost:99999999", "localhost"));
  EXPECT_FALSE(policy.allows("http://user@localhost", "localhost"));
}

TEST(origin_policy, ipv6_hosts_keep_their_brackets) {
  const origin_policy policy("self");
  EXPECT_TRUE(policy.allows("http://[::1]:9090", "[::1]:9090"));
  EXPECT_FALSE(policy.allows("http://[::1]:9091", "[::1]:9090"));
}

TEST(origin_list_problem, accepts_the_documented_forms) {
  EXPECT_EQ(origin_list_problem("self,http://localhost:*"), "");
  EXPECT_EQ(origin_list_problem("*"), "");
  EXPECT_EQ(origin_list_problem(" https://*.example.com , http://[::1]:8080 "), "");
}

TEST(origin_list_problem, refuses_what_would_never_match) {
  EXPECT_NE(origin_list_problem(""), "");
  EXPECT_NE(origin_list_problem("example.com"), "");
  EXPECT_NE(origin_list_problem("self,"), "");
  EXPECT_NE(origin_list_problem("https://*"), "");
  EXPECT_NE(origin_list_problem("https://a.*.com"), "");
  EXPECT_NE(origin_list_problem("https://example.com/path"), "");
  EXPECT_NE(origin_list_problem("http://host:port"), "");
}

}  // namespace
}  // namespace parley::http
