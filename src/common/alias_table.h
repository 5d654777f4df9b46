// Walker's alias method: O(1) sampling from a fixed discrete distribution.
// Promises: built once from non-negative weights (at least one positive), then immutable and safe
// to share between threads; Sample takes the caller's uniform draws, so the caller owns randomness.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace cf {

class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(const std::vector<double>& weights) {
    const size_t n = weights.size();
    double total = 0;
    for (double w : weights) {
      if (w < 0) throw std::invalid_argument("AliasTable: negative weight");
      total += w;
    }
    if (n == 0 || total <= 0) throw std::invalid_argument("AliasTable: no positive weight");
    prob_.resize(n);
    alias_.resize(n);
    std::vector<double> scaled(n);
    std::vector<uint32_t> small, large;
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * n / total;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const uint32_t s = small.back(), l = large.back();
      small.pop_back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] -= 1.0 - scaled[s];
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (uint32_t i : large) prob_[i] = 1.0, alias_[i] = i;
    for (uint32_t i : small) prob_[i] = 1.0, alias_[i] = i;
  }
  size_t size() const { return prob_.size(); }
  // u1, u2 uniform in [0,1).
  uint32_t Sample(double u1, double u2) const {
    const uint32_t i = static_cast<uint32_t>(u1 * prob_.size());
    return u2 < prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<uint32_t> alias_;
};

}  // namespace cf
