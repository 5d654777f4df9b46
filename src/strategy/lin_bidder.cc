#include "strategy/lin_bidder.h"

#include <algorithm>
#include <cmath>

namespace cf {

int LinBidder::Bid(double ctr) const {
  const double b = std::floor(base_ * ctr / avg_ctr_);
  return static_cast<int>(std::clamp(b, 0.0, static_cast<double>(max_bid_)));
}

}  // namespace cf
