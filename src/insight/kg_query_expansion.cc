#include "insight/kg_query_expansion.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

namespace cf::kg {

KgQueryExpansion::KgQueryExpansion(KnowledgeGraph graph, const Catalogue& catalogue,
                                   Options options)
    : graph_(std::move(graph)), understanding_(graph_), options_(options) {
  if (options_.max_categories < 1) {
    throw std::invalid_argument("KgQueryExpansion: max_categories must be at least 1");
  }
  if (!(options_.min_relative_score >= 0 && options_.min_relative_score <= 1)) {
    throw std::invalid_argument("KgQueryExpansion: min_relative_score must be in [0, 1]");
  }
  std::vector<std::string> cat_upper, type_upper;
  for (const std::string& c : catalogue.categories) cat_upper.push_back(UpperAscii(c));
  for (const std::string& t : catalogue.types) type_upper.push_back(UpperAscii(t));
  std::vector<bool> reached(catalogue.categories.size(), false);
  reaches_.resize(graph_.nodes().size());
  for (size_t n = 0; n < graph_.nodes().size(); ++n) {
    const Node& node = graph_.nodes()[n];
    if (node.kind != NodeKind::kCategory) continue;
    std::vector<CategoryId>& out = reaches_[n];
    for (const std::string& pat : node.catalogue) {
      const CataloguePattern cp = CataloguePattern::Parse(pat);
      if (cp.type.empty()) {
        for (size_t c = 0; c < cat_upper.size(); ++c) {
          if (cp.Matches(cat_upper[c], "")) out.push_back(static_cast<CategoryId>(c));
        }
        continue;
      }
      for (size_t t = 0; t < type_upper.size() && t < catalogue.type_category.size(); ++t) {
        const CategoryId c = catalogue.type_category[t];
        if (c < cat_upper.size() && cp.Matches(cat_upper[c], type_upper[t])) out.push_back(c);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    for (CategoryId c : out) reached[c] = true;
  }
  reachable_ = static_cast<size_t>(std::count(reached.begin(), reached.end(), true));
}

std::vector<std::pair<CategoryId, double>> KgQueryExpansion::Expand(std::string_view text) const {
  const QueryAnalysis a = understanding_.Analyze(text);
  std::map<CategoryId, double> best;
  for (const ScoredNode& s : a.categories) {
    for (CategoryId c : reaches_[static_cast<size_t>(s.node)]) {
      double& b = best[c];
      b = std::max(b, s.score);
    }
  }
  std::vector<std::pair<CategoryId, double>> out(best.begin(), best.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  if (!out.empty()) {
    const double floor = options_.min_relative_score * out.front().second;
    while (!out.empty() && out.back().second < floor) out.pop_back();
  }
  if (out.size() > static_cast<size_t>(options_.max_categories)) {
    out.resize(static_cast<size_t>(options_.max_categories));
  }
  return out;
}

void KgQueryExpansion::Prepare(QueryId q, std::string_view text) {
  if (prepared_.count(q) != 0) return;
  std::vector<WeightedCategory>& cats = prepared_[q];
  for (const auto& [c, score] : Expand(text)) cats.push_back({c, static_cast<float>(score)});
}

int KgQueryExpansion::Top(QueryId q, int k, WeightedCategory* out) const {
  const auto it = prepared_.find(q);
  if (it == prepared_.end() || k <= 0) return 0;
  const int n = std::min<int>(k, static_cast<int>(it->second.size()));
  std::copy_n(it->second.begin(), n, out);
  return n;
}

}  // namespace cf::kg
