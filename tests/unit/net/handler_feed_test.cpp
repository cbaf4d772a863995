#include "net/handler_feed.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::net {
namespace {

// Takes whole lines ("...\n") and keeps them; leaves a partial line. `on_line` may act on the feed.
class line_handler final : public connection_handler {
 public:
  explicit line_handler(std::vector<std::string>& lines) : lines_(lines) {}
  ~line_handler() override { *destroyed_ = true; }

  std::size_t on_data(std::span<char> bytes) override {
    std::size_t used = 0;
    const std::string_view text(bytes.data(), bytes.size());
    for (auto end = text.find('\n'); end != std::string_view::npos; end = text.find('\n', used)) {
      lines_.emplace_back(text.substr(used, end - used));
      used = end + 1;
      if (on_line) {
        on_line(lines_.back());
        if (*destroyed_ || stop_) break;  // replaced: the rest goes to the new handler
      }
    }
    return used;
  }
  void on_shutdown() override {}
  void on_slow_consumer() override {}
  void on_disconnect() override {}

  std::function<void(const std::string&)> on_line;
  std::shared_ptr<bool> destroyed_ = std::make_shared<bool>(false);
  bool stop_ = false;

 private:
  std::vector<std::string>& lines_;
};

std::span<char> span_of(std::string& text) {
  return {text.data(), text.size()};
}

TEST(handler_feed, keeps_a_partial_message_until_the_rest_arrives) {
  std::vector<std::string> lines;
  handler_feed feed;
  feed.set(std::make_unique<line_handler>(lines));
  const auto open = [] { return true; };
  std::string first = "one\ntw";
  std::string second = "o\nthr";
  std::string third = "ee\n";
  feed.deliver(span_of(first), open);
  EXPECT_EQ(lines, (std::vector<std::string>{"one"}));
  feed.deliver(span_of(second), open);
  feed.deliver(span_of(third), open);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
}

TEST(handler_feed,
     a_handler_replaced_inside_on_data_lives_until_it_returns_and_the_new_one_gets_the_rest) {
  std::vector<std::string> before;
  std::vector<std::string> after;
  handler_feed feed;
  auto first = std::make_unique<line_handler>(before);
  const auto first_destroyed = first->destroyed_;
  line_handler* old = first.get();
  old->on_line = [&](const std::string& line) {
    if (line != "upgrade") return;
    old->stop_ = true;
    feed.set(std::make_unique<line_handler>(after));
    EXPECT_FALSE(*first_destroyed);  // still running its on_data
  };
  feed.set(std::move(first));
  std::string bytes = "hello\nupgrade\nframe 1\nframe 2\npart";
  feed.deliver(span_of(bytes), [] { return true; });
  EXPECT_TRUE(*first_destroyed);
  EXPECT_EQ(before, (std::vector<std::string>{"hello", "upgrade"}));
  EXPECT_EQ(after, (std::vector<std::string>{"frame 1", "frame 2"}));
  std::string rest = "ial\n";
  feed.deliver(span_of(rest), [] { return true; });
  EXPECT_EQ(after.back(), "partial");
}

TEST(handler_feed, nothing_is_offered_or_kept_once_the_connection_is_not_open) {
  std::vector<std::string> lines;
  handler_feed feed;
  auto handler = std::make_unique<line_handler>(lines);
  line_handler* current = handler.get();
  bool open = true;
  handler->on_line = [&](const std::string& line) {
    open = line != "close";
    current->stop_ = !open;
  };
  feed.set(std::move(handler));
  std::string bytes = "close\nignored\npart";
  feed.deliver(span_of(bytes), [&] { return open; });
  std::string more = "ial\n";
  feed.deliver(span_of(more), [&] { return open; });
  EXPECT_EQ(lines, (std::vector<std::string>{"close"}));
}

}  // namespace
}  // namespace parley::net
