// What one simulated run produced, as the report and summary.json consume it. Plain data filled
// by the driver (sim/loop_runner) from observed events plus the evaluation tap; no behaviour.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/channel.h"
#include "common/creative.h"
#include "common/money.h"
#include "creative/creative_selector.h"
#include "creative/creative_studio.h"

namespace cf {

// The name of the run that repeats the autopilot with the baseline insight (the smoothed counts)
// when the platform's insight is learned (scenario.insight_lift; simulation.h).
inline constexpr const char* kBaselineInsightRun = "baseline_insight";

struct KpiTotals {
  Money budget;  // zero for "market" (sum of all plans' budgets is not meaningful there)
  Money spend;
  uint64_t impressions = 0;
  uint64_t clicks = 0;
  uint64_t purchases = 0;  // ad-attributed orders
  Money gmv;               // ad-attributed GMV
  double roi() const { return spend.micros() > 0 ? gmv.units() / spend.units() : 0.0; }
  double ctr() const { return impressions ? static_cast<double>(clicks) / impressions : 0.0; }
  double cvr() const { return clicks ? static_cast<double>(purchases) / clicks : 0.0; }
};

// One simulated hour.
struct HourPoint {
  uint32_t hour = 0;  // hours since the start of the flight
  KpiTotals ours;
  KpiTotals market;
  Money planned_spend;  // our pacing plan for this hour (budget spread over the traffic curve)
  double alpha = 0;     // super plan: the bid multiplier at the end of the hour (0 otherwise)
};

// One simulated day of our plan.
struct DayPoint {
  uint32_t day = 0;  // of the flight
  KpiTotals ours;
};

// Where our plan's money went: spend and GMV by product and by channel.
struct AllocationRow {
  std::string key;  // product id or channel name
  Money spend, gmv;
  uint64_t purchases = 0;
};

// Something a decision maker (media buyer or autopilot) did, in plain words.
struct PlanAction {
  uint32_t minute = 0;
  std::string text;
};

// A live diagnosis raised during the run: when, what moved, the likely cause and what to do.
struct DiagnosisNote {
  uint32_t minute = 0;  // since the flight started (the end of the hour that raised it)
  std::string trigger;  // the KPI move, in words
  std::string cause;    // top hypothesis (CauseName), or "unexplained"
  double confidence = 0;
  std::vector<std::string> actions;  // suggested actions, in words
  std::string report_en, report_zh;
  bool notice = false;  // explained by the plan's own setting change: a notice, not an alarm
};

// One of our products' creatives over the run: what it is, its observed delivery day by day, and
// what happened to it in the pool (added, paused by the wear-out test with the evidence, rotated,
// resumed).
struct CreativeRow {
  Creative creative;  // observable attributes; created_day is the flight day it was made
  std::string product_name;
  bool live = false;  // at the end of the flight
  uint64_t impressions = 0, clicks = 0;
  std::vector<uint64_t> day_impressions, day_clicks;  // by flight day, from day 0
  std::vector<PoolEvent> events;                      // in time order; day = flight day
  CreativeMedia media;        // its script and thumbnail, when the driver had a studio make them
  std::string thumbnail_png;  // the thumbnail's bytes, for the report (not in summary.json)
  double ctr() const { return impressions ? static_cast<double>(clicks) / impressions : 0.0; }
};

// The expected-click regret of the creative choice on our ads, on the run's own traffic
// (sim/oracle_creative_selector.h): for each ad shown, the true click probability of the chosen
// creative and of the best live creative of its product at that moment (evaluation only).
struct CreativeRegret {
  uint64_t impressions = 0;  // our ads whose product had more than one live creative
  double chosen_clicks = 0;  // sum of the chosen creatives' true click probabilities
  double best_clicks = 0;    // sum of the best live creatives' true click probabilities
  uint64_t single = 0;       // our ads whose product had one live creative (no choice)
  double regret() const { return best_clicks > 0 ? 1 - chosen_clicks / best_clicks : 0; }
};

// The market tier's physical limit for our merchant (sim/lp_limit_tap.h): the global LP optimum
// of the flight on expected values with known costs, beside what our ads won in the same units.
struct LpLimit {
  bool measured = false;
  double value = 0, cost = 0;          // the LP optimum: expected GMV and expected cost
  double won_value = 0, won_cost = 0;  // the auctions our ads won: expected GMV and cost
  uint64_t auctions = 0;               // auctions with at least one candidate of ours
  double budget = 0, min_roi = 0;      // the constraints the optimum was solved under
  // The share of the limit our ads reached: won_value / value (0 without a limit).
  double fraction() const { return value > 0 ? won_value / value : 0.0; }
};

struct RunResult {
  std::string name;  // "manual" or "autopilot"
  std::string policy_description;
  KpiTotals ours;
  KpiTotals market;  // every advertiser, ours included
  std::vector<HourPoint> hourly;
  std::vector<DayPoint> daily;
  uint32_t days_on_target = 0;            // days whose ROI met the goal (ROI objectives)
  std::vector<AllocationRow> by_product;  // our plan(s)
  std::array<KpiTotals, kNumChannels> ours_by_channel{};
  std::array<KpiTotals, kNumChannels> market_by_channel{};
  std::vector<PlanAction> actions;
  std::vector<DiagnosisNote> diagnoses;  // live diagnosis of our plans, in time order
  std::vector<CreativeRow> creatives;    // our products' creatives, by id
  CreativeRegret creative_regret;
  LpLimit lp_limit;            // RunSetup::lp_limit only
  uint64_t opportunities = 0;  // ad slots auctioned
  uint64_t organic_views = 0;
  Money organic_gmv;                                  // purchases not attributed to an ad
  uint64_t coupons_issued = 0, coupons_redeemed = 0;  // merchants' coupon campaigns (world truth)
  uint64_t sponsored_posts = 0;                       // influencers' sponsored posts (world truth)
  Money influencer_fees;
  double wall_seconds = 0;
};

// One calibration row: simulated value beside the data's / the target range.
struct CalibrationRow {
  std::string fact;
  std::string target;  // e.g. "0.5%-2%" or "1.94 (data)"
  double simulated = 0;
  std::string unit;     // "%", "USD", "items", ...
  bool within = false;  // inside the stated tolerance
};

struct SimSummary {
  uint64_t seed = 0;
  uint32_t days = 0;
  uint32_t users = 0;
  uint32_t products = 0;
  uint32_t merchants = 0;
  uint64_t history_events = 0;
  double wall_seconds = 0;
  double impressions_per_second = 0;
  std::string our_merchant;
  std::vector<std::string> our_products;
  std::map<std::string, RunResult> runs;  // "manual", "autopilot"
  std::vector<CalibrationRow> calibration;
  std::vector<std::string> findings;  // plain-words summary lines, filled by the driver
};

}  // namespace cf
