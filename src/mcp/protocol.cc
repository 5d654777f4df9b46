#include "mcp/protocol.h"

#include <algorithm>

namespace cf::mcp {

bool IsStatefulVersion(std::string_view version) {
  return std::find(kStatefulVersions.begin(), kStatefulVersions.end(), version) !=
         kStatefulVersions.end();
}

bool IsStatelessVersion(std::string_view version) {
  return std::find(kStatelessVersions.begin(), kStatelessVersions.end(), version) !=
         kStatelessVersions.end();
}

nlohmann::json AllSupportedVersions() {
  nlohmann::json out = nlohmann::json::array();
  for (auto v : kStatelessVersions) out.push_back(std::string(v));
  for (auto v : kStatefulVersions) out.push_back(std::string(v));
  return out;
}

int LogLevelRank(std::string_view level) {
  static constexpr std::array<std::string_view, 8> kLevels = {
      "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
  for (size_t i = 0; i < kLevels.size(); ++i) {
    if (kLevels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace cf::mcp
