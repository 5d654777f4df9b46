#include "sim/lp_limit_tap.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cf {
namespace {

// Efficiencies (value / cost) from 1e-4 to 1e4 on a log scale; outside, the end bins.
constexpr double kLogMin = -9.210340371976184;  // ln 1e-4
constexpr double kLogMax = 9.210340371976184;
constexpr double kBinWidth = (kLogMax - kLogMin) / LpLimitTap::kBins;

}  // namespace

LpLimitTap::LpLimitTap(const World& world, const std::vector<ProductId>& our_products)
    : world_(world), bin_value_(kBins, 0.0), bin_cost_(kBins, 0.0) {
  for (ProductId p : our_products) {
    if (ours_.size() <= p) ours_.resize(p + 1, false);
    ours_[p] = true;
  }
}

void LpLimitTap::Add(const OracleItem& item) {
  if (!(item.value > 0) || !(item.cost >= 0)) return;
  if (item.cost == 0) {
    free_value_ += item.value;
    return;
  }
  const double x = std::log(item.value / item.cost);
  const int bin = std::clamp(static_cast<int>(std::floor((x - kLogMin) / kBinWidth)), 0, kBins - 1);
  bin_value_[bin] += item.value;
  bin_cost_[bin] += item.cost;
}

void LpLimitTap::OnAuction(const Opportunity& opp, std::span<const ScoredAd> candidates,
                           std::span<const CreativeId> creatives,
                           std::span<const AuctionWinner> winners, double reserve_cpm) {
  // The price to beat for any of our ads: the best other advertiser's eCPM, or the reserve.
  double others = reserve_cpm;
  bool any = false;
  for (const ScoredAd& c : candidates) {
    if (Ours(c.ad.product))
      any = true;
    else
      others = std::max(others, c.ecpm);
  }
  if (!any) return;
  ++auctions_;
  options_.clear();
  for (size_t i = 0; i < candidates.size(); ++i) {
    const ScoredAd& c = candidates[i];
    if (!Ours(c.ad.product)) continue;
    AdExposure x;
    x.key = opp.key;
    x.minute = opp.minute;
    x.user = opp.user;
    x.channel = opp.channel;
    x.position = 0;  // one ad per slot: it is the top of its slot (as the loop shows it)
    x.product = c.ad.product;
    x.creative = i < creatives.size() ? creatives[i] : kNoId;
    x.need = need_;
    const ExpectedResponse r = world_.Expect(x);
    double cost = 0;
    if (c.per_mille) {
      cost = others / 1000.0;
    } else {
      if (!(c.p_ctr > 0)) continue;  // the engine cannot price a click it expects never to happen
      cost = r.p_click * others / (1000.0 * c.p_ctr);
    }
    options_.push_back({r.expected_value, cost});
    for (const AuctionWinner& w : winners) {
      if (w.index != i) continue;
      won_value_ += r.expected_value;
      won_cost_ += c.per_mille ? w.price.units() / 1000.0 : r.p_click * w.price.units();
    }
  }
  if (options_.size() == 1) {
    Add(options_.front());
    return;
  }
  hull_.clear();
  MultipleChoiceItems(options_, hull_);
  for (const OracleItem& it : hull_) Add(it);
}

LpLimit LpLimitTap::Solve(double budget, double min_roi) const {
  std::vector<OracleItem> items;
  items.reserve(kBins + 1);
  if (free_value_ > 0) items.push_back({free_value_, 0.0});
  for (int b = 0; b < kBins; ++b) {
    if (bin_value_[b] > 0) items.push_back({bin_value_[b], bin_cost_[b]});
  }
  const double k = min_roi > 0 ? 1.0 / min_roi : std::numeric_limits<double>::infinity();
  const OracleResult o = ConstrainedOptimum(items, budget, k);
  LpLimit l;
  l.measured = true;
  l.value = o.value;
  l.cost = o.cost;
  l.won_value = won_value_;
  l.won_cost = won_cost_;
  l.auctions = auctions_;
  l.budget = budget;
  l.min_roi = min_roi;
  return l;
}

}  // namespace cf
