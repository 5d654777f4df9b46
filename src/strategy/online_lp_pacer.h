// Baseline: Online LP. Keeps a cost table of historical traffic (primed history plus the
// auctions of finished episodes), sorted by efficiency (value per price). Each step it scales the
// table to the auctions left and takes the efficiency threshold at which the table's prefix spends
// the budget left (and, with a CPA/ROI constraint, where the prefix's cumulative cost per value
// reaches the limit); alpha = 1 / threshold efficiency. It does not weight recent traffic more,
// nor correct for what was realised beyond the budget left (the MPC pacer does both). Batches
// with censored samples (lost auctions whose price was not revealed) are not learned from.
// Not thread-safe.
#pragma once

#include <vector>

#include "strategy/pacing_controller.h"

namespace cf {

class OnlineLpPacer : public PacingController {
 public:
  // max_table: the table keeps at most this many samples (uniformly thinned beyond).
  explicit OnlineLpPacer(size_t max_table = 200000) : max_table_(max_table) {}
  std::string_view name() const override { return "online_lp"; }
  void Prime(std::span<const AuctionSample> history, double auctions) override;
  void Start(const PacingGoal& goal, int steps) override;
  double Alpha() const override { return alpha_; }
  void Update(const PacingObservation& obs) override;

 private:
  struct Row {
    double x;  // price / bid_value: alpha needed to win
    double cost, value;
  };
  void Add(std::span<const AuctionSample> samples, double auctions);
  double Solve(double auctions_left, double budget_left);

  size_t max_table_;
  std::vector<Row> table_;
  std::vector<AuctionSample> pending_;  // this episode's auctions, added at the next Start
  double pending_auctions_ = 0;
  size_t pending_stride_ = 1, pending_seen_ = 0;
  double table_auctions_ = 0;
  std::vector<double> cum_cost_, cum_value_;  // prefix sums of the sorted table
  PacingGoal goal_;
  int steps_ = 1;
  double alpha_ = 1.0;
  double auctions_seen_ = 0;
};

}  // namespace cf
