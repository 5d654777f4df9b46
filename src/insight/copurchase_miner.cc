#include "insight/copurchase_miner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace cf::kg {

std::vector<MinedPair> MineComplements(const std::vector<std::vector<int>>& baskets,
                                       size_t num_keys, const MinerOptions& o) {
  std::vector<int64_t> count(num_keys, 0);
  std::unordered_map<uint64_t, int64_t> pairs;
  std::vector<int> keys;
  for (const auto& b : baskets) {
    keys = b;
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (int k : keys) {
      if (k < 0 || static_cast<size_t>(k) >= num_keys) {
        throw std::invalid_argument("MineComplements: key " + std::to_string(k) +
                                    " out of range [0, " + std::to_string(num_keys) + ")");
      }
      ++count[static_cast<size_t>(k)];
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      for (size_t j = i + 1; j < keys.size(); ++j) {
        ++pairs[(static_cast<uint64_t>(keys[i]) << 32) | static_cast<uint32_t>(keys[j])];
      }
    }
  }
  const double n = static_cast<double>(baskets.size());
  std::vector<MinedPair> out;
  for (const auto& [key, support] : pairs) {
    if (support < o.min_support) continue;
    MinedPair p;
    p.a = static_cast<int>(key >> 32);
    p.b = static_cast<int>(key & 0xffffffffu);
    p.support = support;
    p.count_a = count[static_cast<size_t>(p.a)];
    p.count_b = count[static_cast<size_t>(p.b)];
    p.baskets = static_cast<int64_t>(baskets.size());
    p.lift = n * static_cast<double>(support) /
             (static_cast<double>(p.count_a) * static_cast<double>(p.count_b));
    if (p.lift < o.min_lift) continue;
    p.pmi = std::log(p.lift);
    const double pab = static_cast<double>(support) / n;
    p.npmi = pab < 1.0 ? p.pmi / -std::log(pab) : 1.0;
    out.push_back(p);
  }
  auto stronger = [](const MinedPair& x, const MinedPair& y) {
    if (x.npmi != y.npmi) return x.npmi > y.npmi;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  };
  std::sort(out.begin(), out.end(), stronger);
  if (o.max_per_key == 0) return out;
  std::vector<size_t> kept(num_keys, 0);
  std::vector<MinedPair> pruned;
  for (const MinedPair& p : out) {
    // Keep a pair while either end still has room: a rare key's best partner survives even when
    // the partner is a hub.
    if (kept[static_cast<size_t>(p.a)] < o.max_per_key ||
        kept[static_cast<size_t>(p.b)] < o.max_per_key) {
      ++kept[static_cast<size_t>(p.a)];
      ++kept[static_cast<size_t>(p.b)];
      pruned.push_back(p);
    }
  }
  return pruned;
}

}  // namespace cf::kg
