// The "competent human media buyer" baseline (MARKET_FACTS.md): runs a target-ROI plan by hand.
// Starts at 90% of the goal ROI while exploring, then nudges the ROI target by 5-10% at most once
// an hour: up when ROI is below the goal, down when ROI is comfortably above it or the day's spend
// lags the budget; reacts to a sudden ROI drop (>30% below the previous day's) within two hours
// with a change of at most 10%; once a day pauses losing products. Observes only plan reports.
// Like a careful human, it judges ROI only on enough evidence: a window of recent hours holding at
// least min_purchases_to_judge purchases (widened up to a day when hours are thin), and it changes
// the target on ROI only after an hour that itself delivered (spend >= min_hourly_spend_share of
// the daily budget), so quiet night hours with a handful of clicks never swing the bid. After the
// exploration hours it moves a below-goal target towards the goal only while spend is on pace.
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
    uint64_t min_purchases_to_judge = 20;  // purchases a window needs before its ROI is trusted
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
    double spend = 0, gmv = 0;
    uint64_t purchases = 0;
  };
  struct Window {
    double spend = 0, gmv = 0;
    uint64_t purchases = 0;
    size_t hours = 0;
    double roi() const { return spend > 0 ? gmv / spend : 0.0; }
  };
  // The hours before the newest `skip` ones, newest first: at least min_hours, widened up to
  // max_hours until they hold min_purchases_to_judge purchases (fewer if the history is shorter).
  Window Recent(size_t skip, size_t min_hours, size_t max_hours) const;
  Options options_;
  std::deque<Hour> hours_;  // most recent last, at most 72
  uint32_t last_change_hour_ = 0;
  bool changed_once_ = false;
  size_t initial_products_ = 0;
};

}  // namespace cf
