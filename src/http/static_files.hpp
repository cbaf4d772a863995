#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::http {

struct static_file {
  std::string content;
  std::string_view content_type;
};

// The web client's files: compiled into the binary, or read from a folder when one is given
// (--web-root, for working on the client without rebuilding the server).
class static_files {
 public:
  explicit static_files(std::string root = {});

  // The file for a request path ("/" is "/index.html"); nothing for unknown paths or paths that
  // try to leave the folder.
  [[nodiscard]] std::optional<static_file> find(std::string_view path) const;

 private:
  std::string root_;
};

std::string_view content_type_for(std::string_view path);

}  // namespace parley::http
