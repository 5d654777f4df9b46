// RLB: the reinforcement-learning bidder of Cai et al. (WSDM 2017, "Real-Time Bidding by
// Reinforcement Learning in Display Advertising"), model-based: a dynamic program over (auctions
// left t, budget left b) built from the training log's market-price histogram m(delta) and its
// average CTR theta_avg:
//   V(0, b) = 0
//   V(t, b) = max_a  sum_{delta <= a} m(delta) (theta_avg + V(t-1, b - delta))
//                  + sum_{delta > a} m(delta) V(t-1, b),            a <= min(b, max_bid)
// At run time, with the auction's estimated CTR theta, the bid is the largest a <= min(b, max_bid)
// with V(t-1, b) - V(t-1, b - a) <= theta (the optimal action of the Bellman equation).
// Large budgets are handled by a coarser budget unit (budget and prices in units of u >= 1, so
// that the table has at most max_cells budget cells). Integer money. Immutable after Build;
// Bid is const and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace cf {

class RlbBidder {
 public:
  // price_histogram[d] = count of auctions whose market price was d (d = 0..max_bid; higher
  // prices are folded into "never won"). episode_length = T, max_budget = the largest budget
  // that Bid will be asked about.
  void Build(std::span<const double> price_histogram, double avg_ctr, int episode_length,
             int64_t max_budget, int max_bid = 300, int max_cells = 4000);
  // t = auctions left including this one (1..T), b = budget left.
  int Bid(int t, int64_t b, double ctr) const;
  // V(t, b): expected clicks of the optimal policy under the model.
  double Value(int t, int64_t b) const;
  int64_t unit() const { return unit_; }

 private:
  double V(int t, int64_t cell) const { return v_[static_cast<size_t>(t) * (cells_ + 1) + cell]; }
  int episode_ = 0, max_bid_ = 300;
  int64_t unit_ = 1, cells_ = 0;
  std::vector<double> m_;  // probability of a market price of d units (d = 0..max_bid/unit)
  std::vector<float> v_;   // (T+1) x (cells+1)
};

}  // namespace cf
