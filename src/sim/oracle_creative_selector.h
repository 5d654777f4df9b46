// The creative oracle (evaluation only, outside the engine): it keeps the engine's creative pool
// (the wrapped selector makes, pauses and refreshes creatives, and sees every event as before)
// and, for each ad shown, knows the true click probability of every live creative of the product
// for this user at this moment, as the market computes it in expectation (World::Expect: the
// creative's hidden quality, its age and the user's fatigue with it, the scene match).
//
// Two modes:
//   kPick     each ad gets the live creative with the highest true click probability (the
//             yardstick policy, platform.creatives = "oracle");
//   kMeasure  each ad gets the wrapped selector's creative, unchanged; the meter only records.
// In both, for the products being measured (ours), every shown ad adds the chosen creative's and
// the best live creative's click probability to the meter: the expected-click regret of the
// selection on the run's own traffic, 1 - chosen / best.
//
// Promises: Select has no side effects on the world or the pool (the meter aside, whose counts are
// evaluation output); in kMeasure it returns exactly what the wrapped selector returns, so a run
// behaves as without the wrapper. The meter counts one Select per shown ad, as the platform calls
// it; evaluation taps ask through Peek, which the meter does not count. Not thread-safe (as the
// platform).
#pragma once

#include <memory>
#include <vector>

#include "creative/creative_selector.h"
#include "market/world.h"
#include "sim/run_result.h"

namespace cf {

class OracleCreativeSelector : public CreativeSelector {
 public:
  enum class Mode { kPick, kMeasure };
  // `world` must outlive the selector. `measured`: the products whose ads the meter counts.
  OracleCreativeSelector(std::unique_ptr<CreativeSelector> pool, const World& world,
                         Mode mode = Mode::kPick, std::vector<ProductId> measured = {});

  std::vector<Creative> EnsureCreatives(const std::vector<ProductId>& products, uint32_t day,
                                        bool pooled = true) override {
    return pool_->EnsureCreatives(products, day, pooled);
  }
  CreativeId Select(const Opportunity& opp, const AdCandidate& ad) const override {
    return Choose(opp, ad, true);
  }
  // As Select, without counting it in the meter.
  CreativeId Peek(const Opportunity& opp, const AdCandidate& ad) const override {
    return mode_ == Mode::kMeasure ? pool_->Peek(opp, ad) : Choose(opp, ad, false);
  }
  void Observe(const Event& e) override { pool_->Observe(e); }
  std::vector<Creative> Refresh(uint32_t day) override { return pool_->Refresh(day); }
  const std::vector<Creative>& creatives() const override { return pool_->creatives(); }
  std::vector<CreativeId> Live(ProductId p) const override { return pool_->Live(p); }
  std::vector<Creative> Rotate(ProductId p, const std::vector<CreativeId>& pause,
                               const std::vector<Creative>& replacements, uint32_t day) override {
    return pool_->Rotate(p, pause, replacements, day);
  }
  const std::vector<PoolEvent>& pool_events() const override { return pool_->pool_events(); }

  const CreativeRegret& regret() const { return regret_; }

 private:
  CreativeId Choose(const Opportunity& opp, const AdCandidate& ad, bool meter) const;
  std::unique_ptr<CreativeSelector> pool_;
  const World& world_;
  Mode mode_;
  std::vector<bool> measured_;  // by product
  mutable CreativeRegret regret_;
};

}  // namespace cf
