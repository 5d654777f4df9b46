#include "diagnosis/roi_decomposition.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace cf::diagnosis {

std::string_view RoiFactorName(RoiFactor f) {
  static constexpr std::array<std::string_view, kNumRoiFactors> kNames = {
      "ctr", "cvr", "order_value", "cpm", "channel_mix"};
  return kNames[static_cast<size_t>(f)];
}

std::vector<RoiEffect> RoiDecomposition::Ranked() const {
  std::vector<RoiEffect> r = effects;
  std::stable_sort(r.begin(), r.end(), [](const RoiEffect& a, const RoiEffect& b) {
    return std::abs(a.effect) > std::abs(b.effect);
  });
  return r;
}

namespace {

// Factor values of one segment in one period: ctr, cvr, aov, cpm; NaN when undefined.
std::array<double, 4> Factors(const KpiCounts& c) {
  const double nan = std::nan("");
  return {c.impressions > 0 ? c.clicks / c.impressions : nan,
          c.clicks > 0 ? c.purchases / c.clicks : nan, c.purchases > 0 ? c.gmv / c.purchases : nan,
          c.impressions > 0 && c.spend > 0 ? c.spend / c.impressions * 1000 : nan};
}

struct Period {
  std::vector<std::array<double, 4>> factors;  // per segment
  std::vector<double> share;                   // spend share per segment
};

double Roi(const Period& ctr, const Period& cvr, const Period& aov, const Period& cpm,
           const Period& mix, size_t n) {
  double roi = 0;
  for (size_t s = 0; s < n; ++s) {
    if (mix.share[s] <= 0) continue;
    const double cpm_v = cpm.factors[s][3];
    if (!(cpm_v > 0)) continue;
    roi += mix.share[s] * 1000 * ctr.factors[s][0] * cvr.factors[s][1] * aov.factors[s][2] / cpm_v;
  }
  return roi;
}

double Ratio(double num, double den) { return den > 0 ? num / den : 0; }

}  // namespace

RoiDecomposition DecomposeRoi(const std::vector<RoiSegment>& segments) {
  RoiDecomposition out;
  const size_t n = segments.size();
  Period before, after;
  KpiCounts tb, ta;
  for (const RoiSegment& s : segments) {
    tb += s.before;
    ta += s.after;
  }
  for (const RoiSegment& s : segments) {
    auto fb = Factors(s.before), fa = Factors(s.after);
    for (int k = 0; k < 4; ++k) {
      // Undefined in one period: the other period's value; in both: 0.
      if (std::isnan(fb[k])) fb[k] = std::isnan(fa[k]) ? 0 : fa[k];
      if (std::isnan(fa[k])) fa[k] = fb[k];
    }
    before.factors.push_back(fb);
    after.factors.push_back(fa);
    before.share.push_back(Ratio(s.before.spend, tb.spend));
    after.share.push_back(Ratio(s.after.spend, ta.spend));
  }
  // Shapley over the five factor groups.
  std::array<double, 32> value{};
  for (unsigned mask = 0; mask < 32; ++mask) {
    const auto pick = [&](int k) -> const Period& { return (mask >> k & 1u) ? after : before; };
    value[mask] = Roi(pick(0), pick(1), pick(2), pick(3), pick(4), n);
  }
  std::array<double, 6> fact = {1, 1, 2, 6, 24, 120};
  out.roi_before = value[0];
  out.roi_after = value[31];
  out.total_change = value[31] - value[0];
  for (int k = 0; k < kNumRoiFactors; ++k) {
    double phi = 0;
    for (unsigned mask = 0; mask < 32; ++mask) {
      if (mask >> k & 1u) continue;
      const int size = __builtin_popcount(mask);
      const double weight = fact[size] * fact[kNumRoiFactors - size - 1] / fact[kNumRoiFactors];
      phi += weight * (value[mask | (1u << k)] - value[mask]);
    }
    RoiEffect e;
    e.factor = static_cast<RoiFactor>(k);
    e.effect = phi;
    // Evidence: plan-level factor and the segment that moved most.
    switch (e.factor) {
      case RoiFactor::kCtr:
        e.before = Ratio(tb.clicks, tb.impressions);
        e.after = Ratio(ta.clicks, ta.impressions);
        break;
      case RoiFactor::kCvr:
        e.before = Ratio(tb.purchases, tb.clicks);
        e.after = Ratio(ta.purchases, ta.clicks);
        break;
      case RoiFactor::kOrderValue:
        e.before = Ratio(tb.gmv, tb.purchases);
        e.after = Ratio(ta.gmv, ta.purchases);
        break;
      case RoiFactor::kCpm:
        e.before = Ratio(tb.spend, tb.impressions) * 1000;
        e.after = Ratio(ta.spend, ta.impressions) * 1000;
        break;
      case RoiFactor::kMix:
        break;
    }
    double best = -1;
    for (size_t s = 0; s < n; ++s) {
      const double b = k < 4 ? before.factors[s][k] : before.share[s];
      const double a = k < 4 ? after.factors[s][k] : after.share[s];
      const double weight = k < 4 ? std::max(before.share[s], after.share[s]) : 1.0;
      const double move =
          k < 4 ? weight * std::abs(a - b) / std::max(std::abs(b), 1e-12) : std::abs(a - b);
      if (move > best) {
        best = move;
        e.top_segment = segments[s].name;
        e.top_before = b;
        e.top_after = a;
      }
    }
    if (e.factor == RoiFactor::kMix) {
      e.before = e.top_before;
      e.after = e.top_after;
    }
    out.effects.push_back(std::move(e));
  }
  return out;
}

}  // namespace cf::diagnosis
