// Bid landscape: per-auction spend(alpha) and value(alpha) curves of one campaign, estimated from
// observed auctions (AuctionSample) and fitted monotone with isotonic regression. alpha is the bid
// multiplier (bid = alpha x bid_value); a sample is won at alpha iff alpha x bid_value >= price.
// The curves live on a fixed log-spaced alpha grid; mass is accumulated with weights so callers
// can decay old observations (a sliding, exponentially weighted window).
// Censored samples (lost, price unknown) only say "not won at alpha <= the alpha used"; they are
// redistributed to the right (Efron's self-consistent estimate) over the mass observed above that
// alpha, costing the threshold price. The raw cumulative estimates are then fitted by weighted
// isotonic regression (PAVA): with exact, fully observed data it is the identity, and it keeps the
// curves monotone whatever the decay and imputation did. Not thread-safe.
#pragma once

#include <span>
#include <vector>

#include "strategy/pacing_controller.h"

namespace cf {

class BidLandscape {
 public:
  // Log-spaced grid [lo, hi] with `points` >= 2 points; clears accumulated mass.
  void SetGrid(double lo, double hi, int points);
  bool has_grid() const { return !grid_.empty(); }
  // Grid from the samples' price/bid_value ratios (0.1% and 99.9% quantiles, widened x4).
  void SetGridFrom(std::span<const AuctionSample> samples, int points);

  // Adds samples observed over `auctions` opportunities, each with weight `weight`.
  void Add(std::span<const AuctionSample> samples, double auctions, double weight = 1.0);
  void Decay(double factor);
  void Clear();
  double auctions() const { return auctions_; }

  // Fits the monotone curves; call after Add/Decay and before the queries below.
  void Fit();
  // Expected spend and (estimated) value per auction when bidding alpha x bid_value.
  double SpendPerAuction(double alpha) const { return Interp(spend_, alpha); }
  double ValuePerAuction(double alpha) const { return Interp(value_, alpha); }

  // Largest alpha (on the grid, refined linearly) with auctions_left x spend(alpha) <= budget_left
  // and spent + auctions_left x spend(alpha) <= k x (value + value_scale x auctions_left x
  // value(alpha)). If no alpha meets the k constraint: the largest budget-feasible alpha whose
  // marginal auctions cost at most k per value (alpha <= k x value_scale).
  double SolveAlpha(double auctions_left, double budget_left, double spent, double value, double k,
                    double value_scale = 1.0) const;

  const std::vector<double>& grid() const { return grid_; }

 private:
  double Interp(const std::vector<double>& curve, double alpha) const;
  size_t Bin(double x) const;  // first grid index with grid >= x (grid_.size() if none)

  std::vector<double> grid_;
  double log_lo_ = 0, log_step_ = 1;
  std::vector<double> cost_at_, value_at_, count_at_;  // known samples whose threshold is in bin i
  double known_above_ = 0;                             // known samples above the grid
  double samples_ = 0, auctions_ = 0;
  std::vector<double> spend_, value_;  // fitted, per auction, at grid points
};

}  // namespace cf
