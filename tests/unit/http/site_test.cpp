#include "http/site.hpp"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

class site_test : public ::testing::Test {
 protected:
  void SetUp() override {
    routes_.websocket_routes.push_back({"/echo", nullptr});
    routes_.websocket_routes.push_back({"/chat/", nullptr});
  }
  const websocket_route* echo() const { return &routes_.websocket_routes[0]; }
  const websocket_route* chat() const { return &routes_.websocket_routes[1]; }

  site routes_;
};

TEST_F(site_test, exact_route_matches_only_its_path) {
  EXPECT_EQ(routes_.find_websocket_route("/echo"), echo());
  EXPECT_EQ(routes_.find_websocket_route("/echo/"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/echoes"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/ech"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/echo/x"), nullptr);
}

TEST_F(site_test, prefix_route_takes_exactly_one_segment) {
  EXPECT_EQ(routes_.find_websocket_route("/chat/alice"), chat());
  EXPECT_EQ(routes_.find_websocket_route("/chat/J%C3%BCrgen"), chat());
  EXPECT_EQ(routes_.find_websocket_route("/chat/a%2Fb"),
            chat());  // an encoded slash is part of the name
  EXPECT_EQ(routes_.find_websocket_route("/chat/alice/bob"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/chat/alice/"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/chat//alice"), nullptr);
}

TEST_F(site_test, prefix_route_needs_its_whole_prefix) {
  EXPECT_EQ(routes_.find_websocket_route("/chat"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/chatroom/alice"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/x/chat/alice"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/CHAT/alice"), nullptr);
}

TEST_F(site_test, other_paths_have_no_websocket_route) {
  EXPECT_EQ(routes_.find_websocket_route("/"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route(""), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/index.html"), nullptr);
  EXPECT_EQ(routes_.find_websocket_route("/healthz"), nullptr);
}

TEST(site, without_routes_finds_nothing) {
  site empty;
  EXPECT_EQ(empty.find_websocket_route("/chat/alice"), nullptr);
}

}  // namespace
}  // namespace parley::http
