# Generates a C++ source that holds the files of a folder (the web client), so the one parley
# binary serves its client with no install step.
# Run as: cmake -DINPUT_DIR=... -DOUTPUT=... -P embed_files.cmake
file(GLOB_RECURSE files RELATIVE "${INPUT_DIR}" "${INPUT_DIR}/*")
list(SORT files)
set(body "")
set(table "")
set(index 0)
foreach(name IN LISTS files)
  file(READ "${INPUT_DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "constexpr char file_${index}[] = {${bytes} 0};\n")
  string(APPEND table "    {\"/${name}\", std::string_view(file_${index}, ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from web/ by cmake/embed_files.cmake; do not edit.
#include \"http/embedded_files.hpp\"

namespace parley::http {
namespace {
${body}
constexpr embedded_file files[] = {
${table}    {\"\", std::string_view()},
};
}  // namespace

std::span<const embedded_file> embedded_files() {
  return std::span<const embedded_file>(files, sizeof(files) / sizeof(files[0]) - 1);
}

}  // namespace parley::http
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
