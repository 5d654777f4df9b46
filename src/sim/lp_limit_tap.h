// The market tier's physical limit (issue 3): the global LP optimum of our merchant's flight on
// expected values with known costs. An evaluation tap (serving/evaluation_tap.h) that knows the
// world's truth: in every auction where at least one of our ads was a candidate (also one that
// sat the auction out at alpha 0), each of our candidates is an option with
//   value = the world's expected GMV of the impression (World::Expect), and
//   cost  = what winning the slot costs in expectation: the best eCPM of the other advertisers
//           (or the reserve) in the candidate's billing unit as GSP charges it, times the true
//           click probability when billed per click;
// at most one option per auction (the multiple-choice hull of strategy/hindsight_oracle.h).
// Options are accumulated in bins of log(value / cost) (0.45% wide in efficiency), so memory stays
// constant over any flight; Solve() takes the bins in efficiency order under the flight budget and
// the minimum ROI (strategy's ConstrainedOptimum), the last bin fractional: the bin width bounds
// the approximation. It also sums the expected value and cost of the auctions our ads won, so a
// policy's share of the limit is measured in the same units. Not thread-safe: one per run.
#pragma once

#include <cstdint>
#include <vector>

#include "market/world.h"
#include "serving/evaluation_tap.h"
#include "sim/run_result.h"
#include "strategy/hindsight_oracle.h"

namespace cf {

class LpLimitTap : public EvaluationTap {
 public:
  static constexpr int kBins = 4096;
  // `world` must outlive the tap; `our_products`: the products whose ads are ours.
  LpLimitTap(const World& world, const std::vector<ProductId>& our_products);

  // The searched need of the session whose slots are auctioned next (World::Expect uses it).
  void set_session_need(int16_t need) { need_ = need; }

  bool WantsCreative(const ScoredAd& ad) const override { return Ours(ad.ad.product); }
  void OnAuction(const Opportunity& opp, std::span<const ScoredAd> candidates,
                 std::span<const CreativeId> creatives, std::span<const AuctionWinner> winners,
                 double reserve_cpm) override;

  // The LP optimum under the flight budget and a minimum ROI (value / cost; <= 0: budget only),
  // with what our ads won beside it.
  LpLimit Solve(double budget, double min_roi) const;

 private:
  bool Ours(ProductId p) const { return p < ours_.size() && ours_[p]; }
  void Add(const OracleItem& item);

  const World& world_;
  std::vector<bool> ours_;
  int16_t need_ = -1;
  std::vector<double> bin_value_, bin_cost_;
  double free_value_ = 0;  // options that cost nothing (a reserve of 0 and no other bidder)
  double won_value_ = 0, won_cost_ = 0;
  uint64_t auctions_ = 0;
  std::vector<OracleItem> options_, hull_;  // scratch
};

}  // namespace cf
