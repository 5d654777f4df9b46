// The ads that can be retrieved: (plan, product) pairs of active plans, indexed by the product's
// category. Promises: rebuilt by the platform whenever plans change (Rebuild), read during
// serving; not thread-safe against Rebuild (the loop rebuilds between minutes).
#pragma once

#include <vector>

#include "common/ad_plan.h"
#include "common/catalogue.h"
#include "common/opportunity.h"

namespace cf {

class AdInventory {
 public:
  explicit AdInventory(const Catalogue& catalogue) : catalogue_(catalogue) {}
  // Indexes every active plan's products. `plans` is indexed by PlanId.
  void Rebuild(const std::vector<AdPlan>& plans);
  const std::vector<AdCandidate>& ByCategory(CategoryId c) const { return by_category_[c]; }
  const std::vector<AdCandidate>& All() const { return all_; }
  const Catalogue& catalogue() const { return catalogue_; }

 private:
  const Catalogue& catalogue_;
  std::vector<std::vector<AdCandidate>> by_category_;
  std::vector<AdCandidate> all_;
};

}  // namespace cf
