#include "common/json_config.h"

#include <fmt/format.h>

namespace cf {
namespace {

bool SameKind(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return true;
  return a.type() == b.type();
}

}  // namespace

void CheckKnownKeys(const nlohmann::json& defaults, const nlohmann::json& given,
                    const std::string& path) {
  if (!SameKind(defaults, given)) {
    throw ConfigError(fmt::format("config key '{}' should be a {} but is a {} ({})", path,
                                  defaults.type_name(), given.type_name(), given.dump()));
  }
  if (!given.is_object()) return;
  for (const auto& [key, value] : given.items()) {
    const std::string sub = path.empty() ? key : path + "." + key;
    if (!defaults.contains(key)) {
      std::string valid;
      for (const auto& [k, v] : defaults.items()) valid += (valid.empty() ? "" : ", ") + k;
      throw ConfigError(fmt::format("unknown config key '{}'; valid keys here: {}", sub, valid));
    }
    CheckKnownKeys(defaults.at(key), value, sub);
  }
}

nlohmann::json MergeJson(nlohmann::json base, const nlohmann::json& overlay) {
  if (!base.is_object() || !overlay.is_object()) return overlay;
  for (const auto& [key, value] : overlay.items()) {
    base[key] = base.contains(key) ? MergeJson(base[key], value) : value;
  }
  return base;
}

}  // namespace cf
