// Mines complementary pairs from co-purchases: two keys (catalogue categories) bought together in
// more baskets than independence predicts. For each pair it reports support (baskets holding
// both), lift = P(ab) / (P(a) P(b)), PMI = ln(lift) and normalised PMI = PMI / -ln P(ab), over all
// baskets (single-item ones count towards P(a)).
//
// Promises: deterministic output (sorted by normalised PMI, then keys); keys are small
// non-negative ints below `num_keys` (others throw std::invalid_argument); duplicates within a
// basket count once. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cf::kg {

struct MinerOptions {
  int64_t min_support = 5;  // baskets holding both
  double min_lift = 1.5;
  size_t max_per_key = 8;  // keep at most this many partners per key (strongest first); 0 = all
};

struct MinedPair {
  int a = 0, b = 0;  // a < b
  int64_t support = 0, count_a = 0, count_b = 0, baskets = 0;
  double lift = 0, pmi = 0, npmi = 0;
  // P(b | a) and P(a | b).
  double ConfAB() const { return count_a ? static_cast<double>(support) / count_a : 0.0; }
  double ConfBA() const { return count_b ? static_cast<double>(support) / count_b : 0.0; }
};

std::vector<MinedPair> MineComplements(const std::vector<std::vector<int>>& baskets,
                                       size_t num_keys, const MinerOptions& options);

}  // namespace cf::kg
