#include "config/parse_value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>

#include "config/error.hpp"
#include "config/options.hpp"

namespace parley::config {
namespace {

[[noreturn]] void out_of_range(const key& k) {
  throw problem(fmt::format("must be between {} and {}", k.min, k.max));
}

std::int64_t parse_integer(const key& k, std::string_view text) {
  std::int64_t number = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, number);
  if (ec == std::errc::result_out_of_range) out_of_range(k);
  if (ec != std::errc{} || stop != end) {
    double real = 0;
    const auto [real_stop, real_ec] = std::from_chars(text.data(), end, real);
    if (real_ec == std::errc{} && real_stop == end) throw problem("must be a whole number");
    throw problem("not a number");
  }
  return number;
}

double parse_real(std::string_view text) {
  double number = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc{} || stop != end) throw problem("not a number");
  return number;
}

}  // namespace

value parse_text(const key& k, std::string_view text) {
  switch (k.target.type) {
    case value_type::boolean:
      if (text == "true") return true;
      if (text == "false") return false;
      throw problem("must be true or false");
    case value_type::integer:
      return parse_integer(k, text);
    case value_type::ratio:
      return parse_real(text);
    case value_type::text:
      break;
  }
  return std::string(text);
}

void check_value(const key& k, const value& v) {
  switch (k.target.type) {
    case value_type::boolean:
      return;
    case value_type::integer: {
      const auto number = std::get<std::int64_t>(v);
      if (number < k.min || number > k.max) out_of_range(k);
      return;
    }
    case value_type::ratio: {
      const auto number = std::get<double>(v);
      if (!(number >= 0.0 && number <= 1.0)) throw problem("must be between 0 and 1");  // and NaN
      return;
    }
    case value_type::text:
      break;
  }
  const auto& text = std::get<std::string>(v);
  if (!k.choices.empty() &&
      std::find(k.choices.begin(), k.choices.end(), text) == k.choices.end()) {
    throw problem(fmt::format("must be one of {}", fmt::join(k.choices, ", ")));
  }
  if (k.check) {
    if (const auto trouble = k.check(text); !trouble.empty()) throw problem(std::string(trouble));
  }
}

void store_checked(const key& k, const value& v, options& opts, std::string_view context) {
  try {
    check_value(k, v);
  } catch (const problem& trouble) {
    throw error(fmt::format("{}: {}", context, trouble.what()));
  }
  k.target.store(opts, v);
}

void store_text(const key& k, std::string_view text, options& opts, std::string_view context) {
  value v;
  try {
    v = parse_text(k, text);
  } catch (const problem& trouble) {
    throw error(fmt::format("{}: {}", context, trouble.what()));
  }
  store_checked(k, v, opts, context);
}

std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7F) {
      out += fmt::format("\\x{:02X}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

std::string single_quoted(std::string_view text) {
  std::string out = "'";
  out += one_line(text);
  out += '\'';
  return out;
}

}  // namespace parley::config
