#include "sim/oracle_creative_selector.h"

#include <stdexcept>

namespace cf {

OracleCreativeSelector::OracleCreativeSelector(std::unique_ptr<CreativeSelector> pool,
                                               const World& world)
    : pool_(std::move(pool)), world_(world) {
  if (!pool_) throw std::invalid_argument("the creative oracle needs a selector to keep the pool");
}

CreativeId OracleCreativeSelector::Select(const Opportunity& opp, const AdCandidate& ad) const {
  const std::vector<CreativeId> live = pool_->Live(ad.product);
  if (live.empty()) return pool_->Select(opp, ad);
  AdExposure x;
  x.key = opp.key;
  x.minute = opp.minute;
  x.user = opp.user;
  x.channel = opp.channel;
  x.position = 0;  // as the loop shows it: one ad per slot
  x.product = ad.product;
  CreativeId best = live.front();
  double best_p = -1;
  for (CreativeId c : live) {
    x.creative = c;
    const double p = world_.Expect(x).p_click;
    if (p > best_p) {
      best_p = p;
      best = c;
    }
  }
  return best;
}

}  // namespace cf
