// What the action API acts on: one merchant's account on a platform, with the autopilot host that
// steers its super plans. Implemented by the live market (sim/live_market.h) and, in tests, by a
// platform without a market. Promises nothing about threads: the action API serialises all calls.
#pragma once

#include <span>
#include <vector>

#include "common/ids.h"
#include "common/money.h"
#include "common/sim_clock.h"
#include "serving/platform.h"
#include "strategy/super_plan.h"

namespace cf::action {

// A creator the merchant can pay for a sponsored post, as the platform sees it.
struct InfluencerProfile {
  InfluencerId id = kNoId;
  Money fee_per_post;                   // the creator's rate card
  std::span<const UserId> followers;    // valid while the account lives
  CategoryId content_category = kNoId;  // the category most of the creator's videos are about
  uint32_t posts = 0;                   // sponsored posts so far (any merchant's)
  uint64_t post_views = 0;              // views of those posts observed by the platform
  bool busy = false;                    // a sponsored post of theirs is running now
};

// A sponsored post the merchant ordered, with what the platform observed of it.
struct InfluencerOrder {
  InfluencerId influencer = kNoId;
  ProductId product = kNoId;
  Money fee;
  SimMinute start = 0, end = 0;
  uint64_t views = 0, clicks = 0, purchases = 0;
  Money gmv;
};

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

  // Marketing beyond ads. Users in the market have ids 0..users()-1.
  virtual size_t users() const = 0;
  // Sends each of `users` a coupon worth `value` off product p (of this merchant), valid until
  // `expires`; the platform logs their receipt.
  virtual void IssueCoupons(ProductId p, Money value, SimMinute expires,
                            const std::vector<UserId>& users) = 0;
  // The creators on the platform, by id.
  virtual std::vector<InfluencerProfile> Influencers() const = 0;
  // Pays creator i `fee` for a sponsored post about product p running from now for a day.
  // Throws std::invalid_argument (changing nothing) if the creator has a post running.
  virtual InfluencerOrder OrderInfluencerPost(InfluencerId i, ProductId p, Money fee) = 0;
  // The merchant's orders so far, oldest first, with their observed delivery.
  virtual std::vector<InfluencerOrder> InfluencerOrders() const = 0;
};

}  // namespace cf::action
