// The "competent human media buyer" baseline (MARKET_FACTS.md): runs a target-ROI plan by hand.
// Starts at 90% of the goal ROI while exploring, then nudges the ROI target by 5-10% at most once
// an hour: up when ROI is below the goal, down when ROI is comfortably above it or the day's spend
// lags the budget; reacts to a sudden ROI drop (>30% below the previous day's) within two hours
// with a change of at most 10%; once a day pauses losing products. Observes only plan reports.
// Not thread-safe.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "common/ad_plan.h"
#include "common/ids.h"
#include "common/money.h"
#include "common/sim_clock.h"

namespace cf {

struct PlanHourReport {
  SimMinute now = 0;         // end of the hour
  uint32_t flight_hour = 0;  // hours since the flight started
  Money spend, gmv;          // during this hour (observed)
  uint64_t clicks = 0, purchases = 0;
  Money spent_today, daily_budget;
  double day_elapsed = 0;  // share of today's traffic already past
};

// One product's observed results in the plan since the flight started.
struct ProductReport {
  ProductId product = kNoId;
  uint64_t clicks = 0, purchases = 0;
  Money spend, gmv;
};

class MediaBuyer {
 public:
  struct Options {
    double goal_roi = 2.5;
    double explore_factor = 0.9;
    int explore_hours = 48;
    double min_hourly_spend_share = 0.01;  // of the daily budget, for a window to count
    uint64_t min_clicks_to_judge = 80;     // a product's clicks before it can be paused
  };
  explicit MediaBuyer(Options options) : options_(options) {}
  double InitialTarget() const { return options_.goal_roi * options_.explore_factor; }
  // Reads the hour's report and may change plan.target_roi; returns what it did, in plain words.
  std::vector<std::string> OnHour(const PlanHourReport& report, AdPlan& plan);
  // Once a day: pauses losers — products with enough clicks to judge (min_clicks_to_judge) whose
  // ROI is below half the goal — keeping at least half of the plan's products.
  std::vector<std::string> OnDay(const std::vector<ProductReport>& products, AdPlan& plan);

 private:
  struct Hour {
    double spend, gmv;
  };
  static double Roi(const std::deque<Hour>& h, size_t from, size_t to);
  Options options_;
  std::deque<Hour> hours_;  // most recent last, at most 48
  uint32_t last_change_hour_ = 0;
  bool changed_once_ = false;
  size_t initial_products_ = 0;
};

}  // namespace cf
