// Query understanding over the knowledge graph: a search query in Chinese, English or both ->
// matched scenes and needs with scores -> attributes -> categories.
//
// Matching: the query and every node's names and keywords are tokenised the same way
// (knowledge_graph_text.h: English word stems, Chinese character bigrams). A node's direct score
// is its best keyword's coverage: a full match scores 1 plus 0.1 per extra word or bigram of the
// keyword (longer phrases are more specific; at most +0.5), a partial match covering at least
// half scores half its coverage, otherwise 0. Scores then flow down the graph: a need gets its
// direct score plus the sum of (scene score x edge weight) over the matched scenes that list it, an
// attribute the same from needs, a category the same from attributes.
//
// Promises: deterministic (ties by graph order); the graph must outlive this object; Analyze is
// const and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "insight/knowledge_graph.h"
#include "insight/knowledge_graph_text.h"

namespace cf::kg {

struct ScoredNode {
  int node = -1;
  double score = 0;
  double direct = 0;  // the part matched in the query itself
};

struct QueryAnalysis {
  std::string query;
  std::vector<ScoredNode> scenes, needs, attributes, categories;  // strongest first
};

class QueryUnderstanding {
 public:
  explicit QueryUnderstanding(const KnowledgeGraph& graph);
  // Nodes scoring below `min_score` are dropped.
  QueryAnalysis Analyze(std::string_view query, double min_score = 0.05) const;
  const KnowledgeGraph& graph() const { return graph_; }

 private:
  const KnowledgeGraph& graph_;
  std::vector<std::vector<TextTokens>> terms_;  // per node: names and keywords
};

}  // namespace cf::kg
