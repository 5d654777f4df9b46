#include "bidbench/replay_log.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace cf {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

std::vector<ReplayAuction> ParseReplayLog(std::string_view text, std::string_view name) {
  std::vector<ReplayAuction> out;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    std::string_view fields[4];
    int nf = 0;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && IsSpace(line[i])) ++i;
      if (i >= line.size()) break;
      const size_t s = i;
      while (i < line.size() && !IsSpace(line[i])) ++i;
      if (nf < 4) fields[nf] = line.substr(s, i - s);
      ++nf;
    }
    if (nf == 0 || fields[0][0] == '#') continue;
    auto fail = [&](const std::string& msg) {
      throw ReplayLogError(fmt::format("{}:{}: {} (expected 'click market_price pctr', got '{}')",
                                       name, line_no, msg, line));
    };
    if (nf != 3) fail(fmt::format("{} fields instead of 3", nf));
    ReplayAuction a;
    int click = -1;
    auto r1 = std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), click);
    if (r1.ec != std::errc() || r1.ptr != fields[0].data() + fields[0].size() ||
        (click != 0 && click != 1)) {
      fail("click must be 0 or 1");
    }
    a.click = static_cast<uint8_t>(click);
    int64_t price = -1;
    auto r2 = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), price);
    if (r2.ec != std::errc() || r2.ptr != fields[1].data() + fields[1].size() || price < 0 ||
        price > 1000000000) {
      fail("market_price must be a non-negative integer");
    }
    a.price = static_cast<int32_t>(price);
    // std::from_chars for double is available in g++ 12.
    double p = -1;
    auto r3 = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), p);
    if (r3.ec != std::errc() || r3.ptr != fields[2].data() + fields[2].size() || !(p >= 0) ||
        p > 1) {
      fail("pctr must be a number in [0, 1]");
    }
    a.pctr = p;
    out.push_back(a);
  }
  return out;
}

std::vector<ReplayAuction> ReadReplayLog(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReplayLogError(fmt::format("{}: cannot open the replay log", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  auto log = ParseReplayLog(text, path.string());
  if (log.empty())
    throw ReplayLogError(fmt::format("{}: no auctions in the replay log", path.string()));
  return log;
}

void WriteReplayLog(const std::filesystem::path& path, const std::vector<ReplayAuction>& log) {
  std::FILE* f = std::fopen(path.string().c_str(), "wb");
  if (!f) throw ReplayLogError(fmt::format("{}: cannot write the replay log", path.string()));
  for (const ReplayAuction& a : log) std::fprintf(f, "%d %d %.6g\n", a.click, a.price, a.pctr);
  if (std::fclose(f) != 0) {
    throw ReplayLogError(fmt::format("{}: error writing the replay log", path.string()));
  }
}

}  // namespace cf
