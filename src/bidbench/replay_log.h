// The classic RTB replay format of public RTB research (e.g. the iPinYou "make-ipinyou-data"
// logs): one auction per line, three fields separated by spaces or tabs:
//   click market_price pctr
// click is 0 or 1, market_price a non-negative integer (the price paid on a win), pctr the CTR
// estimate in [0, 1]. Blank lines and lines starting with '#' are skipped. Reading fails with
// ReplayLogError naming the file and the line. Pure functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace cf {

struct ReplayAuction {
  uint8_t click = 0;
  int32_t price = 0;
  double pctr = 0;
};

class ReplayLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `name` is used in error messages ("<name>:<line>: ...").
std::vector<ReplayAuction> ParseReplayLog(std::string_view text, std::string_view name);
std::vector<ReplayAuction> ReadReplayLog(const std::filesystem::path& path);
void WriteReplayLog(const std::filesystem::path& path, const std::vector<ReplayAuction>& log);

}  // namespace cf
