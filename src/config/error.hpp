#pragma once

#include <stdexcept>

namespace parley::config {

// A configuration the server must not start with. what() is one line naming the source and the
// key ("/etc/parley.toml: limits.max_queued_bytes = 12: must be between 1024 and 17179869184");
// main prints it after "parley: " and exits with code 2.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What is wrong with a value, before the source is named ("not a number"); sources catch it and
// throw an error with their context.
class problem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace parley::config
