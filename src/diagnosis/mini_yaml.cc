#include "diagnosis/mini_yaml.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace cf::diagnosis {

const YamlValue* YamlRecord::Find(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

// Parses one line's value text (flow collections and scalars) with position tracking.
class FlowParser {
 public:
  FlowParser(std::string_view text, const std::string& file, int line)
      : s_(text), file_(file), line_(line) {}

  YamlValue ParseWhole() {
    SkipSpace();
    YamlValue v = ParseValue(/*in_flow=*/false);
    SkipSpace();
    if (pos_ < s_.size())
      Fail(fmt::format("unexpected text '{}' after the value", s_.substr(pos_)));
    return v;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    throw YamlError(
        fmt::format("{}:{}: {} (column {}); this reader accepts only `key: value` "
                    "lines with scalars, {{'k':v}} or [{{...}}] values",
                    file_, line_, what, pos_ + 1));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool At(char c) {
    SkipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void Expect(char c) {
    if (!At(c)) {
      Fail(pos_ < s_.size() ? fmt::format("expected '{}' but found '{}'", c, s_[pos_])
                            : fmt::format("expected '{}' but the line ended", c));
    }
    ++pos_;
  }

  YamlValue ParseValue(bool in_flow) {
    SkipSpace();
    if (pos_ >= s_.size()) return YamlValue{};  // empty scalar
    const char c = s_[pos_];
    if (c == '{') return ParseMap();
    if (c == '[') return ParseList();
    YamlValue v;
    v.scalar = ParseScalar(in_flow);
    return v;
  }

  std::string ParseScalar(bool in_flow) {
    SkipSpace();
    if (pos_ >= s_.size()) Fail("expected a value");
    const char q = s_[pos_];
    if (q == '\'' || q == '"') {
      ++pos_;
      std::string out;
      for (;;) {
        if (pos_ >= s_.size()) Fail("unterminated quoted string");
        const char c = s_[pos_++];
        if (c == q) {
          if (q == '\'' && pos_ < s_.size() && s_[pos_] == '\'') {
            out += '\'';
            ++pos_;
            continue;
          }
          break;
        }
        if (q == '"' && c == '\\') {
          if (pos_ >= s_.size()) Fail("unterminated escape");
          const char e = s_[pos_++];
          if (e != '"' && e != '\\') Fail(fmt::format("unsupported escape '\\{}'", e));
          out += e;
          continue;
        }
        out += c;
      }
      return out;
    }
    const size_t start = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (in_flow && (c == ',' || c == '}' || c == ']' || c == ':')) break;
      if (!in_flow && (c == '{' || c == '[')) Fail("unexpected bracket inside a plain scalar");
      ++pos_;
    }
    size_t end = pos_;
    while (end > start && (s_[end - 1] == ' ' || s_[end - 1] == '\t')) --end;
    if (end == start) Fail("expected a value");
    const std::string text(s_.substr(start, end - start));
    if (text[0] == '&' || text[0] == '*' || text[0] == '!' || text[0] == '|' || text[0] == '>') {
      Fail(fmt::format("unsupported YAML feature '{}'", text[0]));
    }
    return text;
  }

  YamlValue ParseMap() {
    Expect('{');
    YamlValue v;
    v.kind = YamlValue::Kind::kMap;
    if (At('}')) {
      ++pos_;
      return v;
    }
    for (;;) {
      std::string key = ParseScalar(/*in_flow=*/true);
      Expect(':');
      for (const auto& [k, unused] : v.map) {
        if (k == key) Fail(fmt::format("duplicate key '{}'", key));
      }
      v.map.emplace_back(std::move(key), ParseValue(/*in_flow=*/true));
      if (At(',')) {
        ++pos_;
        continue;
      }
      Expect('}');
      return v;
    }
  }

  YamlValue ParseList() {
    Expect('[');
    YamlValue v;
    v.kind = YamlValue::Kind::kList;
    if (At(']')) {
      ++pos_;
      return v;
    }
    for (;;) {
      v.list.push_back(ParseValue(/*in_flow=*/true));
      if (At(',')) {
        ++pos_;
        continue;
      }
      Expect(']');
      return v;
    }
  }

  std::string_view s_;
  const std::string& file_;
  int line_;
  size_t pos_ = 0;
};

// Removes a trailing comment (" #..." outside quotes).
std::string_view StripComment(std::string_view line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

}  // namespace

std::vector<YamlRecord> ParseYamlRecords(std::string_view text, const std::string& file_name) {
  std::vector<YamlRecord> records;
  int line_no = 0;
  size_t field_indent = 0;  // column where the current record's keys start
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = StripComment(line);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) {
      if (nl == text.size()) break;
      continue;
    }
    if (line_no == 1 && line == "---") continue;
    const auto fail = [&](const std::string& what) {
      throw YamlError(fmt::format("{}:{}: {}", file_name, line_no, what));
    };
    if (line.find('\t') != std::string_view::npos && line.find_first_not_of(" \t") > 0 &&
        line.substr(0, line.find_first_not_of(" \t")).find('\t') != std::string_view::npos) {
      fail("tab used for indentation; use spaces");
    }
    const size_t indent = line.find_first_not_of(' ');
    std::string_view body = line.substr(indent);
    if (body.substr(0, 1) == "-" && (body.size() == 1 || body[1] == ' ')) {
      if (indent != 0)
        fail("a list item ('- ') must start at column 1: nested lists are not supported");
      records.push_back(YamlRecord{line_no, {}});
      const size_t rest = body.find_first_not_of(' ', 1);
      if (rest == std::string_view::npos) {
        field_indent = 0;  // keys follow on the next lines
        continue;
      }
      field_indent = rest;
      body = body.substr(rest);
    } else {
      if (records.empty()) fail("expected a list item starting with '- '");
      if (indent == 0) fail("expected a list item ('- ') or an indented 'key: value' line");
      if (field_indent == 0) field_indent = indent;
      if (indent != field_indent) {
        fail(fmt::format("inconsistent indentation: expected {} spaces, found {}", field_indent,
                         indent));
      }
    }
    // body is "key: value"
    size_t colon = std::string_view::npos;
    char quote = 0;
    for (size_t i = 0; i < body.size(); ++i) {
      const char c = body[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ':' && (i + 1 == body.size() || body[i + 1] == ' ')) {
        colon = i;
        break;
      }
    }
    if (colon == std::string_view::npos || colon == 0) {
      fail(fmt::format("expected 'key: value', got '{}'", body));
    }
    std::string key(body.substr(0, colon));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    if (key.size() >= 2 && (key[0] == '\'' || key[0] == '"') && key.back() == key[0]) {
      key = key.substr(1, key.size() - 2);
    }
    const std::string_view value_text = colon + 1 < body.size() ? body.substr(colon + 1) : "";
    if (value_text.find_first_not_of(' ') == std::string_view::npos) {
      fail(fmt::format("key '{}' has no value on its line (nested block values are not supported)",
                       key));
    }
    YamlRecord& rec = records.back();
    if (rec.Find(key)) fail(fmt::format("duplicate key '{}' in this item", key));
    rec.fields.emplace_back(key, FlowParser(value_text, file_name, line_no).ParseWhole());
    if (nl == text.size()) break;
  }
  return records;
}

std::vector<YamlRecord> LoadYamlRecords(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw YamlError(fmt::format("cannot open {}: check the path (expected a YAML list of cases)",
                                path.string()));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseYamlRecords(ss.str(), path.string());
}

}  // namespace cf::diagnosis
