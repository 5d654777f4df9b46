// Baseline for the replay tier: linear bidding (Perlich et al. 2012), bid = b0 x pCTR / average
// pCTR, integer, capped; b0 is chosen on the training log only (TuneLinBase in the benchmark).
// Immutable; thread-safe.
#pragma once

namespace cf {

class LinBidder {
 public:
  LinBidder(double base_bid, double avg_ctr, int max_bid = 300)
      : base_(base_bid), avg_ctr_(avg_ctr > 0 ? avg_ctr : 1e-9), max_bid_(max_bid) {}
  int Bid(double ctr) const;
  double base_bid() const { return base_; }

 private:
  double base_, avg_ctr_;
  int max_bid_;
};

}  // namespace cf
