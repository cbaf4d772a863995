#include "ws/deflate_negotiation.hpp"

#include <algorithm>
#include <cctype>

#include "ws/extension_header.hpp"

namespace parley::ws {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// RFC 7692 §7.1.2: 1*DIGIT without a leading zero, 8 to 15.
std::optional<int> window_bits(const std::string& text) {
  if (text.empty() || text.size() > 2 || text.front() == '0') return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int bits = std::stoi(text);
  if (bits < 8 || bits > 15) return std::nullopt;
  return bits;
}

// The answer to one permessage-deflate offer, or nothing when the server declines it.
std::optional<deflate_agreement> answer(const extension_offer& offer) {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::optional<int> server_bits;
  bool client_bits_offered = false;
  std::optional<int> client_bits;
  for (const auto& param : offer.params) {
    // Each parameter at most once (§7); names compare exactly, as the RFC spells them.
    if (param.name == "server_no_context_takeover") {
      if (server_no_context_takeover || param.value) return std::nullopt;
      server_no_context_takeover = true;
    } else if (param.name == "client_no_context_takeover") {
      if (client_no_context_takeover || param.value) return std::nullopt;
      client_no_context_takeover = true;
    } else if (param.name == "server_max_window_bits") {
      if (server_bits || !param.value) return std::nullopt;
      server_bits = window_bits(*param.value);
      if (!server_bits) return std::nullopt;
    } else if (param.name == "client_max_window_bits") {
      if (client_bits_offered) return std::nullopt;
      client_bits_offered = true;
      if (param.value) {
        client_bits = window_bits(*param.value);
        if (!client_bits) return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  if (server_bits && *server_bits < k_server_window_bits) return std::nullopt;

  deflate_agreement agreed;
  agreed.client_no_context_takeover = client_no_context_takeover;
  agreed.response = "permessage-deflate; server_no_context_takeover";
  if (client_no_context_takeover) agreed.response += "; client_no_context_takeover";
  if (server_bits) agreed.response += "; server_max_window_bits=" + std::to_string(*server_bits);
  if (client_bits) agreed.response += "; client_max_window_bits=" + std::to_string(*client_bits);
  return agreed;
}

}  // namespace

std::optional<deflate_agreement> negotiate_deflate(std::string_view offers) {
  const auto parsed = parse_extension_offers(offers);
  if (!parsed) return std::nullopt;
  for (const auto& offer : *parsed) {
    if (!iequals(offer.name, "permessage-deflate")) continue;
    if (auto agreed = answer(offer)) return agreed;
  }
  return std::nullopt;
}

}  // namespace parley::ws
