#include "strategy/rlb_bidder.h"

#include <algorithm>
#include <cmath>

namespace cf {

void RlbBidder::Build(std::span<const double> price_histogram, double avg_ctr, int episode_length,
                      int64_t max_budget, int max_bid, int max_cells) {
  episode_ = std::max(episode_length, 1);
  max_bid_ = std::max(max_bid, 1);
  max_budget = std::max<int64_t>(max_budget, 1);
  unit_ = std::max<int64_t>(1, (max_budget + max_cells - 1) / max_cells);
  cells_ = max_budget / unit_ + 1;
  // Price histogram in budget units: price d costs round(d / unit) units.
  const int64_t max_delta = max_bid_ / unit_ + 1;
  m_.assign(max_delta + 1, 0.0);
  double total = 0;
  for (size_t d = 0; d < price_histogram.size(); ++d) total += price_histogram[d];
  if (total <= 0) total = 1;
  for (size_t d = 0; d < price_histogram.size() && static_cast<int>(d) <= max_bid_; ++d) {
    const int64_t du = std::min<int64_t>(max_delta, std::llround(static_cast<double>(d) / unit_));
    m_[du] += price_histogram[d] / total;
  }
  const size_t row = static_cast<size_t>(cells_ + 1);
  v_.assign(static_cast<size_t>(episode_ + 1) * row, 0.0f);
  std::vector<double> prev(row, 0.0), cur(row, 0.0);
  for (int t = 1; t <= episode_; ++t) {
    for (int64_t b = 0; b <= cells_; ++b) {
      // Optimal a: the largest delta with prev[b] - prev[b - delta] <= theta (monotone in delta).
      double gain = 0;
      const int64_t amax = std::min<int64_t>(b, max_delta);
      for (int64_t d = 0; d <= amax; ++d) {
        const double g = avg_ctr + prev[b - d] - prev[b];
        if (g < 0) break;
        gain += m_[d] * g;
      }
      cur[b] = prev[b] + gain;
    }
    std::swap(prev, cur);
    for (size_t i = 0; i < row; ++i)
      v_[static_cast<size_t>(t) * row + i] = static_cast<float>(prev[i]);
  }
}

double RlbBidder::Value(int t, int64_t b) const {
  t = std::clamp(t, 0, episode_);
  return V(t, std::clamp<int64_t>(b / unit_, 0, cells_));
}

int RlbBidder::Bid(int t, int64_t b, double ctr) const {
  if (b <= 0 || t <= 0) return 0;
  t = std::min(t, episode_);
  const int64_t cell = std::min<int64_t>(b / unit_, cells_);
  const int64_t amax = std::min<int64_t>(cell, max_bid_ / unit_);
  const double vb = V(t - 1, cell);
  // Largest a with V(t-1, b) - V(t-1, b - a) <= ctr: V is non-decreasing in b, so bisect.
  int64_t lo = 0, hi = amax;
  while (lo < hi) {
    const int64_t mid = (lo + hi + 1) / 2;
    if (vb - V(t - 1, cell - mid) <= ctr) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  const int64_t bid = std::min<int64_t>({lo * unit_ + (unit_ - 1) / 2, b, max_bid_});
  return static_cast<int>(bid);
}

}  // namespace cf
