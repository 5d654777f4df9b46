#include "sim/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

namespace cf {

MarketSampler::MarketSampler(const WorldSpec& spec, const EventLog& history)
    : spec_(spec),
      history_(history),
      dept_gmv_(spec.catalogue().departments.size(), 0.0),
      run_events_(spec.users().size(), 0),
      window_start_(spec.users().size(), kNoWindow),
      user_limit_(history.user_limit()) {
  for (UserId u = 0; u < history.user_limit(); ++u) {
    history.History(u).ForEach([&](const Event& e) {
      if (e.type == EventType::kPurchase) bought_.insert(uint64_t{u} << 32 | e.product);
    });
  }
}

void MarketSampler::Observe(const Event& e) {
  if (e.user >= run_events_.size()) {  // a user the spec does not know (none in a run)
    run_events_.resize(size_t{e.user} + 1, 0);
    window_start_.resize(size_t{e.user} + 1, kNoWindow);
  }
  ++run_events_[e.user];
  user_limit_ = std::max<UserId>(user_limit_, e.user + 1);
  const bool flight = e.minute >= spec_.flight_start();
  const Catalogue& cat = spec_.catalogue();
  if (e.type == EventType::kPurchase) {
    const bool repeat = !bought_.insert(uint64_t{e.user} << 32 | e.product).second;
    if (!flight) return;
    ++s_.purchases;
    s_.repeat_purchases += repeat;
    if (e.flags & kFlagCouponUsed) ++s_.coupon_purchases;
    const Product& p = cat.product(e.product);
    s_.purchase_unit_prices.push_back(Money::Micros(e.money).units() /
                                      std::max<int>(1, e.quantity));
    dept_gmv_[p.department] += Money::Micros(e.money).units();
    SimMinute& window = window_start_[e.user];
    if (window == kNoWindow || e.minute > window + 30) {
      ++s_.purchase_sessions;
      window = e.minute;
    }
    ++s_.purchase_lines;
    if (e.plan != kNoId) {
      const double price = p.shelf_price.units();
      if (price < 5) ++s_.low_price_purchases;
      if (price > 15) ++s_.high_price_purchases;
    }
    return;
  }
  if (!flight) return;
  if (e.type == EventType::kCouponReceived) ++s_.coupons_received;
  if (e.type == EventType::kImpression || e.type == EventType::kOrganicView) {
    ++s_.views[static_cast<int>(e.channel)];
  } else if (e.type == EventType::kClick && e.plan != kNoId) {
    const double price = cat.product(e.product).shelf_price.units();
    if (price < 5) ++s_.low_price_clicks;
    if (price > 15) ++s_.high_price_clicks;
  }
}

MarketSample MarketSampler::Sample() const {
  MarketSample s = s_;
  s.users = user_limit_;
  for (UserId u = 0; u < user_limit_; ++u) {
    const size_t n =
        history_.History(u).size() + (u < run_events_.size() ? run_events_[u] : uint32_t{0});
    if (n >= 10000) ++s.users_10k;
  }
  for (uint32_t d = 0; d < dept_gmv_.size(); ++d) {
    if (dept_gmv_[d] > 0) s.department_gmv.emplace_back(d, dept_gmv_[d]);
  }
  std::sort(s.department_gmv.begin(), s.department_gmv.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  return s;
}

namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

CalibrationRow Range(std::string fact, std::string target, double value, double lo, double hi,
                     std::string unit) {
  return {std::move(fact), std::move(target), value, std::move(unit), value >= lo && value <= hi};
}

}  // namespace

std::vector<CalibrationRow> Calibrate(const WorldSpec& spec, const MarketSample& s,
                                      const RunResult& run) {
  std::vector<CalibrationRow> rows;
  const DataStats& d = spec.data().stats;
  const auto& mc = run.market_by_channel;
  rows.push_back(Range("ad CTR, all channels", "0.5%-2%", 100 * run.market.ctr(), 0.5, 2.0, "%"));
  rows.push_back(Range("ad CTR, short-video feed", "1.5%-2% (0.5%-2% normal)", 100 * mc[0].ctr(),
                       0.5, 2.2, "%"));
  rows.push_back(Range("ad CTR, live room", "3% or more", 100 * mc[1].ctr(), 2.5, 8.0, "%"));
  const double low_cvr =
      s.low_price_clicks ? 100.0 * s.low_price_purchases / s.low_price_clicks : 0;
  rows.push_back(Range("ad CVR per click, products under 5.00", "8%-15%", low_cvr, 6.0, 16.0, "%"));
  const double high_cvr =
      s.high_price_clicks ? 100.0 * s.high_price_purchases / s.high_price_clicks : 0;
  rows.push_back(Range("ad CVR per click, products over 15.00", "1%-5% (500 CNY items)", high_cvr,
                       0.5, 6.0, "%"));
  rows.push_back(Range("live CVR below feed CVR", "live CVR < feed CVR",
                       mc[0].cvr() > 0 ? mc[1].cvr() / mc[0].cvr() : 0, 0.0, 0.99, "ratio"));
  rows.push_back(
      Range("ad ROI, whole market", "2-3 overall (food 2-5)", run.market.roi(), 1.5, 6.0, "x"));
  const double fl = mc[0].impressions + mc[1].impressions > 0 || s.views[0] + s.views[1] > 0
                        ? 100.0 * s.views[0] / std::max<uint64_t>(1, s.views[0] + s.views[1])
                        : 0;
  rows.push_back(Range("feed share of feed + live views", "72%", fl, 65, 79, "%"));
  const double med = Median(s.purchase_unit_prices);
  rows.push_back(Range("median unit price paid",
                       fmt::format("{:.2f} (data)", d.median_paid_unit_price), med,
                       0.75 * d.median_paid_unit_price, 1.35 * d.median_paid_unit_price, "USD"));
  std::vector<double> cat_prices;
  for (const Product& p : spec.catalogue().products) cat_prices.push_back(p.shelf_price.units());
  rows.push_back(Range("median catalogue shelf price",
                       fmt::format("{:.2f} (data)", d.median_unit_price), Median(cat_prices),
                       0.8 * d.median_unit_price, 1.3 * d.median_unit_price, "USD"));
  if (!s.department_gmv.empty() && !d.department_gmv_share.empty()) {
    double total = 0;
    for (const auto& [dep, g] : s.department_gmv) total += g;
    const std::string& top = d.department_gmv_share.front().first;
    double sim_top = 0;
    for (const auto& [dep, g] : s.department_gmv) {
      if (spec.catalogue().departments[dep] == top) sim_top = g / total;
    }
    rows.push_back(Range(fmt::format("GMV share of {}", top),
                         fmt::format("{:.1f}% (data)", 100 * d.department_gmv_share.front().second),
                         100 * sim_top, 100 * d.department_gmv_share.front().second - 15,
                         100 * d.department_gmv_share.front().second + 15, "%"));
  }
  const double rep = s.purchases ? 100.0 * s.repeat_purchases / s.purchases : 0;
  rows.push_back(Range("purchases repeating a product the user bought before",
                       fmt::format("{:.1f}% (data, within a year)", 100 * d.repurchase_share), rep,
                       0.3 * 100 * d.repurchase_share, 3.0 * 100 * d.repurchase_share, "%"));
  const double basket =
      s.purchase_sessions ? static_cast<double>(s.purchase_lines) / s.purchase_sessions : 0;
  rows.push_back(Range("items per purchase session",
                       fmt::format("{:.2f} (data, baskets broken up)", d.items_per_basket), basket,
                       1.0, std::max(1.5, 1.5 * d.items_per_basket), "items"));
  const double redeemed = s.coupons_received ? 100.0 * s.coupon_purchases / s.coupons_received : 0;
  rows.push_back(Range(
      "coupons redeemed / coupons received",
      fmt::format("{:.1f}% (data: campaigns redeemed / received)", 100 * d.coupon_redemption_rate),
      redeemed, 0.4 * 100 * d.coupon_redemption_rate, 2.0 * 100 * d.coupon_redemption_rate, "%"));
  const double heavy = s.users ? 100.0 * s.users_10k / s.users : 0;
  rows.push_back(Range("users with 10,000+ events", ">= 0.3% of users", heavy, 0.3, 100, "%"));
  return rows;
}

}  // namespace cf
