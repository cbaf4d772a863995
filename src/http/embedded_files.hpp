#pragma once

#include <span>
#include <string_view>

namespace parley::http {

// A file of the web client, compiled into the binary (see cmake/embed_files.cmake).
struct embedded_file {
  std::string_view path;  // "/index.html"
  std::string_view content;
};

std::span<const embedded_file> embedded_files();

}  // namespace parley::http
