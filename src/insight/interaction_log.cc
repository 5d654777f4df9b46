#include "insight/interaction_log.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <unordered_map>

namespace cf {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Splits `line` into whitespace-separated tokens (at most 3 are kept: enough to detect extras).
int Tokens(std::string_view line, std::string_view out[3]) {
  int n = 0;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size()) break;
    size_t j = i;
    while (j < line.size() && !IsSpace(line[j])) ++j;
    if (n < 3) out[n] = line.substr(i, j - i);
    ++n;
    i = j;
  }
  return n;
}

std::optional<int64_t> ParseId(std::string_view token) {
  int64_t v = 0;
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::string Shorten(std::string_view s) {
  constexpr size_t kMax = 60;
  return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}

}  // namespace

InteractionLog ParseInteractionLog(std::istream& in, const std::string& source) {
  InteractionLog log;
  log.source = source;
  uint64_t h = 0xcbf29ce484222325ULL;
  std::unordered_map<int64_t, int32_t> user_index;
  std::unordered_map<int64_t, int32_t> item_index;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    for (char c : line) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    h ^= static_cast<unsigned char>('\n');
    h *= 0x100000001b3ULL;
    std::string_view tok[3];
    const int n = Tokens(line, tok);
    if (n == 0) continue;
    if (n != 2) {
      throw InteractionLogError(fmt::format(
          "{}:{}: expected two integer ids `user item`, found {} field{}: '{}'; fix or remove "
          "the line",
          source, line_no, n, n == 1 ? "" : "s", Shorten(line)));
    }
    const auto user = ParseId(tok[0]);
    const auto item = ParseId(tok[1]);
    if (!user || !item) {
      throw InteractionLogError(
          fmt::format("{}:{}: {} id '{}' is not an integer; each line must be `user item` with "
                      "integer ids",
                      source, line_no, !user ? "user" : "item", Shorten(!user ? tok[0] : tok[1])));
    }
    auto [uit, new_user] = user_index.try_emplace(*user, static_cast<int32_t>(log.user_ids.size()));
    if (new_user) {
      log.user_ids.push_back(*user);
      log.sequences.emplace_back();
    }
    auto [iit, new_item] =
        item_index.try_emplace(*item, static_cast<int32_t>(log.item_ids.size() + 1));
    if (new_item) log.item_ids.push_back(*item);
    log.sequences[uit->second].push_back(iit->second);
    ++log.lines;
  }
  if (in.bad())
    throw InteractionLogError(fmt::format("{}: read error after line {}", source, line_no));
  if (log.lines == 0) {
    throw InteractionLogError(fmt::format(
        "{}: no interactions ({} line{} read); expected lines of `user item` integer ids", source,
        line_no, line_no == 1 ? "" : "s"));
  }
  log.fingerprint = h;
  return log;
}

InteractionLog LoadInteractionLog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InteractionLogError(
        fmt::format("{}: cannot open ({}); pass an existing `user item` log with --data", path,
                    std::strerror(errno)));
  }
  return ParseInteractionLog(in, path);
}

std::optional<HeldOutCase> HeldOutFor(std::span<const int32_t> sequence, HeldOut which) {
  const size_t n = sequence.size();
  if (n < kMinEvaluatedLength) return std::nullopt;
  const size_t t = which == HeldOut::kTest ? n - 1 : n - 2;
  return HeldOutCase{sequence.first(t), sequence[t]};
}

std::vector<HeldOutCase> HeldOutCases(const InteractionLog& log, HeldOut which) {
  std::vector<HeldOutCase> cases;
  for (const auto& seq : log.sequences) {
    if (auto c = HeldOutFor(seq, which)) cases.push_back(*c);
  }
  return cases;
}

}  // namespace cf
