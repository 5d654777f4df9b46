// Competing merchants and their manual plans: fixed CPC bids aimed at a target ROI with a rough
// conversion guess, fixed daily budgets, the way a typical merchant sets a plan and leaves it.
// Deterministic given the spec's seed. Pure function; thread-safe.
#pragma once

#include <vector>

#include "common/ad_plan.h"
#include "market/world.h"

namespace cf {

// Plans for every merchant except `exclude`. Plan ids start at `first_plan_id`.
std::vector<AdPlan> BuildCompetitorPlans(const WorldSpec& spec, MerchantId exclude,
                                         PlanId first_plan_id);

}  // namespace cf
