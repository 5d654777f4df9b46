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
}

void QueryCategories::Rebuild() {
  for (const auto& [q, cats] : counts_) {
    std::vector<std::pair<float, CategoryId>> v;
    for (const auto& [cat, w] : cats) v.emplace_back(w, cat);
    const size_t n = std::min<size_t>(4, v.size());
    std::partial_sort(v.begin(), v.begin() + n, v.end(), std::greater<>());
    if (top_.size() <= q) top_.resize(q + 1);
    top_[q].clear();
    for (size_t i = 0; i < n; ++i) top_[q].push_back({v[i].second, v[i].first});
  }
}

int QueryCategories::Top(QueryId q, int k, CategoryId* out) const {
  if (q >= top_.size()) return 0;
  const auto& top = top_[q];
  const int n = std::min<int>(k, static_cast<int>(top.size()));
  for (int i = 0; i < n; ++i) out[i] = top[static_cast<size_t>(i)].category;
  return n;
}

int QueryCategories::TopWeighted(QueryId q, int k, WeightedCategory* out) const {
  if (q >= top_.size()) return 0;
  const auto& top = top_[q];
  const int n = std::min<int>(k, static_cast<int>(top.size()));
  std::copy_n(top.begin(), n, out);
  return n;
}

}  // namespace cf
