#include "insight/popularity_affinity_retriever.h"

#include <algorithm>

namespace cf {

PopularityAffinityRetriever::PopularityAffinityRetriever(const AdInventory& inventory,
                                                         const UserAffinity& affinity,
                                                         const QueryCategories& queries,
                                                         Options options)
    : inventory_(inventory),
      affinity_(affinity),
      queries_(queries),
      options_(options),
      product_purchases_(inventory.catalogue().products.size(), 0.0) {}

void PopularityAffinityRetriever::Observe(const Event& e) {
  if (e.type == EventType::kPurchase && e.product < product_purchases_.size()) {
    product_purchases_[e.product] += 1;
  }
}

void PopularityAffinityRetriever::Refresh() {
  popular_ = inventory_.All();
  const size_t n = std::min(options_.popular, popular_.size());
  std::partial_sort(popular_.begin(), popular_.begin() + n, popular_.end(),
                    [&](const AdCandidate& a, const AdCandidate& b) {
                      const double pa = product_purchases_[a.product],
                                   pb = product_purchases_[b.product];
                      return pa != pb ? pa > pb : a.plan < b.plan;
                    });
  popular_.resize(n);
}

void PopularityAffinityRetriever::AddCategory(CategoryId c, uint64_t rotation,
                                              std::vector<AdCandidate>& out) const {
  const auto& ads = inventory_.ByCategory(c);
  const size_t n = std::min(options_.per_category, ads.size());
  const size_t start = ads.empty() ? 0 : rotation % ads.size();
  for (size_t i = 0; i < n && out.size() < options_.max_candidates; ++i) {
    out.push_back(ads[(start + i) % ads.size()]);
  }
}

int PopularityAffinityRetriever::QueryCategoriesOf(QueryId q, CategoryId* out) const {
  const int k = std::clamp(options_.query_categories, 0, 8);
  if (options_.expansion == nullptr) return options_.learned_queries ? queries_.Top(q, k, out) : 0;
  WeightedCategory text[8], learned[8];
  const int nt = options_.expansion->Top(q, 8, text);
  const int nl = options_.learned_queries ? queries_.TopWeighted(q, 8, learned) : 0;
  double text_total = 0;
  for (int i = 0; i < nt; ++i) text_total += text[i].weight;
  const double prior = text_total > 0 ? options_.expansion_prior : 0.0;
  // Posterior weight of each candidate category (the common denominator dropped).
  std::pair<double, CategoryId> merged[16];
  int m = 0;
  auto add = [&](CategoryId c, double w) {
    for (int i = 0; i < m; ++i) {
      if (merged[i].second == c) {
        merged[i].first += w;
        return;
      }
    }
    merged[m++] = {w, c};
  };
  for (int i = 0; i < nl; ++i) add(learned[i].category, learned[i].weight);
  for (int i = 0; i < nt; ++i) add(text[i].category, prior * text[i].weight / text_total);
  std::stable_sort(merged, merged + m, [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  const int n = std::min(k, m);
  for (int i = 0; i < n; ++i) out[i] = merged[i].second;
  return n;
}

void PopularityAffinityRetriever::Retrieve(const Opportunity& opp,
                                           std::vector<AdCandidate>& out) const {
  CategoryId cats[8];
  if (opp.query != kNoId) {
    const int n = QueryCategoriesOf(opp.query, cats);
    for (int i = 0; i < n; ++i) AddCategory(cats[i], opp.key, out);
  }
  const int n = affinity_.Top(opp.user, std::min(options_.user_categories, 8), cats);
  for (int i = 0; i < n; ++i) AddCategory(cats[i], opp.key, out);
  for (const AdCandidate& a : popular_) {
    if (out.size() >= options_.max_candidates) break;
    out.push_back(a);
  }
  // De-duplicate (the lists may overlap); keep the first occurrence.
  size_t w = 0;
  for (size_t r = 0; r < out.size(); ++r) {
    bool dup = false;
    for (size_t k = 0; k < w && !dup; ++k)
      dup = out[k].plan == out[r].plan && out[k].product == out[r].product;
    if (!dup) out[w++] = out[r];
  }
  out.resize(w);
}

}  // namespace cf
