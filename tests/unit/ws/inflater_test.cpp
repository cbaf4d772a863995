#include "ws/inflater.hpp"

#include <gtest/gtest.h>

#include "../support/deflate.hpp"

namespace parley::ws {
namespace {

using test_support::deflate_message;

constexpr std::size_t k_limit = 64 * 1024;

TEST(inflater, inflates_a_message_in_one_frame) {
  inflater in(false);
  std::string out;
  EXPECT_EQ(in.inflate(deflate_message("hello hello hello"), true, out, k_limit),
            inflate_status::ok);
  EXPECT_EQ(out, "hello hello hello");
}

TEST(inflater, inflates_a_message_split_over_frames_at_any_byte) {
  const std::string text(5000, 'x');
  const std::string body = deflate_message(text + "tail");
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, body.size() / 2, body.size()}) {
    inflater in(false);
    std::string out;
    ASSERT_EQ(in.inflate(std::string_view(body).substr(0, cut), false, out, k_limit),
              inflate_status::ok);
    ASSERT_EQ(in.inflate(std::string_view(body).substr(cut), true, out, k_limit),
              inflate_status::ok);
    EXPECT_EQ(out, text + "tail") << "cut at " << cut;
  }
}

TEST(inflater, inflates_an_empty_message) {
  inflater in(false);
  std::string out;
  EXPECT_EQ(in.inflate(deflate_message(""), true, out, k_limit), inflate_status::ok);
  EXPECT_EQ(in.inflate(std::string_view("\x00", 1), true, out, k_limit), inflate_status::ok);
  EXPECT_TRUE(out.empty());
}

TEST(inflater, keeps_the_window_between_messages_with_context_takeover) {
  // One compressor for two messages, as a client with context takeover: the second refers back.
  test_support::client_deflater client;
  const std::string phrase = "the quick brown fox jumps over the lazy dog";
  const auto first = client.message(phrase);
  const auto second = client.message(phrase);
  ASSERT_LT(second.size(), first.size());  // it did refer back

  inflater in(true);
  std::string a, b;
  EXPECT_EQ(in.inflate(first, true, a, k_limit), inflate_status::ok);
  EXPECT_EQ(in.inflate(second, true, b, k_limit), inflate_status::ok);
  EXPECT_EQ(a, phrase);
  EXPECT_EQ(b, phrase);

  inflater fresh_each_time(false);
  std::string c, d;
  EXPECT_EQ(fresh_each_time.inflate(first, true, c, k_limit), inflate_status::ok);
  // Without the first message's window the back-reference points nowhere.
  EXPECT_EQ(fresh_each_time.inflate(second, true, d, k_limit), inflate_status::corrupt);
}

TEST(inflater, stops_a_zip_bomb_at_the_limit) {
  // 10 MiB of zeros compress to about 10 KiB; the inflater must stop just past 64 KiB.
  const std::string bomb = deflate_message(std::string(10 * 1024 * 1024, '\0'));
  ASSERT_LT(bomb.size(), 20U * 1024);
  inflater in(false);
  std::string out;
  EXPECT_EQ(in.inflate(bomb, true, out, k_limit), inflate_status::too_big);
  EXPECT_LE(out.size(), k_limit + 1);
}

TEST(inflater, takes_a_message_of_exactly_the_limit) {
  inflater in(false);
  std::string out;
  EXPECT_EQ(in.inflate(deflate_message(std::string(k_limit, 'a')), true, out, k_limit),
            inflate_status::ok);
  EXPECT_EQ(out.size(), k_limit);
}

TEST(inflater, counts_earlier_frames_against_the_limit) {
  inflater in(false);
  std::string out(k_limit - 2, 'p');  // what earlier frames of the message inflated to
  EXPECT_EQ(in.inflate(deflate_message("abc"), true, out, k_limit), inflate_status::too_big);
}

TEST(inflater, reports_data_that_is_not_deflate) {
  inflater in(false);
  std::string out;
  // BTYPE 11 is reserved: an error at the first block header.
  EXPECT_EQ(in.inflate(std::string_view("\xff\xff\xff\xff", 4), true, out, k_limit),
            inflate_status::corrupt);
}

TEST(inflater, accepts_a_final_block_and_starts_afresh_after_it) {
  // A sender may end a message with BFINAL set (RFC 7692 §7.2.3.4): Z_FINISH, no tail removed.
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string text = "finished", out_bytes(256, '\0');
  z.next_in = reinterpret_cast<Bytef*>(text.data());
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out_bytes.data());
  z.avail_out = static_cast<uInt>(out_bytes.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out_bytes.resize(out_bytes.size() - z.avail_out);
  deflateEnd(&z);
  inflater in(true);
  std::string first, second;
  EXPECT_EQ(in.inflate(out_bytes, true, first, k_limit), inflate_status::ok);
  EXPECT_EQ(in.inflate(deflate_message("next"), true, second, k_limit), inflate_status::ok);
  EXPECT_EQ(first, "finished");
  EXPECT_EQ(second, "next");
}

}  // namespace
}  // namespace parley::ws
