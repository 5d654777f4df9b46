// Baseline: one default creative per product (a plain product video: no scene template, a
// question hook, 15 s, Chinese), always shown until a merchant rotates it. Not thread-safe for
// EnsureCreatives.
#pragma once

#include <vector>

#include "common/catalogue.h"
#include "creative/creative_selector.h"

namespace cf {

class DefaultCreativeSelector : public CreativeSelector {
 public:
  explicit DefaultCreativeSelector(const Catalogue& catalogue);
  // One creative per product whether pooled or not.
  std::vector<Creative> EnsureCreatives(const std::vector<ProductId>& products, uint32_t day,
                                        bool pooled = true) override;
  CreativeId Select(const Opportunity& opp, const AdCandidate& ad) const override;
  void Observe(const Event&) override {}
  const std::vector<Creative>& creatives() const override { return creatives_; }
  std::vector<CreativeId> Live(ProductId p) const override;
  // The product's one creative is replaced by the replacement, or a copy with the next hook style.
  std::vector<Creative> Rotate(ProductId p, const std::vector<CreativeId>& pause,
                               const std::vector<Creative>& replacements, uint32_t day) override;
  const std::vector<PoolEvent>& pool_events() const override { return events_; }

 private:
  const Catalogue& catalogue_;
  std::vector<CreativeId> by_product_;
  std::vector<Creative> creatives_;
  std::vector<PoolEvent> events_;
};

}  // namespace cf
