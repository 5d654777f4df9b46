#include "insight/basket_completion.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace cf::kg {

namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

double HitAtK(const std::vector<int>& ranked, int target, size_t k) {
  const size_t n = std::min(k, ranked.size());
  for (size_t i = 0; i < n; ++i) {
    if (ranked[i] == target) return 1.0;
  }
  return 0.0;
}

bool IsTestHousehold(int64_t household, int test_every) {
  return test_every > 0 &&
         Mix(static_cast<uint64_t>(household)) % static_cast<uint64_t>(test_every) == 0;
}

size_t HeldOutIndex(int64_t basket_id, size_t size) {
  return size == 0
             ? 0
             : static_cast<size_t>(Mix(static_cast<uint64_t>(basket_id) ^ 0x5bd1e995ULL) % size);
}

nlohmann::json CompletionReport::ToJson() const {
  const double n = test_baskets ? static_cast<double>(test_baskets) : 1.0;
  const std::string key = "hit@" + std::to_string(k);
  return {{"baskets", test_baskets},
          {"train_baskets", train_baskets},
          {"mined_pairs", mined_pairs},
          {"curated_pairs_used", curated_pairs_used},
          {"kg", {{key, kg_hits / n}}},
          {"mined_only", {{key, mined_hits / n}}},
          {"popularity", {{key, popularity_hits / n}}}};
}

CompletionReport EvaluateBasketCompletion(const RetailCatalogue& catalogue,
                                          const std::vector<RetailBasket>& baskets,
                                          const KnowledgeGraph* curated, const CompletionOptions& o,
                                          const std::function<void(size_t, size_t)>& progress) {
  CompletionReport rep;
  rep.k = o.k;
  const CategoryIndex cats = IndexCategories(catalogue);
  const size_t nc = cats.names.size();
  std::vector<RetailBasket> train;
  std::vector<const RetailBasket*> test;
  for (const auto& b : baskets) {
    if (IsTestHousehold(b.household, o.test_every)) {
      if (b.items.size() >= 2) test.push_back(&b);
    } else {
      train.push_back(b);
    }
  }
  rep.train_baskets = train.size();
  rep.test_baskets = test.size();
  // Training statistics.
  const std::vector<int64_t> pop = BasketCounts(train, catalogue.products().size());
  const auto cbaskets = CategoryBaskets(train, cats);
  std::vector<int64_t> cat_count(nc, 0);
  for (const auto& b : cbaskets) {
    for (int c : b) ++cat_count[static_cast<size_t>(c)];
  }
  const double n_train = train.empty() ? 1.0 : static_cast<double>(train.size());
  // Baskets holding two or more distinct products of one category: P(another c | c).
  std::vector<int64_t> repeat(nc, 0);
  std::vector<int> per_cat(nc, 0);
  for (const auto& b : train) {
    for (int i : b.items) {
      const int c = cats.of_product[static_cast<size_t>(i)];
      if (c >= 0 && ++per_cat[static_cast<size_t>(c)] == 2) ++repeat[static_cast<size_t>(c)];
    }
    for (int i : b.items) {
      const int c = cats.of_product[static_cast<size_t>(i)];
      if (c >= 0) per_cat[static_cast<size_t>(c)] = 0;
    }
  }
  const auto pairs = MineComplements(cbaskets, nc, o.miner);
  rep.mined_pairs = pairs.size();
  std::vector<std::vector<std::pair<int, double>>> conf(nc);  // a -> (c, P(c|a))
  for (const auto& p : pairs) {
    conf[static_cast<size_t>(p.a)].emplace_back(p.b, p.ConfAB());
    conf[static_cast<size_t>(p.b)].emplace_back(p.a, p.ConfBA());
  }
  // Curated complements, down to catalogue categories: a -> (c, weight).
  std::vector<std::vector<std::pair<int, double>>> curated_rel(nc);
  if (curated != nullptr) {
    auto cats_of = [&](int node) {
      std::vector<int> out;
      for (const auto& pat : curated->node(node).catalogue) {
        const std::string cat = CataloguePattern::Parse(pat).category;
        for (size_t c = 0; c < nc; ++c) {
          if (UpperAscii(cats.names[c]) == cat) out.push_back(static_cast<int>(c));
        }
      }
      return out;
    };
    for (const Complement& rel : curated->complements()) {
      if (rel.provenance != Provenance::kCurated) continue;
      const auto xa = cats_of(rel.ia), xb = cats_of(rel.ib);
      for (int a : xa) {
        for (int b : xb) {
          if (a == b) continue;
          curated_rel[static_cast<size_t>(a)].emplace_back(b, rel.weight);
          curated_rel[static_cast<size_t>(b)].emplace_back(a, rel.weight);
          ++rep.curated_pairs_used;
        }
      }
    }
  }
  // Candidates per category: the most popular training products.
  std::vector<std::vector<int>> top_of(nc);
  std::vector<int> global;
  for (size_t p = 0; p < pop.size(); ++p) {
    if (pop[p] <= 0) continue;
    global.push_back(static_cast<int>(p));
    const int c = cats.of_product[p];
    if (c >= 0) top_of[static_cast<size_t>(c)].push_back(static_cast<int>(p));
  }
  auto by_pop = [&](int a, int b) {
    if (pop[static_cast<size_t>(a)] != pop[static_cast<size_t>(b)]) {
      return pop[static_cast<size_t>(a)] > pop[static_cast<size_t>(b)];
    }
    return a < b;
  };
  std::sort(global.begin(), global.end(), by_pop);
  const size_t keep = o.k + 16;
  for (auto& v : top_of) {
    std::sort(v.begin(), v.end(), by_pop);
    if (v.size() > keep) v.resize(keep);
  }
  if (global.size() > keep) global.resize(keep);

  std::vector<double> kg_score(nc), mined_score(nc);
  std::vector<std::pair<double, int>> cand;
  std::vector<int> ranked;
  auto rank = [&](const std::vector<double>& cs, const std::unordered_set<int>& ctx) {
    cand.clear();
    for (size_t c = 0; c < nc; ++c) {
      if (cs[c] <= 0 || cat_count[c] == 0) continue;
      for (int p : top_of[c]) {
        if (ctx.count(p)) continue;
        cand.emplace_back(cs[c] * static_cast<double>(pop[static_cast<size_t>(p)]) /
                              static_cast<double>(cat_count[c]),
                          p);
      }
    }
    const size_t n = std::min(o.k, cand.size());
    std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(n), cand.end(),
                      [](const auto& x, const auto& y) {
                        return x.first != y.first ? x.first > y.first : x.second < y.second;
                      });
    ranked.clear();
    for (size_t i = 0; i < n; ++i) ranked.push_back(cand[i].second);
    return ranked;
  };
  for (size_t t = 0; t < test.size(); ++t) {
    const RetailBasket& b = *test[t];
    const size_t h = HeldOutIndex(b.basket_id, b.items.size());
    const int target = b.items[h];
    std::unordered_set<int> ctx;
    std::vector<int> ctx_cats;
    for (size_t i = 0; i < b.items.size(); ++i) {
      if (i == h) continue;
      ctx.insert(b.items[i]);
      const int c = cats.of_product[static_cast<size_t>(b.items[i])];
      if (c >= 0 && std::find(ctx_cats.begin(), ctx_cats.end(), c) == ctx_cats.end()) {
        ctx_cats.push_back(c);
      }
    }
    for (size_t c = 0; c < nc; ++c) {
      mined_score[c] = static_cast<double>(cat_count[c]) / n_train;
      kg_score[c] = mined_score[c];
    }
    for (int a : ctx_cats) {
      const auto ua = static_cast<size_t>(a);
      if (cat_count[ua] > 0) {
        kg_score[ua] += static_cast<double>(repeat[ua]) / static_cast<double>(cat_count[ua]);
      }
      for (auto [c, x] : conf[static_cast<size_t>(a)]) {
        mined_score[static_cast<size_t>(c)] += x;
        kg_score[static_cast<size_t>(c)] += x;
      }
      for (auto [c, w] : curated_rel[static_cast<size_t>(a)]) {
        kg_score[static_cast<size_t>(c)] +=
            w * static_cast<double>(cat_count[static_cast<size_t>(c)]) / n_train;
      }
    }
    rep.kg_hits += HitAtK(rank(kg_score, ctx), target, o.k);
    rep.mined_hits += HitAtK(rank(mined_score, ctx), target, o.k);
    ranked.clear();
    for (int p : global) {
      if (ranked.size() >= o.k) break;
      if (!ctx.count(p)) ranked.push_back(p);
    }
    rep.popularity_hits += HitAtK(ranked, target, o.k);
    if (progress && ((t + 1) % 1000 == 0 || t + 1 == test.size())) progress(t + 1, test.size());
  }
  return rep;
}

}  // namespace cf::kg
