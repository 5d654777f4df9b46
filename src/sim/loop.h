// One simulated flight as a steppable object: a World (the market) wired to a Platform (the
// engine), advanced one simulated minute per Step, with our merchant's plans driven by their
// decision makers (the media buyer, or a super plan pilot per super plan). RunLoop (loop_runner.h)
// steps it to the end in one go; the live server (sim/live_market.h) steps it in real time and
// lets merchants act on the platform between steps. Reads the world's truth only to simulate
// responses and, through the evaluation tap, for evaluation. Not thread-safe: callers serialise
// Step and every access to platform().
#pragma once

#include <functional>
#include <memory>

#include "serving/platform.h"
#include "sim/loop_runner.h"
#include "strategy/super_plan.h"

namespace cf {

class Loop {
 public:
  // Builds the world and the platform and creates our plan(s) per setup.policy ("none": no plan
  // of ours; merchants add them with AddSuperPlan / the platform). Throws std::invalid_argument
  // on an unknown policy or a missing input.
  explicit Loop(const RunSetup& setup);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Simulates the next minute. Requires !done().
  void Step();
  bool done() const;
  SimMinute now() const;           // the next minute Step simulates
  SimMinute flight_start() const;  // first minute of the flight
  SimMinute flight_end() const;    // exclusive

  // Closes the last hour and day and returns the run's results; call once, when done().
  RunResult Finish();

  Platform& platform();
  const Platform& platform() const;
  const WorldSpec& spec() const;
  // Our merchant (setup.our_plan.merchant): the plans the results count as "ours".
  MerchantId our_merchant() const;

  // Adds a compiled super plan of our merchant to the platform, steered by its own pilot from the
  // next control step on; returns the plan id. Throws std::invalid_argument if the platform refuses
  // the plan.
  PlanId AddSuperPlan(const SuperPlan& sp);
  // Changes a piloted plan's flight budget and target (from the pilot's next day).
  void RetargetSuperPlan(PlanId id, double total_budget, double target);
  // The pilot's current alpha and today's planned budget for a piloted plan (0, 0 otherwise).
  double pilot_alpha(PlanId id) const;
  double pilot_today_budget(PlanId id) const;

  // Our merchant's marketing beyond ads, done in the world now (the live market's doors to it).
  // Coupons worth `value` off product p for `users`, valid until `expires`; their receipt is
  // logged as the platform sees it (kCouponReceived).
  void IssueCoupons(ProductId p, Money value, SimMinute expires, const std::vector<UserId>& users);
  // Pays creator i `fee` for a sponsored post about product p from now for a day; returns the
  // post's index in sponsored_posts(). Throws std::invalid_argument as World::OrderPost.
  size_t OrderSponsoredPost(InfluencerId i, ProductId p, Money fee);
  const std::vector<SponsoredPost>& sponsored_posts() const;
  bool post_running(InfluencerId i) const;
  // What the platform observed of sponsored post i (by index): views, clicks, tracked purchases.
  struct PostDelivery {
    uint64_t views = 0, clicks = 0, purchases = 0;
    Money gmv;
  };
  PostDelivery post_delivery(size_t i) const;

  // Called after each simulated hour closes, with the minute that ends it.
  void set_on_hour(std::function<void(SimMinute)> f);
  // How our decision makers' (media buyer, pilots) changes reach the platform: the writer gets the
  // changed plan and what was done in plain words (may be empty) and applies it. Default: straight
  // to the platform. The live market routes them through the action API (guardrails, audit).
  using PlanWriter =
      std::function<void(SimMinute, const AdPlan&, const std::vector<std::string>& notes)>;
  void set_plan_writer(PlanWriter f);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cf
