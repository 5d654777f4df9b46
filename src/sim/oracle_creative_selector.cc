#include "sim/oracle_creative_selector.h"

#include <stdexcept>

namespace cf {

OracleCreativeSelector::OracleCreativeSelector(std::unique_ptr<CreativeSelector> pool,
                                               const World& world, Mode mode,
                                               std::vector<ProductId> measured)
    : pool_(std::move(pool)), world_(world), mode_(mode) {
  if (!pool_) throw std::invalid_argument("the creative oracle needs a selector to keep the pool");
  for (ProductId p : measured) {
    if (measured_.size() <= p) measured_.resize(p + 1, false);
    measured_[p] = true;
  }
}

CreativeId OracleCreativeSelector::Choose(const Opportunity& opp, const AdCandidate& ad,
                                          bool meter) const {
  const bool measure = meter && ad.product < measured_.size() && measured_[ad.product];
  if (mode_ == Mode::kMeasure && !measure) return pool_->Select(opp, ad);
  const std::vector<CreativeId> live = pool_->Live(ad.product);
  if (live.size() <= 1) {
    if (measure && !live.empty()) ++regret_.single;
    return live.empty() || mode_ == Mode::kMeasure ? pool_->Select(opp, ad) : live.front();
  }
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
  const CreativeId chosen = mode_ == Mode::kPick ? best : pool_->Select(opp, ad);
  if (measure) {
    double chosen_p = best_p;
    if (chosen != best) {
      x.creative = chosen;
      chosen_p = world_.Expect(x).p_click;
    }
    ++regret_.impressions;
    regret_.chosen_clicks += chosen_p;
    regret_.best_clicks += best_p;
  }
  return chosen;
}

}  // namespace cf
