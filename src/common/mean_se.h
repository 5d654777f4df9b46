// The mean of a sample and its standard error (sample standard deviation / sqrt(n)), for
// benchmarks that replicate runs over seeds. Promises: an empty sample gives 0 +- 0, a single
// value its value +- 0.
#pragma once

#include <cmath>
#include <vector>

namespace cf {

struct MeanSe {
  double mean = 0, se = 0;
};

inline MeanSe Summarise(const std::vector<double>& x) {
  MeanSe m;
  if (x.empty()) return m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  if (x.size() < 2) return m;
  double ss = 0;
  for (double v : x) ss += (v - m.mean) * (v - m.mean);
  m.se = std::sqrt(ss / static_cast<double>(x.size() - 1) / static_cast<double>(x.size()));
  return m;
}

}  // namespace cf
