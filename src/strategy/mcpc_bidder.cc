#include "strategy/mcpc_bidder.h"

#include <algorithm>
#include <cmath>

namespace cf {

int McpcBidder::Bid(double ctr) const {
  const double b = std::floor(ctr * cpc_);
  return static_cast<int>(std::clamp(b, 0.0, static_cast<double>(max_bid_)));
}

}  // namespace cf
