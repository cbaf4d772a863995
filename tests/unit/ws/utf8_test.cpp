#include "ws/utf8.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

namespace parley::ws {
namespace {

// --- a reference, written from RFC 3629's table, independent of the code under test -----------

enum class ref_state { complete, incomplete, invalid };

// Whether `bytes` is valid UTF-8 (complete), could still become valid (incomplete), or cannot.
ref_state reference_state(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    int size = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead <= 0x7F)
      size = 1;
    else if (lead >= 0xC2 && lead <= 0xDF)
      size = 2;
    else if (lead == 0xE0)
      size = 3, low = 0xA0;
    else if (lead >= 0xE1 && lead <= 0xEC)
      size = 3;
    else if (lead == 0xED)
      size = 3, high = 0x9F;
    else if (lead >= 0xEE && lead <= 0xEF)
      size = 3;
    else if (lead == 0xF0)
      size = 4, low = 0x90;
    else if (lead >= 0xF1 && lead <= 0xF3)
      size = 4;
    else if (lead == 0xF4)
      size = 4, high = 0x8F;
    else
      return ref_state::invalid;
    for (int k = 1; k < size; ++k) {
      if (i + k >= bytes.size()) return ref_state::incomplete;
      const auto byte = static_cast<unsigned char>(bytes[i + k]);
      const unsigned char lo = k == 1 ? low : 0x80;
      const unsigned char hi = k == 1 ? high : 0xBF;
      if (byte < lo || byte > hi) return ref_state::invalid;
    }
    i += static_cast<std::size_t>(size);
  }
  return ref_state::complete;
}

// Feeds `pieces` and checks after each one that feed() answers exactly whether the bytes so far
// can still begin valid UTF-8 (fail fast, never early), and at the end complete().
void expect_stream_matches_reference(const std::vector<std::string>& pieces) {
  utf8_stream_validator validator;
  std::string so_far;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    so_far += pieces[p];
    const bool expected = reference_state(so_far) != ref_state::invalid;
    const bool fed = validator.feed(pieces[p]);
    ASSERT_EQ(fed, expected) << "after piece " << p << " of " << pieces.size();
    if (!fed) return;
  }
  EXPECT_EQ(validator.complete(), reference_state(so_far) == ref_state::complete);
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 0xF];
    out += ' ';
  }
  return out;
}

std::vector<std::string> one_byte_pieces(std::string_view text) {
  std::vector<std::string> pieces;
  for (char c : text) pieces.emplace_back(1, c);
  return pieces;
}

bool stream_accepts(const std::vector<std::string>& pieces) {
  utf8_stream_validator validator;
  for (const auto& piece : pieces) {
    if (!validator.feed(piece)) return false;
  }
  return validator.complete();
}

// A long text with 1-, 2-, 3- and 4-byte characters, including the extremes of each size.
const std::string k_mixed =
    "plain ASCII \x7F"
    "\xC2\x80 \xC3\xA9t\xC3\xA9 \xDF\xBF "                                 // U+0080, é, U+07FF
    "\xE0\xA0\x80 \xE2\x82\xAC \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF "    // U+0800, €, U+D7FF,
                                                                           // U+E000, U+FFFF
    "\xF0\x90\x80\x80 \xF0\x9F\x98\x80 \xF3\xBF\xBF\xBF \xF4\x8F\xBF\xBF"  // U+10000, 😀, U+FFFFF,
                                                                           // U+10FFFF
    " J\xC3\xBCrgen \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";

// Invalid sequences, each with why.
const std::vector<std::pair<std::string, std::string>> k_invalid = {
    {"\xC0\xAF", "overlong '/' (2 bytes)"},
    {"\xC1\xBF", "overlong (2 bytes, C1)"},
    {"\xE0\x80\xAF", "overlong '/' (3 bytes)"},
    {"\xE0\x9F\xBF", "overlong U+07FF (3 bytes)"},
    {"\xF0\x80\x80\xAF", "overlong '/' (4 bytes)"},
    {"\xF0\x8F\xBF\xBF", "overlong U+FFFF (4 bytes)"},
    {"\xED\xA0\x80", "surrogate U+D800"},
    {"\xED\xBF\xBF", "surrogate U+DFFF"},
    {"\xED\xA0\xBD\xED\xB8\x80", "surrogate pair (CESU-8)"},
    {"\xF4\x90\x80\x80", "U+110000"},
    {"\xF5\x80\x80\x80", "lead F5"},
    {"\xF7\xBF\xBF\xBF", "lead F7"},
    {"\xF8\x88\x80\x80\x80", "5-byte sequence"},
    {"\xFC\x84\x80\x80\x80\x80", "6-byte sequence"},
    {"\xFE", "FE"},
    {"\xFF", "FF"},
    {"\x80", "lone continuation"},
    {"\xBF", "lone continuation BF"},
    {"a\x80z", "continuation after ASCII"},
    {"\xC3\xA9\xA9", "extra continuation"},
    {"\xC3z", "lead then ASCII"},
    {"\xE2\x82z", "3-byte lead, then ASCII too early"},
    {"\xF0\x9F\x98z", "4-byte lead, then ASCII too early"},
    {"\xC3\xC3\xA9", "lead then lead"},
};

// Truncated at the end: each is a valid prefix of a character that never finishes.
const std::vector<std::string> k_truncated = {
    "\xC3", "\xE2", "\xE2\x82", "\xF0", "\xF0\x9F", "\xF0\x9F\x98", "abc\xE2\x82", "\xF4\x8F\xBF",
};

// --- is_valid_utf8 ---------------------------------------------------------------------------

TEST(utf8, accepts_one_to_four_byte_sequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8(std::string_view("\0", 1)));
  EXPECT_TRUE(is_valid_utf8("a"));
  EXPECT_TRUE(is_valid_utf8("\x7F"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));
  EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));
  EXPECT_TRUE(is_valid_utf8(k_mixed));
}

TEST(utf8, accepts_long_text_with_characters_at_every_alignment) {
  // Long enough for SIMD paths; the 4-byte character shifts through every position of a block.
  for (std::size_t shift = 0; shift < 70; ++shift) {
    std::string text(shift, 'a');
    for (int i = 0; i < 20; ++i) text += k_mixed;
    EXPECT_TRUE(is_valid_utf8(text)) << shift;
    text += '\x80';
    EXPECT_FALSE(is_valid_utf8(text)) << shift;
  }
}

TEST(utf8, rejects_overlongs_surrogates_out_of_range_and_stray_bytes) {
  for (const auto& [bytes, why] : k_invalid) {
    EXPECT_FALSE(is_valid_utf8(bytes)) << why;
    EXPECT_FALSE(is_valid_utf8(std::string(100, 'a') + bytes + std::string(100, 'z')))
        << why << " inside text";
  }
}

TEST(utf8, rejects_text_truncated_inside_a_character) {
  for (const auto& bytes : k_truncated) EXPECT_FALSE(is_valid_utf8(bytes)) << hex(bytes);
}

// --- utf8_stream_validator -------------------------------------------------------------------

TEST(utf8_stream_validator, accepts_mixed_text_in_one_piece) {
  utf8_stream_validator validator;
  EXPECT_TRUE(validator.feed(k_mixed));
  EXPECT_TRUE(validator.complete());
}

TEST(utf8_stream_validator, accepts_mixed_text_fed_byte_by_byte) {
  utf8_stream_validator validator;
  std::size_t i = 0;
  for (char c : k_mixed) {
    ASSERT_TRUE(validator.feed(std::string_view(&c, 1))) << "at byte " << i;
    ++i;
  }
  EXPECT_TRUE(validator.complete());
}

TEST(utf8_stream_validator, complete_is_false_exactly_inside_a_character_when_fed_byte_by_byte) {
  utf8_stream_validator validator;
  for (std::size_t i = 0; i < k_mixed.size(); ++i) {
    ASSERT_TRUE(validator.feed(k_mixed.substr(i, 1)));
    const bool boundary = reference_state(k_mixed.substr(0, i + 1)) == ref_state::complete;
    EXPECT_EQ(validator.complete(), boundary) << "after byte " << i;
  }
}

TEST(utf8_stream_validator, accepts_every_two_and_three_way_split_of_mixed_text) {
  const std::string text = k_mixed.substr(0, 80);
  for (std::size_t a = 0; a <= text.size(); ++a) {
    for (std::size_t b = a; b <= text.size(); ++b) {
      utf8_stream_validator validator;
      ASSERT_TRUE(validator.feed(text.substr(0, a)));
      ASSERT_TRUE(validator.feed(text.substr(a, b - a))) << a << " " << b;
      ASSERT_TRUE(validator.feed(text.substr(b))) << a << " " << b;
      ASSERT_EQ(validator.complete(), reference_state(text) == ref_state::complete);
    }
  }
}

TEST(utf8_stream_validator, accepts_every_split_of_each_multi_byte_character) {
  for (std::string character :
       {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF"}) {
    for (std::size_t a = 0; a <= character.size(); ++a) {
      for (std::size_t b = a; b <= character.size(); ++b) {
        EXPECT_TRUE(stream_accepts({std::string("x").append(character.substr(0, a)),
                                    character.substr(a, b - a), character.substr(b)}))
            << hex(character) << " split " << a << "," << b;
      }
    }
  }
}

TEST(utf8_stream_validator, accepts_empty_pieces_anywhere) {
  EXPECT_TRUE(stream_accepts({"", "\xE2", "", "\x82", "", "\xAC", ""}));
  utf8_stream_validator validator;
  EXPECT_TRUE(validator.feed(""));
  EXPECT_TRUE(validator.complete());
}

TEST(utf8_stream_validator, rejects_invalid_sequences_however_they_are_split) {
  for (const auto& [bytes, why] : k_invalid) {
    const std::string text = "ok " + bytes + " tail";
    EXPECT_FALSE(stream_accepts({text})) << why;
    EXPECT_FALSE(stream_accepts(one_byte_pieces(text))) << why << " byte by byte";
    for (std::size_t a = 0; a <= text.size(); ++a) {
      EXPECT_FALSE(stream_accepts({text.substr(0, a), text.substr(a)})) << why << " split at " << a;
    }
  }
}

TEST(utf8_stream_validator, is_not_complete_when_the_message_ends_inside_a_character) {
  for (const auto& bytes : k_truncated) {
    utf8_stream_validator whole;
    EXPECT_TRUE(whole.feed(bytes)) << hex(bytes);
    EXPECT_FALSE(whole.complete()) << hex(bytes);

    utf8_stream_validator bytewise;
    for (char c : bytes) EXPECT_TRUE(bytewise.feed(std::string_view(&c, 1))) << hex(bytes);
    EXPECT_FALSE(bytewise.complete()) << hex(bytes);
  }
}

TEST(utf8_stream_validator, fails_fast_on_an_impossible_prefix) {
  // None of these can begin valid UTF-8, whatever follows: feed() says so at once.
  for (std::string prefix :
       {"\xED\xA0", "\xF4\x90", "\xC0", "\xC1", "\xE0\x80", "\xE0\x9F", "\xF0\x80", "\xF0\x8F",
        "\xF5", "\xFF", "\x80", "\xC3z", "\xE2\x82z"}) {
    utf8_stream_validator validator;
    EXPECT_FALSE(validator.feed(prefix)) << hex(prefix);

    utf8_stream_validator after_text;
    EXPECT_FALSE(after_text.feed("abc" + prefix)) << "after text " << hex(prefix);

    utf8_stream_validator bytewise;  // the byte that makes it impossible is rejected on arrival
    bool rejected = false;
    for (char c : prefix) rejected = rejected || !bytewise.feed(std::string_view(&c, 1));
    EXPECT_TRUE(rejected) << "byte by byte " << hex(prefix);
  }
}

TEST(utf8_stream_validator, fails_fast_when_the_second_byte_arrives_in_a_later_piece) {
  utf8_stream_validator surrogate;
  ASSERT_TRUE(surrogate.feed("abc\xED"));
  EXPECT_FALSE(surrogate.feed("\xA0"));

  utf8_stream_validator too_high;
  ASSERT_TRUE(too_high.feed("\xF4"));
  EXPECT_FALSE(too_high.feed("\x90"));

  utf8_stream_validator overlong;
  ASSERT_TRUE(overlong.feed("\xE0"));
  EXPECT_FALSE(overlong.feed("\x9F"));
}

TEST(utf8_stream_validator, reset_forgets_a_pending_partial_character) {
  utf8_stream_validator validator;
  ASSERT_TRUE(validator.feed("\xE2\x82"));
  EXPECT_FALSE(validator.complete());
  validator.reset();
  EXPECT_TRUE(validator.complete());
  EXPECT_TRUE(validator.feed("plain"));
  EXPECT_TRUE(validator.complete());
}

TEST(utf8_stream_validator, matches_a_reference_on_random_bytes_in_random_pieces) {
  // Bytes chosen around every boundary of RFC 3629's table, plus whole characters.
  const std::vector<std::string> atoms = {
      "a",    "\x7F", "\x80",     "\x8F",         "\x90",
      "\x9F", "\xA0", "\xBF",     "\xC0",         "\xC1",
      "\xC2", "\xDF", "\xE0",     "\xE1",         "\xED",
      "\xEE", "\xEF", "\xF0",     "\xF1",         "\xF4",
      "\xF5", "\xFF", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  std::mt19937 random(20240601);
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    const int atoms_in_text = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < atoms_in_text; ++i) text += atoms[random() % atoms.size()];
    SCOPED_TRACE(hex(text));

    EXPECT_EQ(is_valid_utf8(text), reference_state(text) == ref_state::complete);
    expect_stream_matches_reference({text});
    expect_stream_matches_reference(one_byte_pieces(text));
    std::vector<std::string> pieces;
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t size = std::min<std::size_t>(text.size() - at, random() % 5);
      pieces.push_back(text.substr(at, size));
      at += size;
    }
    expect_stream_matches_reference(pieces);
    if (HasFatalFailure()) return;
  }
}

// --- is_valid_utf8_prefix and utf8_sequence_size -----------------------------------------------

TEST(utf8, valid_prefix_accepts_beginnings_that_can_still_complete) {
  for (std::string prefix :
       {"", "\xC2", "\xDF", "\xE0\xA0", "\xE1\x80", "\xED\x80", "\xED\x9F", "\xEF\xBF", "\xF0\x90",
        "\xF0\x90\x80", "\xF1\x80\x80", "\xF4\x80", "\xF4\x8F\xBF"}) {
    EXPECT_TRUE(is_valid_utf8_prefix(prefix)) << hex(prefix);
  }
}

TEST(utf8, valid_prefix_rejects_beginnings_that_cannot) {
  for (std::string prefix : {"\xE0\x80", "\xE0\x9F", "\xED\xA0", "\xED\xBF", "\xF0\x80", "\xF0\x8F",
                             "\xF4\x90", "\xF4\xBF", "\xC0", "\xC1", "\xF5", "\xFF", "\x80",
                             "\xC2z", "\xE2\x82z", "\xE2\xC2", "\xF0\x90\xC0"}) {
    EXPECT_FALSE(is_valid_utf8_prefix(prefix)) << hex(prefix);
  }
}

TEST(utf8, valid_prefix_rejects_sequences_already_complete) {
  for (std::string whole : {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    EXPECT_FALSE(is_valid_utf8_prefix(whole)) << hex(whole);
  }
}

TEST(utf8, sequence_size_follows_the_lead_byte) {
  EXPECT_EQ(utf8_sequence_size(0x00), 1);
  EXPECT_EQ(utf8_sequence_size(0x7F), 1);
  for (unsigned lead = 0x80; lead <= 0xC1; ++lead) EXPECT_EQ(utf8_sequence_size(lead), 0) << lead;
  EXPECT_EQ(utf8_sequence_size(0xC2), 2);
  EXPECT_EQ(utf8_sequence_size(0xDF), 2);
  EXPECT_EQ(utf8_sequence_size(0xE0), 3);
  EXPECT_EQ(utf8_sequence_size(0xEF), 3);
  EXPECT_EQ(utf8_sequence_size(0xF0), 4);
  EXPECT_EQ(utf8_sequence_size(0xF4), 4);
  for (unsigned lead = 0xF5; lead <= 0xFF; ++lead) EXPECT_EQ(utf8_sequence_size(lead), 0) << lead;
}

}  // namespace
}  // namespace parley::ws
