#include "strategy/hindsight_oracle.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cf {
namespace {

// Items with positive value, sorted by value/cost descending (cost 0 first).
std::vector<OracleItem> SortedByEfficiency(std::span<const OracleItem> items) {
  std::vector<OracleItem> v;
  v.reserve(items.size());
  for (const OracleItem& it : items) {
    if (it.value > 0 && it.cost >= 0) v.push_back(it);
  }
  std::sort(v.begin(), v.end(), [](const OracleItem& a, const OracleItem& b) {
    // a.v/a.c > b.v/b.c without division (costs >= 0).
    return a.value * b.cost > b.value * a.cost;
  });
  return v;
}

// Walks the efficiency prefix; stops at the largest fraction of each item that keeps
// cost <= budget and cost <= k x value.
OracleResult Prefix(std::span<const OracleItem> items, double budget, double k) {
  OracleResult r;
  for (const OracleItem& it : SortedByEfficiency(items)) {
    double f = 1.0;
    if (r.cost + it.cost > budget) f = it.cost > 0 ? (budget - r.cost) / it.cost : 1.0;
    if (std::isfinite(k)) {
      // (C + f c) <= k (V + f v)  <=>  f (c - k v) <= k V - C
      const double slope = it.cost - k * it.value;
      if (slope > 0) f = std::min(f, (k * r.value - r.cost) / slope);
    }
    f = std::clamp(f, 0.0, 1.0);
    if (f <= 0) break;
    r.value += f * it.value;
    r.cost += f * it.cost;
    ++r.items_taken;
    if (f < 1.0) break;
  }
  r.conversions = r.value;
  return r;
}

double Score(double v, double c, double k) {
  if (v <= 0) return 0;
  if (c <= k * v) return v;
  const double ratio = k * v / c;
  return v * ratio * ratio;
}

}  // namespace

OracleResult BudgetOptimum(std::span<const OracleItem> items, double budget) {
  return Prefix(items, budget, std::numeric_limits<double>::infinity());
}

OracleResult ConstrainedOptimum(std::span<const OracleItem> items, double budget,
                                double max_cost_per_value) {
  return Prefix(items, budget, max_cost_per_value);
}

OracleResult PenalisedOptimum(std::span<const OracleItem> items, double budget, double k) {
  OracleResult best;
  double v = 0, c = 0;
  size_t n = 0;
  auto consider = [&](double vv, double cc, size_t count) {
    const double s = Score(vv, cc, k);
    if (s > best.value) best = {s, vv, cc, count};
  };
  for (const OracleItem& it : SortedByEfficiency(items)) {
    double fmax = 1.0;
    if (c + it.cost > budget) fmax = it.cost > 0 ? std::max(0.0, (budget - c) / it.cost) : 1.0;
    ++n;
    // Along this segment (v + f dv, c + f dc) the score is v while within the target, then
    // V^3 k^2 / C^2 with one stationary point; check the end, the crossing and that point.
    consider(v + fmax * it.value, c + fmax * it.cost, n);
    const double slope = it.cost - k * it.value;
    if (slope > 0) {
      const double fcross = (k * v - c) / slope;
      if (fcross > 0 && fcross < fmax) consider(v + fcross * it.value, c + fcross * it.cost, n);
    }
    if (it.value > 0 && it.cost > 0) {
      const double fstat = (2 * it.cost * v - 3 * it.value * c) / (it.value * it.cost);
      if (fstat > 0 && fstat < fmax) consider(v + fstat * it.value, c + fstat * it.cost, n);
    }
    if (fmax < 1.0) break;
    v += it.value;
    c += it.cost;
  }
  return best;
}

void MultipleChoiceItems(std::span<const OracleItem> options, std::vector<OracleItem>& out) {
  // Options sorted by cost; keep the upper-left convex hull starting at (0, 0).
  std::vector<OracleItem> opt;
  opt.reserve(options.size());
  for (const OracleItem& o : options) {
    if (o.value > 0 && o.cost >= 0) opt.push_back(o);
  }
  std::sort(opt.begin(), opt.end(), [](const OracleItem& a, const OracleItem& b) {
    return a.cost < b.cost || (a.cost == b.cost && a.value > b.value);
  });
  std::vector<OracleItem> hull{{0, 0}};
  for (const OracleItem& o : opt) {
    if (o.value <= hull.back().value) continue;  // dominated: costs more, gives no more
    while (hull.size() >= 2) {
      const OracleItem& a = hull[hull.size() - 2];
      const OracleItem& b = hull.back();
      // Remove b if it lies on or below the segment a -> o (efficiency must decrease).
      const double cross =
          (b.value - a.value) * (o.cost - a.cost) - (o.value - a.value) * (b.cost - a.cost);
      if (cross > 0) break;
      hull.pop_back();
    }
    hull.push_back(o);
  }
  for (size_t i = 1; i < hull.size(); ++i) {
    out.push_back({hull[i].value - hull[i - 1].value, hull[i].cost - hull[i - 1].cost});
  }
}

}  // namespace cf
