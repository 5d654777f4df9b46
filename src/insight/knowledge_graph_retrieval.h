// Expanded retrieval and complete solutions: from a query's analysis (query_understanding.h) to
// ranked catalogue products, and from a scene or need to a bundle across categories (one product
// per need, plus the strongest curated or mined complements of the chosen categories).
//
// A category reaches products through its `catalogue:` patterns: "PRODUCT_CATEGORY" (exact,
// case-insensitive), "PRODUCT_CATEGORY > words" (that category, product_type containing the words)
// or "* > words" (any category). Popularity = baskets holding the product in the transactions.
//
// Promises: deterministic; the graph and catalogue must outlive the index; all methods const and
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "insight/knowledge_graph.h"
#include "insight/knowledge_graph_products.h"
#include "insight/query_understanding.h"

namespace cf::kg {

struct RetrievedProduct {
  int product = -1;   // index into the catalogue
  int category = -1;  // graph node that retrieved it
  double score = 0;
  int64_t baskets = 0;  // popularity
};

struct BundleItem {
  int category = -1;     // graph node
  std::string role;      // "need <id>", "attribute <id>", "category" or "complement of <id>"
  std::string evidence;  // e.g. "mined lift 3.2 (support 41)" or "curated"
  int product = -1;      // most popular product of the category, -1 when none
};

class ProductIndex {
 public:
  // `popularity` by product index (may be empty: all zero).
  ProductIndex(const KnowledgeGraph& graph, const RetailCatalogue& catalogue,
               std::vector<int64_t> popularity);

  // Products of category node `c`, most popular first.
  const std::vector<int>& ProductsOf(int c) const;
  int64_t Popularity(int product) const;

  // Top `k` products for the analysis: score = category score x (0.6 + 0.4 popularity share on a
  // log scale), at most `per_category` per category, each product once (its best category).
  std::vector<RetrievedProduct> Retrieve(const QueryAnalysis& a, size_t k,
                                         size_t per_category = 3) const;

  // A complete solution for the analysis's best scene (or, without one, its best needs, or its
  // best category), with up to `complements` complementary categories added.
  std::vector<BundleItem> Bundle(const QueryAnalysis& a, size_t complements = 3) const;

  const RetailCatalogue& catalogue() const { return catalogue_; }

 private:
  // The category reachable from `from` (an attribute or need) with the highest path weight,
  // preferring categories with products, skipping `used`; -1 if none.
  int BestCategory(int from, const std::vector<int>& used) const;

  const KnowledgeGraph& graph_;
  const RetailCatalogue& catalogue_;
  std::vector<int64_t> popularity_;
  double log_max_pop_ = 1;
  std::vector<std::vector<int>> products_of_;  // by node
};

}  // namespace cf::kg
