// The creative oracle (evaluation only, outside the engine): it keeps the engine's creative pool
// (the wrapped selector makes, pauses and refreshes creatives, and sees every event as before)
// but picks, for each ad, the live creative with the highest true click probability for this user
// at this moment, as the market computes it in expectation (World::Expect: the creative's hidden
// quality, its age and the user's fatigue with it, the scene match). The regret of a selection
// policy is the clicks it loses against this oracle on the same traffic.
//
// Promises: Select has no side effects on the world or the pool; everything else is the wrapped
// selector's. Not thread-safe (as the platform).
#pragma once

#include <memory>
#include <vector>

#include "creative/creative_selector.h"
#include "market/world.h"

namespace cf {

class OracleCreativeSelector : public CreativeSelector {
 public:
  // `world` must outlive the selector.
  OracleCreativeSelector(std::unique_ptr<CreativeSelector> pool, const World& world);

  std::vector<Creative> EnsureCreatives(const std::vector<ProductId>& products, uint32_t day,
                                        bool pooled = true) override {
    return pool_->EnsureCreatives(products, day, pooled);
  }
  CreativeId Select(const Opportunity& opp, const AdCandidate& ad) const override;
  void Observe(const Event& e) override { pool_->Observe(e); }
  std::vector<Creative> Refresh(uint32_t day) override { return pool_->Refresh(day); }
  const std::vector<Creative>& creatives() const override { return pool_->creatives(); }
  std::vector<CreativeId> Live(ProductId p) const override { return pool_->Live(p); }
  std::vector<Creative> Rotate(ProductId p, const std::vector<CreativeId>& pause,
                               const std::vector<Creative>& replacements, uint32_t day) override {
    return pool_->Rotate(p, pause, replacements, day);
  }
  const std::vector<PoolEvent>& pool_events() const override { return pool_->pool_events(); }

 private:
  std::unique_ptr<CreativeSelector> pool_;
  const World& world_;
};

}  // namespace cf
