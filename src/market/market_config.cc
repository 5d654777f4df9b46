#include "market/market_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/json_config.h"

namespace cf {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PopulationConfig, heavy_user_share,
                                                heavy_min_events, heavy_max_events,
                                                body_median_events, body_sigma, history_days,
                                                interests_per_user, interest_noise,
                                                exploration_interests, long_term_share, drift_days,
                                                zh_share)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrafficConfig, sessions_per_user_per_day,
                                                channel_share, slots_per_session, ad_load,
                                                hourly_curve, weekend_factor, start_day_of_year)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    ResponseConfig, base_ctr, cvr_channel, position_decay, interest_weight, need_match_boost,
    fatigue_per_exposure, fatigue_half_life_days, creative_age_decay, cvr_at_2, cvr_at_50,
    price_elasticity, coupon_boost, repurchase_boost, cart_rate, like_rate, comment_rate,
    share_rate, follow_rate, organic_click_rate, quantity_extra_mean)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CompetitorConfig, plans_per_merchant,
                                                products_per_plan, target_roi_low, target_roi_high,
                                                daily_budget_low, daily_budget_high,
                                                budget_surge_factor, price_cut,
                                                coupons_per_user_per_day, coupon_value_low,
                                                coupon_value_high, coupon_days, wallet_browse)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(InfluencerConfig, count, followers_mean,
                                                fee_per_post_low, fee_per_post_high, posts_per_day,
                                                post_reach)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ContentConfig, organic_items)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FaultSpec, type, start_day, hours, magnitude,
                                                target)

namespace {

const char* const kFaultTypes[] = {"creative_wearout",  "competitor_price_cut",
                                   "channel_shift",     "tracking_outage",
                                   "budget_exhaustion", "competitor_budget_surge"};

void Validate(const MarketConfig& c) {
  auto fail = [](const std::string& what) { throw ConfigError("market config: " + what); };
  double share = 0;
  for (double s : c.traffic.channel_share) {
    if (s < 0) fail("traffic.channel_share has a negative entry");
    share += s;
  }
  if (share <= 0) fail("traffic.channel_share must have a positive entry");
  for (double a : c.traffic.ad_load) {
    if (a < 0 || a > 1) fail(fmt::format("traffic.ad_load entries must be in [0,1], got {}", a));
  }
  if (c.traffic.sessions_per_user_per_day <= 0)
    fail("traffic.sessions_per_user_per_day must be > 0");
  if (c.population.interests_per_user < 1 || c.population.interests_per_user > 8) {
    fail("population.interests_per_user must be between 1 and 8");
  }
  if (c.population.heavy_user_share < 0 || c.population.heavy_user_share > 1) {
    fail("population.heavy_user_share must be in [0,1]");
  }
  if (c.population.long_term_share < 0 || c.population.long_term_share > 1) {
    fail("population.long_term_share must be in [0,1]");
  }
  for (const FaultSpec& f : c.faults) {
    bool known = false;
    for (const char* t : kFaultTypes) known |= f.type == t;
    if (!known) {
      fail(
          fmt::format("unknown fault type '{}'; use one of creative_wearout, competitor_price_cut, "
                      "channel_shift, tracking_outage, budget_exhaustion, competitor_budget_surge",
                      f.type));
    }
    if (f.start_day < 0 || f.hours <= 0)
      fail(fmt::format("fault '{}' needs start_day >= 0 and hours > 0", f.type));
  }
}

}  // namespace

double BaseConversion(const ResponseConfig& rc, double price) {
  const double slope = std::log(rc.cvr_at_50 / rc.cvr_at_2) / std::log(25.0);
  return std::clamp(rc.cvr_at_2 * std::pow(std::max(0.01, price) / 2.0, slope), 0.002, 0.4);
}

nlohmann::json MarketConfig::ToJson() const {
  return nlohmann::json{{"population", population},
                        {"traffic", traffic},
                        {"response", response},
                        {"competitors", competitors},
                        {"influencers", influencers},
                        {"content", content},
                        {"faults", faults}};
}

MarketConfig MarketConfig::FromJson(const nlohmann::json& j) {
  const MarketConfig defaults;
  CheckKnownKeys(defaults.ToJson(), j, "market");
  MarketConfig c;
  try {
    if (j.contains("population")) c.population = j.at("population").get<PopulationConfig>();
    if (j.contains("traffic")) c.traffic = j.at("traffic").get<TrafficConfig>();
    if (j.contains("response")) c.response = j.at("response").get<ResponseConfig>();
    if (j.contains("competitors")) c.competitors = j.at("competitors").get<CompetitorConfig>();
    if (j.contains("influencers")) c.influencers = j.at("influencers").get<InfluencerConfig>();
    if (j.contains("content")) c.content = j.at("content").get<ContentConfig>();
    if (j.contains("faults")) c.faults = j.at("faults").get<std::vector<FaultSpec>>();
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("market config: {}", e.what()));
  }
  Validate(c);
  return c;
}

}  // namespace cf
