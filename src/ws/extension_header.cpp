#include "ws/extension_header.hpp"

#include <string_view>

namespace parley::ws {
namespace {

// RFC 7230 §3.2.6 tchar.
bool is_token_char(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Reads the header left to right; every read either consumes what it wants or fails.
class reader {
 public:
  explicit reader(std::string_view text) : text_(text) {}

  void skip_space() {
    while (!text_.empty() && (text_.front() == ' ' || text_.front() == '\t'))
      text_.remove_prefix(1);
  }
  [[nodiscard]] bool at_end() const { return text_.empty(); }
  bool take(char c) {
    skip_space();
    if (text_.empty() || text_.front() != c) return false;
    text_.remove_prefix(1);
    return true;
  }
  [[nodiscard]] bool next_is(char c) {
    skip_space();
    return !text_.empty() && text_.front() == c;
  }
  std::optional<std::string> token() {
    skip_space();
    std::size_t size = 0;
    while (size < text_.size() && is_token_char(text_[size])) ++size;
    if (size == 0) return std::nullopt;
    std::string result(text_.substr(0, size));
    text_.remove_prefix(size);
    return result;
  }
  // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, returned unescaped.
  std::optional<std::string> quoted() {
    skip_space();
    if (text_.empty() || text_.front() != '"') return std::nullopt;
    std::string result;
    for (std::size_t i = 1; i < text_.size(); ++i) {
      const auto c = static_cast<unsigned char>(text_[i]);
      if (c == '"') {
        text_.remove_prefix(i + 1);
        return result;
      }
      if (c == '\\') {
        if (++i == text_.size()) return std::nullopt;
        const auto escaped = static_cast<unsigned char>(text_[i]);
        if (escaped < 0x20 && escaped != '\t') return std::nullopt;
        if (escaped == 0x7F) return std::nullopt;
        result.push_back(static_cast<char>(escaped));
        continue;
      }
      if ((c < 0x20 && c != '\t') || c == 0x7F) return std::nullopt;
      result.push_back(static_cast<char>(c));
    }
    return std::nullopt;  // no closing quote
  }

 private:
  std::string_view text_;
};

std::optional<extension_param> read_param(reader& in) {
  auto name = in.token();
  if (!name) return std::nullopt;
  extension_param param{std::move(*name), std::nullopt};
  if (!in.take('=')) return param;
  param.value = in.next_is('"') ? in.quoted() : in.token();
  if (!param.value) return std::nullopt;
  return param;
}

}  // namespace

std::optional<std::vector<extension_offer>> parse_extension_offers(std::string_view header) {
  reader in(header);
  std::vector<extension_offer> offers;
  // 1#element allows empty elements between commas ("a, , b"), though not only empty ones.
  while (true) {
    if (in.take(',')) continue;
    in.skip_space();
    if (in.at_end()) break;
    auto name = in.token();
    if (!name) return std::nullopt;
    extension_offer offer{std::move(*name), {}};
    while (in.take(';')) {
      auto param = read_param(in);
      if (!param) return std::nullopt;
      offer.params.push_back(std::move(*param));
    }
    offers.push_back(std::move(offer));
    in.skip_space();
    if (in.at_end()) break;
    if (!in.take(',')) return std::nullopt;
  }
  if (offers.empty()) return std::nullopt;
  return offers;
}

}  // namespace parley::ws
