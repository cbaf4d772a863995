#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "http/embedded_files.hpp"

namespace parley::http {
namespace {

bool contains_case_insensitive(std::string haystack, std::string needle) {
  for (auto& c : haystack) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return haystack.find(needle) != std::string::npos;
}

TEST(static_files, serves_embedded_index_html_for_root) {
  const static_files files;
  const auto root = files.find("/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(contains_case_insensitive(root->content, "<html")) << root->content.substr(0, 200);

  const auto index = files.find("/index.html");
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->content, root->content);
  EXPECT_EQ(index->content_type, root->content_type);
}

TEST(static_files, serves_every_embedded_file_with_its_content) {
  const static_files files;
  ASSERT_FALSE(embedded_files().empty());
  for (const auto& file : embedded_files()) {
    const auto found = files.find(file.path);
    ASSERT_TRUE(found.has_value()) << file.path;
    EXPECT_EQ(found->content, file.content) << file.path;
    EXPECT_EQ(found->content_type, content_type_for(file.path));
  }
}

TEST(static_files, serves_javascript_and_css_with_their_types) {
  const static_files files;
  const auto app = files.find("/app.js");
  ASSERT_TRUE(app.has_value());
  EXPECT_EQ(app->content_type, "text/javascript; charset=utf-8");
  const auto style = files.find("/style.css");
  ASSERT_TRUE(style.has_value());
  EXPECT_EQ(style->content_type, "text/css; charset=utf-8");
}

TEST(static_files, rejects_paths_with_dot_dot) {
  const static_files files;
  for (std::string_view path : {"/..", "/../index.html", "/a/../index.html", "/..%2findex.html",
                                "/x/..", "/....//index.html"}) {
    EXPECT_EQ(files.find(path), std::nullopt) << path;
  }
}

TEST(static_files, rejects_relative_and_backslash_paths) {
  const static_files files;
  for (std::string_view path : {"", "index.html", "\\index.html", "/\\index.html", "/a\\b"}) {
    EXPECT_EQ(files.find(path), std::nullopt) << path;
  }
}

TEST(static_files, unknown_path_is_nullopt) {
  const static_files files;
  EXPECT_EQ(files.find("/no-such-file.txt"), std::nullopt);
  EXPECT_EQ(files.find("/index.html/"), std::nullopt);
  EXPECT_EQ(files.find("/INDEX.HTML"), std::nullopt);
}

class static_files_on_disk : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device entropy;
    base_ = std::filesystem::temp_directory_path() /
            ("parley_static_files_test_" + std::to_string(entropy()));
    root_ = base_ / "web";
    std::filesystem::create_directories(root_ / "sub");
    write(root_ / "index.html", "<html>disk</html>");
    write(root_ / "sub" / "a.css", "body{}");
    write(base_ / "secret.txt", "do not serve");
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  static void write(const std::filesystem::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }

  std::filesystem::path base_;
  std::filesystem::path root_;
};

TEST_F(static_files_on_disk, serves_files_from_the_root_folder) {
  const static_files files(root_.string());
  const auto index = files.find("/");
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->content, "<html>disk</html>");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  const auto css = files.find("/sub/a.css");
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(css->content, "body{}");
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
}

TEST_F(static_files_on_disk, does_not_leave_the_root_folder) {
  const static_files files(root_.string());
  ASSERT_TRUE(std::filesystem::exists(root_ / ".." / "secret.txt"));
  EXPECT_EQ(files.find("/../secret.txt"), std::nullopt);
  EXPECT_EQ(files.find("/sub/../../secret.txt"), std::nullopt);
  EXPECT_EQ(files.find("/missing.html"), std::nullopt);
}

TEST_F(static_files_on_disk, a_folder_is_not_a_file) {
  const static_files files(root_.string());
  ASSERT_TRUE(std::filesystem::is_directory(root_ / "sub"));
  EXPECT_FALSE(files.find("/sub").has_value()) << "a folder was served as an empty file";
  EXPECT_FALSE(files.find("/sub/").has_value()) << "a folder was served as an empty file";
}

TEST(static_files, content_type_follows_the_extension) {
  EXPECT_EQ(content_type_for("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("/mod.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("/style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("/logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("/logo.png"), "image/png");
  EXPECT_EQ(content_type_for("/favicon.ico"), "image/x-icon");
  EXPECT_EQ(content_type_for("/site.webmanifest"), "application/json");
  EXPECT_EQ(content_type_for("/README"), "application/octet-stream");
}

}  // namespace
}  // namespace parley::http
