// A parser for the small YAML subset that labelled-case files use (e.g. rca-robustspot's
// anomaly.yaml): a top-level block sequence of block mappings, whose values are plain or quoted
// scalars, flow mappings `{'k':v, 'k2':'v2'}` or flow sequences `[{...}, {...}]`.
//
//   - data: case1_0821_1741394221
//     timestamp: 1566397800
//     cause: {'bitrate':2000,'p2p':1}
//
// Promises: anything outside that subset (anchors, multi-line scalars, nested block collections,
// tabs for indentation) is rejected with a YamlError whose message starts with "<file>:<line>:"
// and says what was expected. Comments (`# ...` at the start of a line or after a space) and
// blank lines are skipped. Quoted scalars support '' (single) and \" \\ (double) escapes only.
// Pure functions; thread-safe.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cf::diagnosis {

class YamlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct YamlValue {
  enum class Kind { kScalar, kMap, kList };
  Kind kind = Kind::kScalar;
  std::string scalar;                                  // kScalar: the text, quotes removed
  std::vector<std::pair<std::string, YamlValue>> map;  // kMap: in file order
  std::vector<YamlValue> list;                         // kList
};

// One item of the top-level sequence: its keys in file order and the line it starts on.
struct YamlRecord {
  int line = 0;
  std::vector<std::pair<std::string, YamlValue>> fields;

  // The value of `key` or nullptr.
  const YamlValue* Find(std::string_view key) const;
};

// Parses `text`; `file_name` is used in messages only.
std::vector<YamlRecord> ParseYamlRecords(std::string_view text, const std::string& file_name);
// Reads and parses a file; a missing file throws YamlError naming it.
std::vector<YamlRecord> LoadYamlRecords(const std::filesystem::path& path);

}  // namespace cf::diagnosis
