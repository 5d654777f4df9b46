// What the action API acts on: one merchant's account on a platform, with the autopilot host that
// steers its super plans. Implemented by the live market (sim/live_market.h) and, in tests, by a
// platform without a market. Promises nothing about threads: the action API serialises all calls.
#pragma once

#include "common/ids.h"
#include "common/sim_clock.h"
#include "serving/platform.h"
#include "strategy/super_plan.h"

namespace cf::action {

class Account {
 public:
  virtual ~Account() = default;
  virtual Platform& platform() = 0;
  virtual const Catalogue& catalogue() const = 0;
  virtual MerchantId merchant() const = 0;
  virtual SimMinute now() const = 0;           // the current simulated minute
  virtual SimMinute flight_start() const = 0;  // the account's first minute
  // Adds a compiled super plan and puts it under the autopilot; returns its id.
  virtual PlanId AddSuperPlan(const SuperPlan& sp) = 0;
  // Changes a super plan's flight budget and target for its pilot (from the pilot's next day).
  virtual void RetargetSuperPlan(PlanId id, double total_budget, double target) = 0;
  // The pilot's bid multiplier for a super plan (0 for other plans).
  virtual double PilotAlpha(PlanId id) const = 0;
};

}  // namespace cf::action
