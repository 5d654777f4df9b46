// Baseline for the replay tier: Mcpc, bid = pCTR x cost per click of the training log (the
// truthful bid for a click worth what clicks cost historically), integer, capped.
// Immutable; thread-safe.
#pragma once

namespace cf {

class McpcBidder {
 public:
  McpcBidder(double cpc, int max_bid = 300) : cpc_(cpc), max_bid_(max_bid) {}
  int Bid(double ctr) const;
  double cpc() const { return cpc_; }

 private:
  double cpc_;
  int max_bid_;
};

}  // namespace cf
