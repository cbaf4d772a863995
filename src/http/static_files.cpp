#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/embedded_files.hpp"

namespace parley::http {

static_files::static_files(std::string root) : root_(std::move(root)) {}

std::string_view content_type_for(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json" || ext == "webmanifest") return "application/json";
  return "application/octet-stream";
}

std::optional<static_file> static_files::find(std::string_view path) const {
  if (path == "/") path = "/index.html";
  if (path.empty() || path.front() != '/' || path.find("..") != std::string_view::npos ||
      path.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  if (root_.empty()) {
    for (const auto& file : embedded_files()) {
      if (file.path == path) return static_file{std::string(file.content), content_type_for(path)};
    }
    return std::nullopt;
  }
  const std::string file_path = root_ + std::string(path);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file_path, ec)) return std::nullopt;
  std::ifstream in(file_path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return static_file{content.str(), content_type_for(path)};
}

}  // namespace parley::http
