// Interface: which creative to show for an ad, and the creatives a plan's products have.
#pragma once

#include <vector>

#include "common/creative.h"
#include "common/event.h"
#include "common/opportunity.h"

namespace cf {

class CreativeSelector {
 public:
  virtual ~CreativeSelector() = default;
  // Makes sure every product has at least one live creative; returns the ones it created.
  virtual std::vector<Creative> EnsureCreatives(const std::vector<ProductId>& products,
                                                uint32_t day) = 0;
  virtual CreativeId Select(const Opportunity& opp, const AdCandidate& ad) const = 0;
  virtual void Observe(const Event& e) = 0;
  // Daily upkeep (e.g. pausing worn-out creatives); returns the creatives it made. The platform
  // calls it when a day starts.
  virtual std::vector<Creative> Refresh(uint32_t /*day*/) { return {}; }
};

}  // namespace cf
