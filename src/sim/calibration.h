// Calibration: the simulated market's statistics beside the real data's and the stylized facts of
// MARKET_FACTS.md, each with its tolerance. Computed from one run's observed events (evaluation
// code: it may read both the world and the engine's log).
#pragma once

#include <vector>

#include "common/event_log.h"
#include "market/world.h"
#include "sim/run_result.h"

namespace cf {

struct MarketSample {
  // Filled by CollectMarketSample from a run's own events (the campaign flight).
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

MarketSample CollectMarketSample(const WorldSpec& spec, const EventLog& run_log);

std::vector<CalibrationRow> Calibrate(const WorldSpec& spec, const MarketSample& sample,
                                      const RunResult& run);

}  // namespace cf
