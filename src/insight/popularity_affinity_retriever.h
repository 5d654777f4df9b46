// Baseline candidate retrieval: ads in the categories the user engages with most (observed
// affinity), the categories a search query is about, and the most popular ads overall (by
// observed purchases). A search query's categories are those learned from behaviour after it
// (query_categories.h) and, when an expansion is given, those read from its text
// (query_expansion.h): the text's reading is a prior worth `expansion_prior` units of observed
// engagement, so category c ranks by (engagement(c) + prior x share(c)) / (engagement + prior),
// share(c) being c's part of the reading's scores. A query nobody has engaged after yet is ranked
// by its text alone; one with much evidence by its behaviour. Not thread-safe.
#pragma once

#include <vector>

#include "insight/ad_inventory.h"
#include "insight/candidate_source.h"
#include "insight/query_categories.h"
#include "insight/query_expansion.h"
#include "insight/user_affinity.h"

namespace cf {

class PopularityAffinityRetriever : public CandidateSource {
 public:
  struct Options {
    int user_categories = 4;
    int query_categories = 3;
    size_t per_category = 8;
    size_t popular = 8;
    size_t max_candidates = 32;
    // Search queries: the text's categories (nullptr: none), whether the categories learned
    // from behaviour are used as well, and what the text's reading weighs against them (in
    // engagement units: a click 3, a purchase 5; 30 is about ten clicks).
    const QueryExpansion* expansion = nullptr;
    bool learned_queries = true;
    double expansion_prior = 30;
  };
  PopularityAffinityRetriever(const AdInventory& inventory, const UserAffinity& affinity,
                              const QueryCategories& queries, Options options);
  void Retrieve(const Opportunity& opp, std::vector<AdCandidate>& out) const override;
  void Observe(const Event& e) override;
  void Refresh() override;

 private:
  void AddCategory(CategoryId c, uint64_t rotation, std::vector<AdCandidate>& out) const;
  // The query's categories (up to options_.query_categories, at most 8); returns how many.
  int QueryCategoriesOf(QueryId q, CategoryId* out) const;
  const AdInventory& inventory_;
  const UserAffinity& affinity_;
  const QueryCategories& queries_;
  Options options_;
  std::vector<double> product_purchases_;
  std::vector<AdCandidate> popular_;
};

}  // namespace cf
