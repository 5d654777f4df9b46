// Interface: retrieval of the ad candidates worth scoring for one opportunity.
#pragma once

#include <vector>

#include "common/event.h"
#include "common/opportunity.h"

namespace cf {

class CandidateSource {
 public:
  virtual ~CandidateSource() = default;
  // Appends candidates for `opp` to `out` (which the caller clears).
  virtual void Retrieve(const Opportunity& opp, std::vector<AdCandidate>& out) const = 0;
  virtual void Observe(const Event& e) = 0;
  // Periodic upkeep (e.g. refresh popularity); called by the loop about once an hour.
  virtual void Refresh() {}
};

}  // namespace cf
