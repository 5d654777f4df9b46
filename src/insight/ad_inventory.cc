#include "insight/ad_inventory.h"

namespace cf {

void AdInventory::Rebuild(const std::vector<AdPlan>& plans) {
  by_category_.assign(catalogue_.categories.size(), {});
  all_.clear();
  for (const AdPlan& plan : plans) {
    if (plan.status != PlanStatus::kActive) continue;
    for (ProductId p : plan.products) {
      const AdCandidate c{plan.id, p};
      by_category_[catalogue_.product(p).category].push_back(c);
      all_.push_back(c);
    }
  }
}

}  // namespace cf
