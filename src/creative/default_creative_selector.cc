#include "creative/default_creative_selector.h"

namespace cf {

DefaultCreativeSelector::DefaultCreativeSelector(const Catalogue& catalogue)
    : catalogue_(catalogue), by_product_(catalogue.products.size(), kNoId) {}

std::vector<Creative> DefaultCreativeSelector::EnsureCreatives(
    const std::vector<ProductId>& products, uint32_t day) {
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
  }
  return made;
}

CreativeId DefaultCreativeSelector::Select(const Opportunity&, const AdCandidate& ad) const {
  return ad.product < by_product_.size() ? by_product_[ad.product] : kNoId;
}

}  // namespace cf
