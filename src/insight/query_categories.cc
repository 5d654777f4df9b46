#include "insight/query_categories.h"

#include <algorithm>

namespace cf {

QueryCategories::QueryCategories(const Catalogue& catalogue, size_t users)
    : catalogue_(catalogue), last_(users) {}

void QueryCategories::Observe(const Event& e) {
  if (e.user >= last_.size()) return;
  if (e.type == EventType::kSearch) {
    last_[e.user] = {e.ref, e.minute};
    return;
  }
  const Last& l = last_[e.user];
  if (l.query == kNoId || e.minute > l.minute + 30 || e.product == kNoId ||
      e.product >= catalogue_.products.size()) {
    return;
  }
  float w = 0;
  if (e.type == EventType::kClick) w = 3;
  if (e.type == EventType::kPurchase || e.type == EventType::kAddToCart) w = 5;
  if (e.type == EventType::kOrganicView) w = 0.5f;
  if (w == 0) return;
  counts_[l.query][catalogue_.products[e.product].category] += w;
  top_cache_.erase(l.query);
}

int QueryCategories::Top(QueryId q, int k, CategoryId* out) const {
  auto it = top_cache_.find(q);
  if (it == top_cache_.end()) {
    std::vector<std::pair<float, CategoryId>> v;
    if (auto c = counts_.find(q); c != counts_.end()) {
      for (const auto& [cat, w] : c->second) v.emplace_back(w, cat);
    }
    std::sort(v.begin(), v.end(), std::greater<>());
    std::vector<CategoryId> top;
    for (size_t i = 0; i < v.size() && i < 4; ++i) top.push_back(v[i].second);
    it = top_cache_.emplace(q, std::move(top)).first;
  }
  const int n = std::min<int>(k, static_cast<int>(it->second.size()));
  std::copy_n(it->second.begin(), n, out);
  return n;
}

}  // namespace cf
