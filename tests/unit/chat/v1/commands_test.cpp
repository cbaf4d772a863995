#include "chat/v1/commands.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace parley::chat::v1 {
namespace {

// The command `text` parses to; fails the test when it is refused.
command parsed(std::string_view text) {
  auto result = parse_command(text);
  if (const auto* problem = std::get_if<command_error>(&result)) {
    ADD_FAILURE() << text << " refused: " << name(problem->code) << " " << problem->reason;
    return {};
  }
  return std::get<command>(result);
}

// Why `text` is refused; fails the test when it is taken.
command_error refused(std::string_view text) {
  auto result = parse_command(text);
  if (std::holds_alternative<command>(result)) {
    ADD_FAILURE() << text << " was taken";
    return {};
  }
  return std::get<command_error>(result);
}

// --- each request ------------------------------------------------------------------------------

TEST(v1_commands, reads_send_with_text_and_no_client_id) {
  const auto c = parsed(R"({"type":"send","room":"lobby","text":"hi \"bob\"\n\u00e9"})");
  EXPECT_EQ(c.type, command_type::send);
  EXPECT_EQ(c.room, "lobby");
  EXPECT_EQ(c.text, "hi \"bob\"\n\xC3\xA9");
  EXPECT_EQ(c.client_id, "");
}

TEST(v1_commands, reads_send_with_client_id) {
  const auto c = parsed(R"({"type":"send","room":"dev","text":"","client_id":"c-1"})");
  EXPECT_EQ(c.type, command_type::send);
  EXPECT_EQ(c.text, "");
  EXPECT_EQ(c.client_id, "c-1");
}

TEST(v1_commands, takes_a_client_id_of_exactly_64_bytes) {
  const std::string id(k_max_client_id, 'x');
  const auto c = parsed(R"({"type":"send","room":"r","text":"t","client_id":")" + id + "\"}");
  EXPECT_EQ(c.client_id, id);
}

TEST(v1_commands, reads_join_without_since) {
  const auto c = parsed(R"({"type":"join","room":"dev"})");
  EXPECT_EQ(c.type, command_type::join);
  EXPECT_EQ(c.room, "dev");
  EXPECT_FALSE(c.since.has_value());
}

TEST(v1_commands, reads_join_with_since_from_zero_to_the_largest_id) {
  EXPECT_EQ(parsed(R"({"type":"join","room":"dev","since":0})").since, 0U);
  EXPECT_EQ(parsed(R"({"type":"join","room":"dev","since":41})").since, 41U);
  EXPECT_EQ(parsed(R"({"type":"join","room":"dev","since":18446744073709551615})").since,
            UINT64_MAX);
}

TEST(v1_commands, reads_leave_and_typing) {
  const auto leave = parsed(R"({"type":"leave","room":"a.b"})");
  EXPECT_EQ(leave.type, command_type::leave);
  EXPECT_EQ(leave.room, "a.b");
  const auto typing = parsed(R"({"type":"typing","room":"a_b"})");
  EXPECT_EQ(typing.type, command_type::typing);
  EXPECT_EQ(typing.room, "a_b");
}

TEST(v1_commands, reads_history_with_defaults) {
  const auto c = parsed(R"({"type":"history","room":"lobby"})");
  EXPECT_EQ(c.type, command_type::history);
  EXPECT_FALSE(c.before.has_value());
  EXPECT_EQ(c.limit, 50U);
}

TEST(v1_commands, reads_history_with_before_and_limit_at_both_ends) {
  const auto c = parsed(R"({"type":"history","room":"lobby","before":41,"limit":20})");
  EXPECT_EQ(c.before, 41U);
  EXPECT_EQ(c.limit, 20U);
  EXPECT_EQ(parsed(R"({"type":"history","room":"l","limit":1})").limit, 1U);
  EXPECT_EQ(parsed(R"({"type":"history","room":"l","limit":100})").limit, k_max_history_limit);
}

TEST(v1_commands, ignores_unknown_fields_and_their_order) {
  const auto c = parsed(R"({"extra":[1,{"x":null}],"text":"t","room":"r","type":"send","v":2})");
  EXPECT_EQ(c.type, command_type::send);
  EXPECT_EQ(c.text, "t");
  EXPECT_EQ(c.room, "r");
}

TEST(v1_commands, leaves_room_names_to_the_caller) {
  // Whether a room name is valid is the caller's check (bad_room), not the parser's.
  EXPECT_EQ(parsed(R"({"type":"leave","room":""})").room, "");
  EXPECT_EQ(parsed(R"({"type":"leave","room":"no spaces!"})").room, "no spaces!");
}

TEST(v1_commands, parses_many_requests_in_turn_with_one_parser) {
  for (int i = 0; i < 100; ++i) {
    const std::string text = "m" + std::to_string(i);
    EXPECT_EQ(parsed(R"({"type":"send","room":"r","text":")" + text + "\"}").text, text);
    EXPECT_EQ(refused("{").code, error_code::bad_json);
  }
}

// --- malformed JSON ----------------------------------------------------------------------------

TEST(v1_commands, refuses_what_is_not_json_with_bad_json) {
  for (std::string_view text :
       {"", " ", "{", "}", "hello", R"({"type":"send",})", R"({"type":'send'})", "{\"type\":\"se",
        R"({"type":"send","room":"r","text":"t"} trailing)", R"({"a":1}{"b":2})"}) {
    SCOPED_TRACE(text);
    const auto e = refused(text);
    EXPECT_EQ(e.code, error_code::bad_json);
    EXPECT_EQ(e.reason, "Not valid JSON.");
    EXPECT_EQ(e.room, "");
  }
}

TEST(v1_commands, refuses_json_that_is_not_an_object_with_bad_json) {
  for (std::string_view text : {"[]", R"(["send"])", "42", R"("send")", "null", "true"}) {
    SCOPED_TRACE(text);
    const auto e = refused(text);
    EXPECT_EQ(e.code, error_code::bad_json);
    EXPECT_EQ(e.reason, "Not a JSON object.");
  }
}

TEST(v1_commands, refuses_nesting_beyond_the_parsers_depth_with_bad_json) {
  const std::string deep = R"({"type":"send","room":"r","text":"t","x":)" + std::string(5000, '[') +
                           std::string(5000, ']') + "}";
  EXPECT_EQ(refused(deep).code, error_code::bad_json);
}

// --- type -------------------------------------------------------------------------------------

TEST(v1_commands, refuses_a_missing_type_with_bad_request) {
  const auto e = refused(R"({"room":"lobby","text":"hi"})");
  EXPECT_EQ(e.code, error_code::bad_request);
  EXPECT_EQ(e.reason, "'type' is missing.");
  EXPECT_EQ(e.room, "lobby");  // the error names the request's room
}

TEST(v1_commands, refuses_a_type_that_is_not_a_string_with_bad_request) {
  for (std::string_view text : {R"({"type":1,"room":"r"})", R"({"type":null,"room":"r"})",
                                R"({"type":["send"],"room":"r"})"}) {
    SCOPED_TRACE(text);
    const auto e = refused(text);
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.reason, "'type' must be a string.");
  }
}

TEST(v1_commands, refuses_an_unknown_type_with_unknown_type) {
  for (std::string_view text :
       {R"({"type":"shout","room":"r"})", R"({"type":"","room":"r"})",
        R"({"type":"SEND","room":"r","text":"t"})", R"({"type":"send ","room":"r","text":"t"})"}) {
    SCOPED_TRACE(text);
    const auto e = refused(text);
    EXPECT_EQ(e.code, error_code::unknown_type);
    EXPECT_EQ(e.reason, "Unknown request type.");
    EXPECT_EQ(e.room, "r");
  }
}

// --- room -------------------------------------------------------------------------------------

TEST(v1_commands, refuses_every_request_without_a_room_with_bad_request) {
  for (std::string_view type : {"send", "join", "leave", "history", "typing"}) {
    SCOPED_TRACE(type);
    const auto e = refused(R"({"type":")" + std::string(type) + R"(","text":"t"})");
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.reason, "'room' is missing.");
  }
}

TEST(v1_commands, refuses_a_room_that_is_not_a_string_with_bad_request) {
  for (std::string_view text :
       {R"({"type":"join","room":7})", R"({"type":"join","room":null})",
        R"({"type":"join","room":{"name":"r"}})", R"({"type":"join","room":["r"]})"}) {
    SCOPED_TRACE(text);
    const auto e = refused(text);
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.reason, "'room' must be a string.");
    EXPECT_EQ(e.room, "");
  }
}

// --- send -------------------------------------------------------------------------------------

TEST(v1_commands, refuses_send_without_text_with_bad_request) {
  const auto e = refused(R"({"type":"send","room":"r","client_id":"c-9"})");
  EXPECT_EQ(e.code, error_code::bad_request);
  EXPECT_EQ(e.reason, "'text' is missing.");
  EXPECT_EQ(e.room, "r");
  EXPECT_EQ(e.client_id, "c-9");  // so the sender can tell which retry failed
}

TEST(v1_commands, refuses_text_that_is_not_a_string_with_bad_request) {
  for (std::string_view text :
       {R"({"type":"send","room":"r","text":5})", R"({"type":"send","room":"r","text":null})",
        R"({"type":"send","room":"r","text":["a"]})",
        R"({"type":"send","room":"r","text":true})"}) {
    SCOPED_TRACE(text);
    const auto e = refused(text);
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.reason, "'text' must be a string.");
  }
}

TEST(v1_commands, refuses_a_client_id_that_is_not_a_string_with_bad_request) {
  const auto e = refused(R"({"type":"send","room":"r","text":"t","client_id":17})");
  EXPECT_EQ(e.code, error_code::bad_request);
  EXPECT_EQ(e.reason, "'client_id' must be a string.");
  EXPECT_EQ(e.client_id, "");
}

TEST(v1_commands, refuses_an_empty_client_id_with_bad_request) {
  const auto e = refused(R"({"type":"send","room":"r","text":"t","client_id":""})");
  EXPECT_EQ(e.code, error_code::bad_request);
  EXPECT_EQ(e.reason, "'client_id' must be 1 to 64 bytes.");
}

TEST(v1_commands, refuses_a_client_id_over_64_bytes_without_echoing_it) {
  const std::string id(k_max_client_id + 1, 'x');
  const auto e = refused(R"({"type":"send","room":"r","text":"t","client_id":")" + id + "\"}");
  EXPECT_EQ(e.code, error_code::bad_request);
  EXPECT_EQ(e.reason, "'client_id' must be 1 to 64 bytes.");
  EXPECT_EQ(e.room, "r");
  // An error event carries only a client_id the protocol allows: a client may send a huge one.
  EXPECT_EQ(e.client_id, "");
}

// --- join -------------------------------------------------------------------------------------

TEST(v1_commands, refuses_since_that_is_not_a_whole_number_from_zero_with_bad_request) {
  for (std::string_view since : {"-1", "1.5", "1e3", "\"4\"", "null", "true", "[4]"}) {
    SCOPED_TRACE(since);
    const auto e = refused(R"({"type":"join","room":"dev","since":)" + std::string(since) + "}");
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.reason, "'since' must be a whole number from 0.");
    EXPECT_EQ(e.room, "dev");
  }
}

TEST(v1_commands, refuses_since_beyond_64_bits) {
  const auto e = refused(R"({"type":"join","room":"dev","since":18446744073709551616})");
  // simdjson refuses such a number either while parsing or as a uint64.
  EXPECT_TRUE(e.code == error_code::bad_json || e.code == error_code::bad_request) << name(e.code);
}

// --- history ----------------------------------------------------------------------------------

TEST(v1_commands, refuses_a_limit_of_zero_or_over_100_with_bad_request) {
  for (std::string_view limit : {"0", "101", "1000000"}) {
    SCOPED_TRACE(limit);
    const auto e = refused(R"({"type":"history","room":"r","limit":)" + std::string(limit) + "}");
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_EQ(e.reason, "'limit' must be from 1 to 100.");
    EXPECT_EQ(e.room, "r");
  }
}

TEST(v1_commands, refuses_a_limit_or_before_of_the_wrong_type_with_bad_request) {
  for (std::string_view text : {R"({"type":"history","room":"r","limit":"5"})",
                                R"({"type":"history","room":"r","limit":-5})",
                                R"({"type":"history","room":"r","limit":2.5})",
                                R"({"type":"history","room":"r","before":"41"})",
                                R"({"type":"history","room":"r","before":-1})",
                                R"({"type":"history","room":"r","before":null})"}) {
    SCOPED_TRACE(text);
    const auto e = refused(text);
    EXPECT_EQ(e.code, error_code::bad_request);
    EXPECT_TRUE(e.reason == "'limit' must be a whole number from 0." ||
                e.reason == "'before' must be a whole number from 0.")
        << e.reason;
  }
}

// --- which problem is told --------------------------------------------------------------------

TEST(v1_commands, ignores_fields_of_other_requests) {
  // `text` means nothing to a join, `since` nothing to a send: neither is checked.
  EXPECT_EQ(parsed(R"({"type":"join","room":"r","text":5})").type, command_type::join);
  EXPECT_EQ(parsed(R"({"type":"send","room":"r","text":"t","since":"x"})").type,
            command_type::send);
  EXPECT_EQ(parsed(R"({"type":"typing","room":"r","limit":0})").type, command_type::typing);
}

TEST(v1_commands, names_the_client_id_of_a_refused_request_of_any_type) {
  const auto e = refused(R"({"type":"nope","room":"r","client_id":"abc"})");
  EXPECT_EQ(e.code, error_code::unknown_type);
  EXPECT_EQ(e.client_id, "abc");
}

}  // namespace
}  // namespace parley::chat::v1
