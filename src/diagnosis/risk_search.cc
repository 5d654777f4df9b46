#include "diagnosis/risk_search.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

namespace cf::diagnosis {

namespace {

struct Context {
  const RcaCase& c;
  const RiskSearchParams& p;
  double var_floor = 1;              // added to every variance (one count for count data)
  std::vector<double> x, w, var, u;  // signed excess, weight, noise variance, |v| + |f|
  double total_excess = 0;
  std::vector<std::pair<Element, double>>* out;
};

struct Group {
  double x = 0, w = 0, var = 0, u = 0;
  std::vector<uint32_t> leaves;
};

// Is a group's excess beyond noise and large enough to matter?
bool Significant(const Context& ctx, const Group& g) {
  if (g.x <= 0 || g.w <= 0) return false;
  if (g.x < ctx.p.min_share * ctx.total_excess) return false;
  return g.x / std::sqrt(g.var + ctx.var_floor) >= ctx.p.min_z;
}

struct Split {
  double rank = std::numeric_limits<double>::infinity();  // lower is better
  size_t dim = 0;
  std::vector<uint32_t> affected;
  std::vector<Group> groups;
};

void Drill(const Context& ctx, const std::vector<uint32_t>& leaves, uint32_t fixed,
           std::vector<std::pair<size_t, uint32_t>>& path) {
  const RcaCase& c = ctx.c;
  const bool root = path.empty();
  double node_w = 0;
  for (uint32_t i : leaves) node_w += ctx.w[i];
  Split best;
  for (size_t dim = 0; dim < c.dims.size(); ++dim) {
    if (fixed >> dim & 1u) continue;
    std::vector<Group> groups(c.values[dim].size());
    for (uint32_t i : leaves) {
      Group& g = groups[c.leaves[i].attrs[dim]];
      g.x += ctx.x[i];
      g.w += ctx.w[i];
      g.var += ctx.var[i];
      g.u += ctx.u[i];
      g.leaves.push_back(i);
    }
    double max_intensity = 0;
    for (const Group& g : groups) {
      if (Significant(ctx, g)) max_intensity = std::max(max_intensity, g.x / g.w);
    }
    if (max_intensity <= 0) continue;
    std::vector<uint32_t> affected;
    double aw = 0, ax = 0, rw = 0, rx = 0, rvar = 0;
    for (uint32_t k = 0; k < groups.size(); ++k) {
      const Group& g = groups[k];
      if (g.leaves.empty()) continue;
      if (Significant(ctx, g) && g.x / g.w >= ctx.p.affected_ratio * max_intensity) {
        affected.push_back(k);
        aw += g.w;
        ax += g.x;
      } else {
        rw += g.w;
        rx += g.x;
        rvar += g.var;
      }
    }
    if (affected.empty() || aw <= 0 || rw <= 0) continue;
    const double ia = ax / aw;
    // The rest's calm is evidence only if the rest would show the effect were it affected.
    const bool rest_big = ia * rw / std::sqrt(rvar + ctx.var_floor) >= ctx.p.min_z;
    const double calmness = (rx / rw) / ia;  // 0 = calm, 1 = as affected as the affected part
    const bool calm = calmness <= ctx.p.calm_ratio && rest_big;
    // At the root a localised cause is assumed: without a calm split, the calmest one is taken
    // (ranked after every calm split).
    if (!calm && !root) continue;
    const double rank = calm ? aw / node_w : 1 + calmness;
    if (rank < best.rank) {
      best.rank = rank;
      best.dim = dim;
      best.affected = std::move(affected);
      best.groups = std::move(groups);
    }
  }
  if (std::isfinite(best.rank)) {
    for (uint32_t k : best.affected) {
      path.emplace_back(best.dim, k);
      Drill(ctx, best.groups[k].leaves, fixed | (1u << best.dim), path);
      path.pop_back();
    }
    return;
  }
  if (root) return;  // nothing localised
  Element e;
  for (const auto& [dim, id] : path) e.items.emplace_back(c.dims[dim], c.values[dim][id]);
  e.Normalise();
  double x = 0;
  for (uint32_t i : leaves) x += ctx.x[i];
  ctx.out->emplace_back(std::move(e), std::min(1.0, x / ctx.total_excess));
}

}  // namespace

RcaResult RiskSearch(const RcaCase& c, const RiskSearchParams& params) {
  RcaResult result;
  const size_t n = c.leaves.size();
  if (n == 0 || c.dims.empty() || c.dims.size() > 32) return result;
  std::vector<double> v, f;
  AdditiveView(c, &v, &f);
  std::vector<std::pair<Element, double>> found;
  Context ctx{c, params, 1, {}, {}, {}, {}, 0, &found};
  ctx.x.resize(n);
  ctx.w.resize(n);
  ctx.var.resize(n);
  ctx.u.resize(n);
  double total_dev = 0;
  for (size_t i = 0; i < n; ++i) total_dev += v[i] - f[i];
  const double sign = total_dev < 0 ? -1.0 : 1.0;
  for (size_t i = 0; i < n; ++i) {
    ctx.x[i] = sign * (v[i] - f[i]);
    ctx.u[i] = std::abs(v[i]) + std::abs(f[i]);
    if (c.ratio) {
      // Ratio of counts: weight = volume; binomial variance for proportions, else Poisson.
      const double den = c.leaves[i].real_den;
      const double p = den > 0 ? f[i] / den : 0;
      ctx.w[i] = std::max(0.0, den);
      ctx.var[i] = (p >= 0 && p <= 1) ? ctx.w[i] * p * (1 - p) : std::abs(f[i]);
    } else {
      ctx.w[i] = std::abs(f[i]);
    }
  }
  if (!c.ratio) {
    // Additive KPIs carry no counts: the leaves' relative noise r = (v - f) / |f| is estimated
    // from the leaves deviating against the anomaly (pure noise, half-normal: sigma = 1.4826 x
    // their median |r|); with fewer than 3 of them, from the quietest quarter of all leaves
    // (sigma = q25(|r|) / 0.3186). A leaf's variance is (sigma f)^2.
    std::vector<double> against, all_abs;
    for (size_t i = 0; i < n; ++i) {
      if (f[i] == 0) continue;
      const double r = ctx.x[i] / std::abs(f[i]);
      all_abs.push_back(std::abs(r));
      if (r < 0) against.push_back(-r);
    }
    const auto quantile = [](std::vector<double>& xs, double q) {
      auto it = xs.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(xs.size() - 1));
      std::nth_element(xs.begin(), it, xs.end());
      return *it;
    };
    double sigma = 0;
    if (against.size() >= 3) {
      sigma = 1.4826 * quantile(against, 0.5);
    } else if (!all_abs.empty()) {
      sigma = quantile(all_abs, 0.25) / 0.3186;
    }
    sigma = std::max(sigma, params.min_relative_noise);
    double mean_f = 0;
    for (size_t i = 0; i < n; ++i) {
      ctx.var[i] = sigma * sigma * f[i] * f[i];
      mean_f += std::abs(f[i]) / static_cast<double>(n);
    }
    ctx.var_floor = sigma * sigma * mean_f * mean_f * 1e-6 + 1e-300;
  }
  ctx.total_excess = std::abs(total_dev);
  if (!(ctx.total_excess > 0)) return result;
  std::vector<uint32_t> all(n);
  std::iota(all.begin(), all.end(), 0u);
  std::vector<std::pair<size_t, uint32_t>> path;
  Drill(ctx, all, 0, path);
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (auto& [e, score] : found) {
    if (result.causes.size() >= params.max_causes) break;
    result.causes.push_back(std::move(e));
    result.scores.push_back(score);
  }
  return result;
}

}  // namespace cf::diagnosis
