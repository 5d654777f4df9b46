// The Google product taxonomy (google-product-taxonomy.txt: "id - Level1 > Level2 > ..."), the
// backbone of the knowledge graph's category nodes, and a word-overlap matcher that maps a
// category name (a curated category's English name and keywords, or a catalogue product category)
// onto its closest taxonomy node.
//
// Promises: Load throws KgError "<file>:<line>: ..." on a malformed line and names the path when
// the file is missing. BestMatch is deterministic (ties: shorter path, then smaller id) and
// thread-safe on a loaded taxonomy.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace cf::kg {

struct TaxonomyNode {
  int64_t id = 0;
  std::string path;                     // "Health & Beauty > Personal Care > ..."
  std::vector<std::string> leaf_words;  // stems of the last level
  std::vector<std::string> path_words;  // stems of the levels above
  int depth = 0;
};

struct TaxonomyMatch {
  int64_t id = -1;
  double score = 0;  // in [0, 1]; 0 when nothing overlaps
};

class Taxonomy {
 public:
  static Taxonomy Load(const std::filesystem::path& path);
  // Builds from text in the same format (for tests); `file` names it in errors.
  static Taxonomy Parse(const std::string& text, const std::string& file);

  const TaxonomyNode* Find(int64_t id) const;
  size_t size() const { return nodes_.size(); }

  // The node whose last level best matches `words` (English stems): score = 0.7 x the share of
  // the leaf's words found + 0.3 x the share of `words` found (in the leaf, or above it at half
  // weight); the leaf must share a word. Below `min_score` -> id -1.
  TaxonomyMatch BestMatch(const std::vector<std::string>& words, double min_score) const;

 private:
  std::vector<TaxonomyNode> nodes_;
  std::unordered_map<int64_t, size_t> by_id_;
  std::unordered_map<std::string, std::vector<size_t>> by_leaf_word_;
};

}  // namespace cf::kg
