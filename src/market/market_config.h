// Every parameter of the simulated market, with documented defaults (docs/market.md explains each
// group). Promises: MarketConfig{} is the default world; ToJson/FromJson round-trip; FromJson
// rejects unknown keys and wrong types with a ConfigError naming the key.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cf {

struct PopulationConfig {
  double heavy_user_share = 0.01;  // users with a 10,000+ event pre-campaign history
  double heavy_min_events = 10000;
  double heavy_max_events = 14000;
  double body_median_events = 50;  // everyone else: log-normal history length
  double body_sigma = 1.0;
  int history_days = 180;            // the pre-campaign history covers these days
  int interests_per_user = 8;        // long-term category interests
  double interest_noise = 0.5;       // log-normal noise on household category shares
  double exploration_interests = 2;  // extra random categories added per user (mean)
  double long_term_share = 0.25;     // share of browsing driven by long-term interests
  double drift_days = 1.5;           // mean days a short-term browsing topic lasts
  double zh_share = 0.7;             // users who search in Chinese (else English)
};

struct TrafficConfig {
  double sessions_per_user_per_day = 7.0;
  // Share of sessions by channel: feed, live, search, mall. Feed:live = 72:28 as in the seed.
  std::array<double, 4> channel_share = {0.45, 0.26, 0.17, 0.12};
  std::array<double, 4> slots_per_session = {12, 8, 6, 8};  // mean (geometric)
  std::array<double, 4> ad_load = {0.25, 0.2, 0.25, 0.25};  // share of slots that are ads
  // Relative sessions by hour of day (low at night, evening peak); normalised internally.
  std::array<double, 24> hourly_curve = {0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.7, 1.2,
                                         1.5, 1.4, 1.3, 1.4, 1.7, 1.5, 1.3, 1.3,
                                         1.4, 1.6, 1.9, 2.3, 2.6, 2.7, 2.3, 1.6};
  double weekend_factor = 1.15;
  int start_day_of_year = 152;  // calendar day the flight starts (seasonal scenes); 152 = June 1
};

struct ResponseConfig {
  std::array<double, 4> base_ctr = {0.0192, 0.045, 0.0144, 0.0112};  // before affinity/need/quality
  std::array<double, 4> cvr_channel = {1.0, 0.45, 1.3, 1.1};         // live: higher CTR, lower CVR
  double position_decay = 0.85;         // CTR multiplier per slot position below the top
  double interest_weight = 3.0;         // click: 0.25 + interest_weight * share
  double need_match_boost = 1.8;        // product serves one of the user's active scenes
  double fatigue_per_exposure = 0.086;  // CTR / (1 + a * exposures): 5 exposures -> ~0.7
  double fatigue_half_life_days = 7;    // a user's exposures to a creative are forgotten slowly
  double creative_age_decay = 0.019;    // per day of a creative's age: 1.2% -> 0.8% in 3 weeks
  double cvr_at_2 = 0.12;               // conversion per click at 2.00
  double cvr_at_50 = 0.03;              // conversion per click at 50.00 (log-linear between)
  double price_elasticity = 2.0;        // exp(-e * sensitivity * (price/reference - 1))
  double coupon_boost = 0.8;            // CVR * (1 + boost * coupon_sensitivity) with a coupon
  double repurchase_boost = 2.5;        // consumable due on its cycle
  double cart_rate = 0.35;              // P(add to cart | click, no purchase)
  double like_rate = 0.04, comment_rate = 0.006, share_rate = 0.004, follow_rate = 0.002;
  double organic_click_rate = 0.02;   // organic view -> product click-through
  double quantity_extra_mean = 0.25;  // quantity = 1 + Poisson(mean)
};

// Conversion per click of a product at `price` before user effects: log-linear between the
// cvr_at_2 and cvr_at_50 anchors, clamped to [0.002, 0.4].
double BaseConversion(const ResponseConfig& rc, double price);

struct CompetitorConfig {
  int plans_per_merchant = 3;
  int products_per_plan = 5;
  double target_roi_low = 2.2, target_roi_high = 4.5;     // the CPC bids aim at these ROIs
  double daily_budget_low = 60, daily_budget_high = 400;  // currency units
  double budget_surge_factor = 2.5;  // scripted budget surge multiplies budget and bids
  double price_cut = 0.2;            // scripted price cut fraction
  // Coupon campaigns: merchants send coupons for products in categories the user buys.
  double coupons_per_user_per_day = 0.01;
  double coupon_value_low = 0.15, coupon_value_high = 0.35;  // share of the product's price
  double coupon_days = 7;                                    // validity
  double wallet_browse = 0.5;  // P(a mall slot shows a product the user holds a coupon for)
};

struct InfluencerConfig {
  int count = 300;
  double followers_mean = 600;
  double fee_per_post_low = 5, fee_per_post_high = 80;
  double posts_per_day = 40;  // posts across all influencers (competitors' sponsored posts)
  double post_reach = 0.15;   // share of followers who see a post in the next day
};

struct ContentConfig {
  int organic_items = 40000;  // organic short videos with a linked product
};

// A scripted event in the world: a fault or a competitor move. Types: creative_wearout,
// competitor_price_cut, channel_shift, tracking_outage, budget_exhaustion, competitor_budget_surge.
struct FaultSpec {
  std::string type;
  double start_day = 0;  // day (fractional) the fault starts
  double hours = 24;     // duration
  double magnitude = 0;  // type-specific (factor or share)
  std::string target;    // "ours", "category:<name>", "channel:<name>" or empty = automatic
};

struct MarketConfig {
  PopulationConfig population;
  TrafficConfig traffic;
  ResponseConfig response;
  CompetitorConfig competitors;
  InfluencerConfig influencers;
  ContentConfig content;
  // The default flight has two incidents for the decision makers (and diagnosis) to face.
  std::vector<FaultSpec> faults = {{"competitor_price_cut", 3.0, 48, 0, ""},
                                   {"creative_wearout", 5.0, 36, 0, ""}};

  nlohmann::json ToJson() const;
  static MarketConfig FromJson(const nlohmann::json& j);  // missing keys keep defaults
};

}  // namespace cf
