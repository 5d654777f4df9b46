#include "insight/query_understanding.h"

#include <algorithm>

namespace cf::kg {

QueryUnderstanding::QueryUnderstanding(const KnowledgeGraph& graph) : graph_(graph) {
  terms_.resize(graph.nodes().size());
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& n = graph.nodes()[i];
    auto add = [&](const std::string& s) {
      TextTokens t = Tokenize(s);
      if (!t.words.empty() || !t.unigrams.empty()) terms_[i].push_back(std::move(t));
    };
    add(n.zh);
    add(n.en);
    for (const auto& k : n.keywords_zh) add(k);
    for (const auto& k : n.keywords_en) add(k);
  }
}

QueryAnalysis QueryUnderstanding::Analyze(std::string_view query, double min_score) const {
  const TextTokens q = Tokenize(query);
  const size_t n = graph_.nodes().size();
  std::vector<double> direct(n, 0.0), score(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double best = 0;
    for (const TextTokens& t : terms_[i]) {
      const double c = Coverage(t, q);
      // A full match of a longer phrase is more specific: +0.1 per extra word or bigram.
      const double len =
          static_cast<double>(t.words.size() + (t.unigrams.size() == 1 ? 1 : t.bigrams.size()));
      const double s = c >= 1.0 ? 1.0 + 0.1 * std::min(5.0, len - 1.0) : (c >= 0.5 ? 0.5 * c : 0.0);
      best = std::max(best, s);
    }
    direct[i] = best;
    score[i] = best;
  }
  // Flow down the layers in kind order: scenes, needs, attributes (categories receive).
  for (NodeKind k : {NodeKind::kScene, NodeKind::kNeed, NodeKind::kAttribute}) {
    for (size_t i = 0; i < n; ++i) {
      const Node& node = graph_.nodes()[i];
      if (node.kind != k || score[i] <= 0) continue;
      for (const Edge& e : node.edges) score[static_cast<size_t>(e.to)] += score[i] * e.weight;
    }
  }
  QueryAnalysis a;
  a.query = std::string(query);
  for (size_t i = 0; i < n; ++i) {
    if (score[i] < min_score) continue;
    const ScoredNode s{static_cast<int>(i), score[i], direct[i]};
    switch (graph_.nodes()[i].kind) {
      case NodeKind::kScene:
        a.scenes.push_back(s);
        break;
      case NodeKind::kNeed:
        a.needs.push_back(s);
        break;
      case NodeKind::kAttribute:
        a.attributes.push_back(s);
        break;
      case NodeKind::kCategory:
        a.categories.push_back(s);
        break;
    }
  }
  for (auto* v : {&a.scenes, &a.needs, &a.attributes, &a.categories}) {
    std::stable_sort(v->begin(), v->end(),
                     [](const ScoredNode& x, const ScoredNode& y) { return x.score > y.score; });
  }
  return a;
}

}  // namespace cf::kg
