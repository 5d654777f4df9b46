// Helpers for strict JSON configuration: every config struct serialises its defaults, and reading
// a user file rejects keys that the defaults do not have (typos must not be silently ignored).
// Promises: CheckKnownKeys throws ConfigError naming the full key path ("market.traffic.foo") and
// the valid keys at that level.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace cf {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ConfigError if `given` has an object key that `defaults` lacks (recursively), or a value
// whose JSON type differs from the default's (numbers of any kind are interchangeable).
void CheckKnownKeys(const nlohmann::json& defaults, const nlohmann::json& given,
                    const std::string& path);

// Deep merge: values in `overlay` replace those in `base`; objects merge key by key.
nlohmann::json MergeJson(nlohmann::json base, const nlohmann::json& overlay);

}  // namespace cf
