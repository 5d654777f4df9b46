// Baseline candidate retrieval: ads in the categories the user engages with most (observed
// affinity), the categories a search query is about, and the most popular ads overall (by
// observed purchases). Not thread-safe.
#pragma once

#include <vector>

#include "insight/ad_inventory.h"
#include "insight/candidate_source.h"
#include "insight/query_categories.h"
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
  };
  PopularityAffinityRetriever(const AdInventory& inventory, const UserAffinity& affinity,
                              const QueryCategories& queries, Options options);
  void Retrieve(const Opportunity& opp, std::vector<AdCandidate>& out) const override;
  void Observe(const Event& e) override;
  void Refresh() override;

 private:
  void AddCategory(CategoryId c, uint64_t rotation, std::vector<AdCandidate>& out) const;
  const AdInventory& inventory_;
  const UserAffinity& affinity_;
  const QueryCategories& queries_;
  Options options_;
  std::vector<double> product_purchases_;
  std::vector<AdCandidate> popular_;
};

}  // namespace cf
