#include "strategy/bid_landscape.h"

#include <algorithm>
#include <cmath>

#include "strategy/isotonic_regression.h"

namespace cf {

void BidLandscape::SetGrid(double lo, double hi, int points) {
  points = std::max(points, 2);
  lo = std::max(lo, 1e-12);
  hi = std::max(hi, lo * 1.0001);
  grid_.resize(points);
  log_lo_ = std::log(lo);
  log_step_ = (std::log(hi) - log_lo_) / (points - 1);
  for (int i = 0; i < points; ++i) grid_[i] = std::exp(log_lo_ + i * log_step_);
  Clear();
}

void BidLandscape::SetGridFrom(std::span<const AuctionSample> samples, int points) {
  std::vector<double> x;
  x.reserve(samples.size());
  for (const AuctionSample& s : samples) {
    if (s.price > 0 && s.bid_value > 0) x.push_back(s.price / s.bid_value);
  }
  if (x.empty()) {
    SetGrid(1e-3, 1e6, points);
    return;
  }
  std::sort(x.begin(), x.end());
  const double lo = x[static_cast<size_t>(0.001 * (x.size() - 1))];
  const double hi = x[static_cast<size_t>(0.999 * (x.size() - 1))];
  SetGrid(lo / 4, hi * 4, points);
}

void BidLandscape::Clear() {
  const size_t n = grid_.size();
  cost_at_.assign(n, 0);
  value_at_.assign(n, 0);
  count_at_.assign(n, 0);
  known_above_ = 0;
  samples_ = auctions_ = 0;
  spend_.assign(n, 0);
  value_.assign(n, 0);
}

size_t BidLandscape::Bin(double x) const {
  if (!(x > 0)) return 0;
  const double pos = (std::log(x) - log_lo_) / log_step_;
  if (pos <= 0) return 0;
  const double c = std::ceil(pos - 1e-9);
  return c >= static_cast<double>(grid_.size()) ? grid_.size() : static_cast<size_t>(c);
}

void BidLandscape::Add(std::span<const AuctionSample> samples, double auctions, double weight) {
  if (grid_.empty()) SetGridFrom(samples, 256);
  const size_t n = grid_.size();
  // Censored samples per bin of the alpha they lost at: weight, weight x bid_value, weight x value.
  std::vector<double> cw(n, 0), cbv(n, 0), cval(n, 0);
  bool any_censored = false;
  for (const AuctionSample& s : samples) {
    if (s.bid_value <= 0) continue;
    samples_ += weight;
    if (s.price < 0) {
      // Lost, price unknown; callers put the bid in `cost`, so the alpha used = cost / bid_value.
      const size_t b = std::min(Bin(s.cost / s.bid_value), n - 1);
      cw[b] += weight;
      cbv[b] += weight * s.bid_value;
      cval[b] += weight * s.value;
      any_censored = true;
      continue;
    }
    const size_t b = Bin(s.price / s.bid_value);
    if (b >= n) {
      known_above_ += weight;
      continue;
    }
    cost_at_[b] += weight * s.cost;
    value_at_[b] += weight * s.value;
    count_at_[b] += weight;
  }
  if (any_censored) {
    // Redistribute to the right (Efron): a sample lost at bin b has its threshold in a bin > b,
    // distributed like the mass already there; it would cost about the threshold price.
    std::vector<double> suffix(n + 1, 0);
    suffix[n] = known_above_;
    for (size_t i = n; i-- > 0;) suffix[i] = suffix[i + 1] + count_at_[i];
    double acc_w = 0, acc_bv = 0, acc_val = 0;  // sum over b < j of censored mass / suffix(b+1)
    for (size_t j = 0; j < n; ++j) {
      if (j > 0 && cw[j - 1] > 0) {
        const double sfx = suffix[j];
        if (sfx > 0) {
          acc_w += cw[j - 1] / sfx;
          acc_bv += cbv[j - 1] / sfx;
          acc_val += cval[j - 1] / sfx;
        } else {
          known_above_ += cw[j - 1];  // nothing known above: never won within the grid
        }
      }
      const double c = count_at_[j];
      if (c <= 0 || acc_w <= 0) continue;
      count_at_[j] += acc_w * c;
      cost_at_[j] += acc_bv * c * grid_[j];
      value_at_[j] += acc_val * c;
    }
    if (cw[n - 1] > 0) known_above_ += cw[n - 1];
    known_above_ += acc_w * suffix[n];
  }
  auctions_ += weight * auctions;
}

void BidLandscape::Decay(double factor) {
  for (auto* v : {&cost_at_, &value_at_, &count_at_}) {
    for (double& x : *v) x *= factor;
  }
  known_above_ *= factor;
  samples_ *= factor;
  auctions_ *= factor;
}

void BidLandscape::Fit() {
  const size_t n = grid_.size();
  if (n == 0 || auctions_ <= 0) {
    spend_.assign(n, 0);
    value_.assign(n, 0);
    return;
  }
  // Cumulative mass per auction; weights = the evidence behind each point (samples at or below).
  std::vector<double> raw_s(n), raw_v(n), w(n);
  double cum_c = 0, cum_v = 0, cum_n = 0;
  for (size_t i = 0; i < n; ++i) {
    cum_c += cost_at_[i];
    cum_v += value_at_[i];
    cum_n += count_at_[i];
    raw_s[i] = cum_c / auctions_;
    raw_v[i] = cum_v / auctions_;
    w[i] = cum_n + 1.0;
  }
  spend_ = IsotonicFit(raw_s, w);
  value_ = IsotonicFit(raw_v, w);
}

double BidLandscape::Interp(const std::vector<double>& curve, double alpha) const {
  if (grid_.empty() || alpha <= 0) return 0;
  const double pos = (std::log(alpha) - log_lo_) / log_step_;
  if (pos <= 0) return curve.front() * std::min(1.0, alpha / grid_.front());
  if (pos >= grid_.size() - 1) return curve.back();
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - i;
  return curve[i] * (1 - f) + curve[i + 1] * f;
}

double BidLandscape::SolveAlpha(double auctions_left, double budget_left, double spent,
                                double value, double k, double value_scale) const {
  if (grid_.empty()) return 0;
  auto feasible = [&](double a, bool with_k) {
    const double s = auctions_left * SpendPerAuction(a);
    if (s > budget_left) return false;
    if (!with_k || !std::isfinite(k)) return true;
    return spent + s <= k * (value + value_scale * auctions_left * ValuePerAuction(a));
  };
  auto largest = [&](bool with_k, double cap) {
    // Scan down from the cap for the first feasible grid point, then bisect towards the next.
    size_t i = grid_.size();
    while (i > 0 && (grid_[i - 1] > cap || !feasible(grid_[i - 1], with_k))) --i;
    if (i == 0) return 0.0;
    double lo = grid_[i - 1];
    double hi = i < grid_.size() ? std::min(grid_[i], cap) : std::min(lo * 4, cap);
    if (hi <= lo) return lo;
    for (int it = 0; it < 30; ++it) {
      const double mid = std::sqrt(lo * hi);
      (feasible(mid, with_k) ? lo : hi) = mid;
    }
    return lo;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const double a = largest(true, inf);
  if (a > 0 || !std::isfinite(k)) return a;
  return largest(false, k * value_scale);
}

}  // namespace cf
