#include "diagnosis/adtributor.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cf::diagnosis {

namespace {

double JsTerm(double p, double q) {
  const double m = (p + q) / 2;
  double s = 0;
  if (p > 0) s += 0.5 * p * std::log(p / m);
  if (q > 0) s += 0.5 * q * std::log(q / m);
  return s;
}

struct Candidate {
  size_t dim = 0;
  std::vector<uint32_t> values;
  double surprise = 0;
};

}  // namespace

RcaResult Adtributor(const RcaCase& c, const AdtributorParams& params) {
  RcaResult result;
  std::vector<double> v, f;
  AdditiveView(c, &v, &f);
  const double A = std::accumulate(v.begin(), v.end(), 0.0);
  const double F = std::accumulate(f.begin(), f.end(), 0.0);
  if (A - F == 0 || A <= 0 || F <= 0) return result;
  std::vector<Candidate> candidates;
  for (size_t dim = 0; dim < c.dims.size(); ++dim) {
    const size_t k = c.values[dim].size();
    std::vector<double> a(k, 0), fe(k, 0);
    for (size_t i = 0; i < c.leaves.size(); ++i) {
      a[c.leaves[i].attrs[dim]] += v[i];
      fe[c.leaves[i].attrs[dim]] += f[i];
    }
    std::vector<uint32_t> order(k);
    std::iota(order.begin(), order.end(), 0u);
    std::vector<double> surprise(k), ep(k);
    for (size_t e = 0; e < k; ++e) {
      surprise[e] = JsTerm(fe[e] / F, a[e] / A);
      ep[e] = (a[e] - fe[e]) / (A - F);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t x, uint32_t y) { return surprise[x] > surprise[y]; });
    Candidate cand;
    cand.dim = dim;
    double explained = 0;
    for (uint32_t e : order) {
      if (ep[e] <= params.min_element_ep) continue;
      cand.values.push_back(e);
      cand.surprise += surprise[e];
      explained += ep[e];
      if (explained > params.min_total_ep) {
        candidates.push_back(cand);
        break;
      }
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& x, const Candidate& y) { return x.surprise > y.surprise; });
  for (size_t i = 0; i < candidates.size() && i < params.dimensions; ++i) {
    for (uint32_t e : candidates[i].values) {
      Element el;
      el.items.emplace_back(c.dims[candidates[i].dim], c.values[candidates[i].dim][e]);
      result.causes.push_back(std::move(el));
      result.scores.push_back(std::min(1.0, candidates[i].surprise));
    }
  }
  return result;
}

}  // namespace cf::diagnosis
