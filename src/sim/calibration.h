// Calibration: the simulated market's statistics beside the real data's and the stylized facts of
// MARKET_FACTS.md, each with its tolerance. Computed from one run's observed events (evaluation
// code: it may read both the world and the engine's log).
#pragma once

#include <unordered_set>
#include <vector>

#include "common/event_log.h"
#include "market/world.h"
#include "sim/run_result.h"

namespace cf {

struct MarketSample {
  // Filled by MarketSampler from a run's own events (the campaign flight).
  std::array<uint64_t, kNumChannels> views{};  // ad impressions + organic views per channel
  uint64_t low_price_clicks = 0, low_price_purchases = 0;    // ads on products under 5.00
  uint64_t high_price_clicks = 0, high_price_purchases = 0;  // ads on products over 15.00
  std::vector<double> purchase_unit_prices;
  std::vector<std::pair<uint32_t, double>> department_gmv;  // department, GMV
  uint64_t purchases = 0, repeat_purchases = 0;        // repeat: user bought the product before
  uint64_t purchase_sessions = 0, purchase_lines = 0;  // lines per (user, 30-minute window)
  uint64_t users_10k = 0, users = 0;
  uint64_t coupons_received = 0,
           coupon_purchases = 0;  // observed: coupon events, purchases using one
};

// Builds a MarketSample from a run's events as they happen, so that the run's own log need not be
// kept in memory. Feed it every event of the run in the order the platform logs them (each
// user's in time order); `history` is the pre-campaign log the run derives from (its purchases
// count as bought before, its events towards users_10k). Both must outlive the sampler.
class MarketSampler {
 public:
  MarketSampler(const WorldSpec& spec, const EventLog& history);
  void Observe(const Event& e);
  // The sample of everything observed so far.
  MarketSample Sample() const;

 private:
  static constexpr SimMinute kNoWindow = ~SimMinute{0};
  const WorldSpec& spec_;
  const EventLog& history_;
  MarketSample s_;
  std::vector<double> dept_gmv_;
  std::unordered_set<uint64_t> bought_;  // user << 32 | product
  std::vector<uint32_t> run_events_;     // per user, this run's events
  std::vector<SimMinute> window_start_;  // per user, start of the last purchase window
  UserId user_limit_ = 0;                // one past the largest user id with events
};

std::vector<CalibrationRow> Calibrate(const WorldSpec& spec, const MarketSample& sample,
                                      const RunResult& run);

}  // namespace cf
