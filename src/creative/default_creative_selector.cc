#include "creative/default_creative_selector.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace cf {

DefaultCreativeSelector::DefaultCreativeSelector(const Catalogue& catalogue)
    : catalogue_(catalogue), by_product_(catalogue.products.size(), kNoId) {}

std::vector<Creative> DefaultCreativeSelector::EnsureCreatives(
    const std::vector<ProductId>& products, uint32_t day, bool /*pooled*/) {
  std::vector<Creative> made;
  for (ProductId p : products) {
    if (by_product_.at(p) != kNoId) continue;
    Creative c;
    c.id = static_cast<CreativeId>(creatives_.size());
    c.product = p;
    c.scene = Scene::kNone;
    c.hook = HookStyle::kQuestion;
    c.selling_points = {catalogue_.types.empty() ? ""
                                                 : catalogue_.types[catalogue_.product(p).type]};
    c.duration_s = 15;
    c.music = "default";
    c.lang = "zh";
    c.created_day = day;
    by_product_[p] = c.id;
    creatives_.push_back(c);
    made.push_back(c);
    events_.push_back({day, c.id, p, "added", {}});
  }
  return made;
}

CreativeId DefaultCreativeSelector::Select(const Opportunity&, const AdCandidate& ad) const {
  return ad.product < by_product_.size() ? by_product_[ad.product] : kNoId;
}

std::vector<CreativeId> DefaultCreativeSelector::Live(ProductId p) const {
  if (p >= by_product_.size() || by_product_[p] == kNoId) return {};
  return {by_product_[p]};
}

std::vector<Creative> DefaultCreativeSelector::Rotate(ProductId p,
                                                      const std::vector<CreativeId>& pause,
                                                      const std::vector<Creative>& replacements,
                                                      uint32_t day) {
  CheckRotation(p, Live(p), pause, replacements);
  Creative c = creatives_[by_product_[p]];
  if (replacements.empty()) {
    c.hook = static_cast<HookStyle>((static_cast<int>(c.hook) + 1) % kNumHookStyles);
  } else {
    c = replacements[0];
    c.product = p;
  }
  c.id = static_cast<CreativeId>(creatives_.size());
  c.created_day = day;
  events_.push_back({day, by_product_[p], p, "rotated", {}});
  events_.push_back({day, c.id, p, "added", {}});
  by_product_[p] = c.id;
  creatives_.push_back(c);
  return {c};
}

void CheckRotation(ProductId p, const std::vector<CreativeId>& live,
                   const std::vector<CreativeId>& pause,
                   const std::vector<Creative>& replacements) {
  if (live.empty()) {
    throw std::invalid_argument(fmt::format("product {} has no creative in the market yet", p));
  }
  if (pause.empty()) throw std::invalid_argument("name at least one creative to rotate out");
  if (!replacements.empty() && replacements.size() != pause.size()) {
    throw std::invalid_argument(
        fmt::format("{} replacement creative(s) for {} paused: give one per paused creative",
                    replacements.size(), pause.size()));
  }
  for (size_t i = 0; i < pause.size(); ++i) {
    if (std::find(pause.begin(), pause.begin() + static_cast<std::ptrdiff_t>(i), pause[i]) !=
        pause.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument(fmt::format("creative {} is named twice", pause[i]));
    }
    if (std::find(live.begin(), live.end(), pause[i]) == live.end()) {
      throw std::invalid_argument(
          fmt::format("creative {} is not a live creative of product {} (live: {})", pause[i], p,
                      fmt::join(live, ", ")));
    }
  }
}

}  // namespace cf
