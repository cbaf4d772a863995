#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "config/error.hpp"
#include "config/keys.hpp"
#include "config/parse_value.hpp"
#include "config/sources.hpp"

namespace parley::config {
namespace {

// One key = value of the file, or something in it that is not a key.
struct entry {
  toml::source_position where;
  std::string name;               // dotted: "server.port"
  const toml::node* node;         // the value
  const key* k;                   // nullptr: not a key
  std::string_view what = "key";  // what an unknown name is: "key" or "table"
};

bool is_table_name(std::string_view name) {
  const auto keys = all_keys();
  return std::any_of(keys.begin(), keys.end(), [name](const key& k) {
    return k.name.size() > name.size() && k.name.starts_with(name) && k.name[name.size()] == '.';
  });
}

std::vector<entry> entries_of(const toml::table& root) {
  std::vector<entry> entries;
  for (const auto& [section, node] : root) {
    const std::string section_name(section.str());
    const auto* table = node.as_table();
    if (table == nullptr || !is_table_name(section_name)) {
      entries.push_back(
          {node.source().begin, section_name, &node, nullptr, table == nullptr ? "key" : "table"});
      continue;
    }
    for (const auto& [name, value_node] : *table) {
      const auto full = section_name + "." + std::string(name.str());
      entries.push_back({value_node.source().begin, full, &value_node, find_key(full)});
    }
  }
  // Errors are reported in file order: the first one a reader of the file would meet.
  std::stable_sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  return entries;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "a whole number";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "true or false";
    default:
      return "a date or time";
  }
}

// " = value" for a value of a simple type, for an error line; empty for a table or an array.
std::string shown(const toml::node& node) {
  if (const auto* s = node.as_string()) return " = " + to_toml(s->get());
  if (const auto* f = node.as_floating_point()) return " = " + to_toml(f->get());
  if (const auto* i = node.as_integer()) return " = " + to_toml(i->get());
  if (const auto* b = node.as_boolean()) return " = " + to_toml(b->get());
  return {};
}

// The node as the key's type; throws problem when it is of another TOML type.
value typed(const key& k, const toml::node& node) {
  switch (k.target.type) {
    case value_type::boolean:
      if (const auto* b = node.as_boolean()) return b->get();
      throw problem(fmt::format("must be true or false, not {}", type_name(node)));
    case value_type::integer:
      if (const auto* i = node.as_integer()) return i->get();
      throw problem(fmt::format("must be a whole number, not {}", type_name(node)));
    case value_type::ratio:
      if (const auto* f = node.as_floating_point()) return f->get();
      if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
      throw problem(fmt::format("must be a number, not {}", type_name(node)));
    case value_type::text:
      break;
  }
  if (const auto* s = node.as_string()) return s->get();
  throw problem(fmt::format("must be a string, not {}", type_name(node)));
}

}  // namespace

void apply_toml(std::string_view document, std::string_view source, options& opts) {
  toml::table root;
  try {
    root = toml::parse(document, source);
  } catch (const toml::parse_error& trouble) {
    throw error(fmt::format("{}:{}:{}: {}", source, trouble.source().begin.line,
                            trouble.source().begin.column, one_line(trouble.description())));
  }
  for (const auto& item : entries_of(root)) {
    if (item.k == nullptr) {
      throw error(fmt::format("{}: unknown {} '{}' (docs/configuration.md lists the keys)", source,
                              item.what, one_line(item.name)));
    }
    value v;
    try {
      v = typed(*item.k, *item.node);
    } catch (const problem& trouble) {
      throw error(
          fmt::format("{}: {}{}: {}", source, item.name, shown(*item.node), trouble.what()));
    }
    store_checked(*item.k, v, opts, fmt::format("{}: {} = {}", source, item.name, to_toml(v)));
  }
}

void apply_file(const std::string& path, options& opts) {
  std::string document;
  try {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::ios_base::failure("cannot open");
    // A folder opens, and fails on the first read (EISDIR), by an exception or by badbit.
    document.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    if (file.bad()) throw std::ios_base::failure("cannot read");
  } catch (const std::ios_base::failure&) {
    throw error(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  }
  apply_toml(document, path, opts);
}

}  // namespace parley::config
