#include "strategy/isotonic_regression.h"

namespace cf {

std::vector<double> IsotonicFit(std::span<const double> y, std::span<const double> w) {
  const size_t n = y.size();
  struct Block {
    double sum_wy, sum_w;
    size_t count;
  };
  std::vector<Block> blocks;
  blocks.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double wi = w.empty() ? 1.0 : w[i];
    blocks.push_back({wi * y[i], wi, 1});
    while (blocks.size() >= 2) {
      const Block& b = blocks.back();
      const Block& a = blocks[blocks.size() - 2];
      // Violation: mean(a) > mean(b)  <=>  a.sum_wy * b.sum_w > b.sum_wy * a.sum_w (weights > 0).
      if (a.sum_wy * b.sum_w <= b.sum_wy * a.sum_w) break;
      Block merged{a.sum_wy + b.sum_wy, a.sum_w + b.sum_w, a.count + b.count};
      blocks.pop_back();
      blocks.back() = merged;
    }
  }
  std::vector<double> out;
  out.reserve(n);
  for (const Block& b : blocks) {
    const double mean = b.sum_w > 0 ? b.sum_wy / b.sum_w : 0.0;
    out.insert(out.end(), b.count, mean);
  }
  return out;
}

}  // namespace cf
