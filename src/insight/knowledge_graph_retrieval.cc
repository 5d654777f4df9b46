#include "insight/knowledge_graph_retrieval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace cf::kg {

ProductIndex::ProductIndex(const KnowledgeGraph& graph, const RetailCatalogue& catalogue,
                           std::vector<int64_t> popularity)
    : graph_(graph), catalogue_(catalogue), popularity_(std::move(popularity)) {
  popularity_.resize(catalogue.products().size(), 0);
  int64_t max_pop = 0;
  for (int64_t p : popularity_) max_pop = std::max(max_pop, p);
  log_max_pop_ = std::log1p(static_cast<double>(max_pop));
  if (log_max_pop_ <= 0) log_max_pop_ = 1;
  std::unordered_map<std::string, std::vector<int>> by_category;
  std::vector<std::string> upper_type(catalogue.products().size());
  for (size_t i = 0; i < catalogue.products().size(); ++i) {
    const RetailProduct& p = catalogue.products()[i];
    by_category[UpperAscii(p.category)].push_back(static_cast<int>(i));
    upper_type[i] = UpperAscii(p.type);
  }
  products_of_.resize(graph.nodes().size());
  for (size_t n = 0; n < graph.nodes().size(); ++n) {
    const Node& node = graph.nodes()[n];
    if (node.kind != NodeKind::kCategory) continue;
    std::vector<int>& out = products_of_[n];
    for (const std::string& pat : node.catalogue) {
      const CataloguePattern cp = CataloguePattern::Parse(pat);
      auto take = [&](const std::vector<int>& v) {
        for (int i : v) {
          if (cp.type.empty() ||
              upper_type[static_cast<size_t>(i)].find(cp.type) != std::string::npos) {
            out.push_back(i);
          }
        }
      };
      if (cp.AnyCategory()) {
        for (const auto& [k, v] : by_category) take(v);
      } else if (const auto it = by_category.find(cp.category); it != by_category.end()) {
        take(it->second);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    std::stable_sort(out.begin(), out.end(), [&](int a, int b) {
      return popularity_[static_cast<size_t>(a)] > popularity_[static_cast<size_t>(b)];
    });
  }
}

const std::vector<int>& ProductIndex::ProductsOf(int c) const {
  return products_of_[static_cast<size_t>(c)];
}

int64_t ProductIndex::Popularity(int p) const { return popularity_[static_cast<size_t>(p)]; }

std::vector<RetrievedProduct> ProductIndex::Retrieve(const QueryAnalysis& a, size_t k,
                                                     size_t per_category) const {
  std::unordered_map<int, RetrievedProduct> best;
  for (const ScoredNode& c : a.categories) {
    size_t taken = 0;
    for (int p : ProductsOf(c.node)) {
      if (taken >= per_category + 8) break;  // enough candidates from one category
      ++taken;
      const double pop = std::log1p(static_cast<double>(Popularity(p))) / log_max_pop_;
      RetrievedProduct r{p, c.node, c.score * (0.6 + 0.4 * pop), Popularity(p)};
      auto [it, fresh] = best.emplace(p, r);
      if (!fresh && r.score > it->second.score) it->second = r;
    }
  }
  std::vector<RetrievedProduct> all;
  all.reserve(best.size());
  for (const auto& [p, r] : best) all.push_back(r);
  std::sort(all.begin(), all.end(), [](const RetrievedProduct& x, const RetrievedProduct& y) {
    if (x.score != y.score) return x.score > y.score;
    return x.product < y.product;
  });
  std::vector<RetrievedProduct> out;
  std::unordered_map<int, size_t> per;
  for (const auto& r : all) {
    if (out.size() >= k) break;
    if (per[r.category]++ >= per_category) continue;
    out.push_back(r);
  }
  return out;
}

int ProductIndex::BestCategory(int from, const std::vector<int>& used) const {
  // Path weights from `from` down to categories.
  std::unordered_map<int, double> w;
  std::vector<std::pair<int, double>> frontier = {{from, 1.0}};
  while (!frontier.empty()) {
    std::vector<std::pair<int, double>> next;
    for (auto [n, x] : frontier) {
      const Node& node = graph_.node(n);
      if (node.kind == NodeKind::kCategory) {
        w[n] = std::max(w[n], x);
        continue;
      }
      for (const Edge& e : node.edges) next.emplace_back(e.to, x * e.weight);
    }
    frontier = std::move(next);
  }
  int best = -1;
  double best_key = -1;
  for (const auto& [c, x] : w) {
    if (std::find(used.begin(), used.end(), c) != used.end()) continue;
    const double key = x + (ProductsOf(c).empty() ? 0.0 : 10.0);
    if (key > best_key || (key == best_key && c < best)) {
      best = c;
      best_key = key;
    }
  }
  return best;
}

std::vector<BundleItem> ProductIndex::Bundle(const QueryAnalysis& a, size_t complements) const {
  std::vector<BundleItem> items;
  std::vector<int> used;
  auto add = [&](int c, std::string role, std::string evidence) {
    used.push_back(c);
    const auto& ps = ProductsOf(c);
    items.push_back({c, std::move(role), std::move(evidence), ps.empty() ? -1 : ps.front()});
  };
  auto sorted_edges = [&](int n) {
    std::vector<Edge> e = graph_.node(n).edges;
    std::stable_sort(e.begin(), e.end(),
                     [](const Edge& x, const Edge& y) { return x.weight > y.weight; });
    return e;
  };
  if (!a.scenes.empty()) {
    for (const Edge& e : sorted_edges(a.scenes.front().node)) {
      const int c = BestCategory(e.to, used);
      if (c >= 0) add(c, fmt::format("need {}", graph_.node(e.to).id), "curated");
    }
  } else if (!a.needs.empty()) {
    for (const Edge& e : sorted_edges(a.needs.front().node)) {
      const int c = BestCategory(e.to, used);
      if (c >= 0) add(c, fmt::format("attribute {}", graph_.node(e.to).id), "curated");
    }
  } else if (!a.categories.empty()) {
    add(a.categories.front().node, "category", "query");
  }
  // Complements of the chosen categories: their own, and those of the catalogue categories under
  // them (lifted to the partner's curated parent when it has one).
  const size_t base = items.size();
  for (size_t round = 0; round < base && complements > 0; ++round) {
    const int c = items[round].category;
    std::vector<int> sources = {c};
    for (size_t n = 0; n < graph_.nodes().size(); ++n) {
      if (graph_.nodes()[n].parent_index == c) sources.push_back(static_cast<int>(n));
    }
    int best = -1;
    double best_w = 0;
    const Complement* best_rel = nullptr;
    for (int s : sources) {
      for (int ci : graph_.ComplementsOf(s)) {
        const Complement& rel = graph_.complements()[static_cast<size_t>(ci)];
        int other = rel.ia == s ? rel.ib : rel.ia;
        if (graph_.node(other).parent_index >= 0) other = graph_.node(other).parent_index;
        if (std::find(used.begin(), used.end(), other) != used.end()) continue;
        if (ProductsOf(other).empty()) continue;
        if (rel.weight > best_w || (rel.weight == best_w && best >= 0 && other < best)) {
          best = other;
          best_w = rel.weight;
          best_rel = &rel;
        }
      }
    }
    if (best >= 0) {
      const std::string ev =
          best_rel->provenance == Provenance::kMined
              ? fmt::format("mined {} ~ {}: lift {:.2f}, support {} of {} baskets", best_rel->a,
                            best_rel->b, best_rel->lift, best_rel->support, best_rel->baskets)
              : fmt::format("curated {} ~ {} (weight {})", best_rel->a, best_rel->b,
                            best_rel->weight);
      add(best, fmt::format("complement of {}", graph_.node(c).id), ev);
      --complements;
    }
  }
  return items;
}

}  // namespace cf::kg
