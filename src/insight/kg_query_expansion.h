// Search query expansion over the knowledge graph, for the serving path: a query's text -> its
// scenes and needs -> graph categories (query_understanding.h) -> the live catalogue's categories,
// through each graph category's `catalogue:` patterns. A pattern that names product types reaches
// a catalogue category only when that category holds such a type. A catalogue category scores the
// best score of the graph categories reaching it; those under `min_relative_score` x the best are
// dropped, the rest kept strongest first (ties: lower category id), at most `max_categories`.
//
// Promises: owns its graph; deterministic; Expand is const; Prepare caches per query id (not
// thread-safe). Not copyable or movable (the query understanding refers to the owned graph).
#pragma once

#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/catalogue.h"
#include "insight/knowledge_graph.h"
#include "insight/query_expansion.h"
#include "insight/query_understanding.h"

namespace cf::kg {

class KgQueryExpansion final : public QueryExpansion {
 public:
  struct Options {
    int max_categories = 4;
    double min_relative_score = 0.25;
  };
  KgQueryExpansion(KnowledgeGraph graph, const Catalogue& catalogue, Options options);
  KgQueryExpansion(const KgQueryExpansion&) = delete;
  KgQueryExpansion& operator=(const KgQueryExpansion&) = delete;

  // The catalogue categories of `text` with their scores, strongest first.
  std::vector<std::pair<CategoryId, double>> Expand(std::string_view text) const;

  void Prepare(QueryId q, std::string_view text) override;
  int Top(QueryId q, int k, WeightedCategory* out) const override;

  // Catalogue categories that some graph category reaches (0: the graph and the catalogue share
  // no names, so expansion finds nothing).
  size_t reachable_categories() const { return reachable_; }
  const KnowledgeGraph& graph() const { return graph_; }

 private:
  KnowledgeGraph graph_;
  QueryUnderstanding understanding_;
  Options options_;
  std::vector<std::vector<CategoryId>> reaches_;  // by graph node: catalogue categories
  size_t reachable_ = 0;
  std::unordered_map<QueryId, std::vector<WeightedCategory>> prepared_;
};

}  // namespace cf::kg
