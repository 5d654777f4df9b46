#include "strategy/online_lp_pacer.h"

#include <algorithm>
#include <cmath>

namespace cf {

void OnlineLpPacer::Add(std::span<const AuctionSample> samples, double auctions) {
  // A batch with censored samples (lost, price unknown) cannot be represented in the table
  // without bias (the censored are the expensive auctions): such a batch is not learned from.
  for (const AuctionSample& s : samples) {
    if (s.price < 0) return;
  }
  const size_t old_size = table_.size();
  for (const AuctionSample& s : samples) {
    if (s.bid_value <= 0) continue;
    table_.push_back({s.price / s.bid_value, s.cost, s.value});
  }
  table_auctions_ += auctions;
  auto by_x = [](const Row& a, const Row& b) { return a.x < b.x; };
  std::sort(table_.begin() + old_size, table_.end(), by_x);
  std::inplace_merge(table_.begin(), table_.begin() + old_size, table_.end(), by_x);
  while (table_.size() > max_table_) {
    // Keep every other row (deterministic thinning) and halve the auction count with it.
    size_t j = 0;
    for (size_t i = 0; i < table_.size(); i += 2) table_[j++] = table_[i];
    table_.resize(j);
    table_auctions_ /= 2;
  }
  cum_cost_.resize(table_.size());
  cum_value_.resize(table_.size());
  double c = 0, v = 0;
  for (size_t i = 0; i < table_.size(); ++i) {
    c += table_[i].cost;
    v += table_[i].value;
    cum_cost_[i] = c;
    cum_value_[i] = v;
  }
}

void OnlineLpPacer::Prime(std::span<const AuctionSample> history, double auctions) {
  Add(history, auctions);
}

void OnlineLpPacer::Start(const PacingGoal& goal, int steps) {
  // Last episode's auctions join the historical table now (the table is fixed within an episode).
  if (!pending_.empty()) {
    Add(pending_, pending_auctions_);
    pending_.clear();
    pending_auctions_ = 0;
    pending_stride_ = 1;
    pending_seen_ = 0;
  }
  goal_ = goal;
  steps_ = std::max(steps, 1);
  auctions_seen_ = 0;
  alpha_ = 0;
  // The episode's traffic: the goal's forecast, else the table as one episode.
  const double expected = goal.expected_auctions > 0 ? goal.expected_auctions : table_auctions_;
  if (!table_.empty()) alpha_ = Solve(expected, goal.budget);
  if (!(alpha_ > 0)) {
    const double k = goal.MaxCostPerValue();
    alpha_ = std::isfinite(k) ? k : 1.0;
  }
}

double OnlineLpPacer::Solve(double auctions_left, double budget_left) {
  if (table_.empty() || table_auctions_ <= 0) return alpha_;
  const double scale = auctions_left / table_auctions_;
  const double k = goal_.MaxCostPerValue();
  // The prefix (in x order) that fits the budget, then the longest one within the CPA/ROI limit;
  // both conditions hold on a prefix (cost per value rises along the efficiency order).
  size_t n =
      std::upper_bound(cum_cost_.begin(), cum_cost_.end(), budget_left / scale) - cum_cost_.begin();
  if (std::isfinite(k)) {
    size_t lo = 0, hi = n;  // largest m <= n with cum_cost[m-1] <= k cum_value[m-1]
    while (lo < hi) {
      const size_t mid = (lo + hi + 1) / 2;
      if (cum_cost_[mid - 1] <= k * cum_value_[mid - 1]) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    n = lo;
  }
  if (n == 0) return std::isfinite(k) ? std::min(table_.front().x, k) : table_.front().x;
  return table_[n - 1].x;
}

void OnlineLpPacer::Update(const PacingObservation& obs) {
  auctions_seen_ += obs.auctions;
  // This episode's auctions, thinned (every pending_stride_-th sample) to at most max_table_.
  for (const AuctionSample& smp : obs.samples) {
    if (pending_seen_++ % pending_stride_ == 0) pending_.push_back(smp);
  }
  pending_auctions_ += obs.auctions / pending_stride_;
  if (pending_.size() > max_table_) {
    size_t j = 0;
    for (size_t i = 0; i < pending_.size(); i += 2) pending_[j++] = pending_[i];
    pending_.resize(j);
    pending_auctions_ /= 2;
    pending_stride_ *= 2;
  }
  if (obs.steps_left <= 0) return;
  double left = obs.auctions_left;
  if (left < 0) left = auctions_seen_ / (obs.step + 1) * obs.steps_left;
  const double a = Solve(left, std::max(0.0, goal_.budget - obs.spent));
  if (a > 0) alpha_ = a;
}

}  // namespace cf
