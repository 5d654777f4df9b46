// Generator of synthetic RTB replay logs (bidbench/replay_log.h format) with the shape of public
// RTB logs: market prices log-normal (median ~55, mean ~75, capped at 300), pCTR log-normal around
// 0.1% with a heavy tail, correlated with the market price (good traffic is contested), a daily
// cycle in price level and CTR along the log (so pacing matters within and across episodes),
// bursts of cheap low-quality traffic, and clicks drawn from a true CTR that differs from pCTR by
// a miscalibration noise. Deterministic given the seed; train and test logs come from different
// seeds and days of the same campaign. Pure function.
#pragma once

#include <cstdint>
#include <vector>

#include "bidbench/replay_log.h"

namespace cf {

struct ReplayLogSpec {
  size_t auctions = 200000;
  uint64_t seed = 1;
  int first_day = 0;  // the daily cycle's phase: test logs start on a later day
  size_t auctions_per_day = 100000;
  double price_log_mean = 4.0;  // log of the median market price
  double price_log_sd = 0.7;
  double ctr_log_mean = -7.3;  // log of the median pCTR (~0.00067)
  double ctr_log_sd = 0.9;
  double price_ctr_corr = 0.45;  // correlation of log price and log pCTR
  double day_amplitude = 0.25;   // daily swing of log price level
};

std::vector<ReplayAuction> GenerateReplayLog(const ReplayLogSpec& spec);

}  // namespace cf
