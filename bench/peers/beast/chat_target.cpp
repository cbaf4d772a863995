#include "chat_target.hpp"

namespace parley::beast_peer {
namespace {

constexpr std::string_view k_prefix = "/chat/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int high = hex_value(in[i + 1]);
    const int low = hex_value(in[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

// The value of `key` in "a=1&age=30", empty when absent.
std::string_view query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto end = query.find('&');
    const auto pair = query.substr(0, end);
    if (pair.size() > key.size() && pair.substr(0, key.size()) == key && pair[key.size()] == '=') {
      return pair.substr(key.size() + 1);
    }
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace

std::optional<chat_user> parse_chat_target(std::string_view target) {
  if (target.substr(0, k_prefix.size()) != k_prefix) return std::nullopt;
  target.remove_prefix(k_prefix.size());
  const auto question = target.find('?');
  const auto raw_name = target.substr(0, question);
  const auto query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  if (raw_name.empty() || raw_name.find('/') != std::string_view::npos) return std::nullopt;
  auto name = percent_decode(raw_name);
  auto age = percent_decode(query_value(query, "age"));
  if (!name || !age) return std::nullopt;
  return chat_user{std::move(*name), std::move(*age)};
}

}  // namespace parley::beast_peer
