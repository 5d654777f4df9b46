// The market's hidden scene model: which life scenes (beach holiday, new baby, ...) create which
// needs, and which product categories serve each need. Ground truth for the simulated users only;
// the engine must discover it from behaviour. Promises: immutable tables, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue.h"
#include "common/creative.h"

namespace cf {

struct SceneNeed {
  Scene scene;
  std::string_view zh;                              // the need in Chinese, e.g. "防晒霜"
  std::string_view en;                              // and in English, e.g. "sunscreen"
  std::vector<std::string_view> category_keywords;  // substrings of product_category names
};

// All needs of all scenes.
const std::vector<SceneNeed>& SceneNeeds();

// Seasonal strength of a scene on a calendar day of the year (1 = neutral).
double SeasonalFactor(Scene s, int day_of_year);

// For a catalogue: per category, the bitmask of scenes it serves (bit = Scene value) and the
// index of the first need it serves (or -1).
struct SceneIndex {
  std::vector<uint16_t> category_scenes;
  std::vector<int16_t> category_need;
  std::vector<std::vector<CategoryId>> need_categories;  // categories serving each need
  static SceneIndex Build(const Catalogue& catalogue);
};

// A search query for a need, in the user's language: "适合海边度假的防晒霜" / "sunscreen for a
// beach holiday". `variant` picks among phrasings.
std::string QueryText(const SceneNeed& need, bool zh, uint32_t variant);

}  // namespace cf
