// What the diagnosis sub-agents look at for one plan: two windows (before = the reference, after =
// the window where the KPI moved) of observable counts, sliced by channel, creative and product,
// plus the catalogue's competitor prices and the plan's budget and bidding state. Everything here
// is observable by a real platform (events, auction outcomes, catalogue, plan settings); nothing
// comes from the simulated market's hidden state.
//
// Promises: plain values; money in currency units (double) for ratios.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/channel.h"
#include "common/ids.h"
#include "diagnosis/kpi_monitor.h"

namespace cf::diagnosis {

struct CreativeWindow {
  CreativeId creative = kNoId;
  std::string name;
  KpiCounts before, after;
  double exposures_before = 0;  // cumulative impressions at the start of each window
  double exposures_after = 0;
  // The 24 hours that end where the before window ends, and the 24 hours before those (empty
  // when not seen): how much CTR the creative lost from one day to the next is how fast it
  // usually ages.
  KpiCounts day_before, day_earlier;
};

struct ProductWindow {
  ProductId product = kNoId;
  std::string name;
  KpiCounts before, after;
  double own_price = 0;
  double competitor_price_before = 0;  // lowest competing price in the catalogue (0 = none)
  double competitor_price_after = 0;
  // The after window's hours on each of the `reference_days` days before it (up to a week, as
  // far as seen), summed: a steadier reference for the product's CVR than one day (0 days: none).
  KpiCounts reference;
  int reference_days = 0;
};

struct DiagnosisInput {
  PlanId plan = kNoId;
  std::string plan_name;
  double window_hours = 24;
  // The KPI whose move started the diagnosis, when there was one (a live alert). A target raise
  // cannot explain a fall in ROI or CVR, so the budget/bid agent does not offer it for those; and
  // a diagnosis run at every alert asks for clearer evidence than one asked for once.
  std::optional<Kpi> trigger;
  // When the move being explained is that of some products only (the competitor price watch tests
  // the undercut products' CVR), those products; empty: the plan's move. A cause's share of the
  // move is measured against them.
  std::vector<ProductId> trigger_products;
  std::array<KpiCounts, kNumChannels> channel_before{}, channel_after{};
  std::vector<CreativeWindow> creatives;
  std::vector<ProductWindow> products;
  // Budget and bidding (after window): daily budget, share of it spent, the hour of day it ran
  // out (24 = never), the plan's ROI target, and the share of lost auctions where the bid was
  // capped by that target.
  double daily_budget = 0;
  double daily_budget_before =
      0;  // what the plan could spend a day in the before window (0: unknown)
  double budget_spent_share = 0;
  double budget_exhausted_hour = 24;
  // The largest cut of what was left of today's budget at one moment of the after window (the
  // budget dropping within the day: an account running dry, a cap), as a share of what was left
  // just before, with what was left before and after it and the minute of day it happened.
  double budget_left_cut = 0, budget_left_before = 0, budget_left_after = 0;
  uint32_t budget_cut_minute = 0;
  // The plan's own budget setting changed at that moment too (a person or an autopilot changed
  // it): the cut is the plan's own setting change, not the account's (needs
  // PlanState::budget_setting).
  bool budget_cut_own = false;
  // The plan's spend from that cut to the end of the window, and over the same time a day
  // earlier: how much spend fell since the cut (both 0 without a cut).
  double spend_since_cut = 0, spend_since_cut_day_before = 0;
  // What the plan usually spends over the rest of the day from the end of the window: its spend
  // over the same hours a day earlier (0: unknown). Set by the live watch's budget news only.
  double usual_rest_of_day_spend = 0;
  double roi_target = 0;
  double roi_target_before = 0;  // the target during the before window (0: unknown)
  double roi_capped_loss_share = 0;
  // Auction landscape (plan level): mean clearing price per mille before and after.
  double clearing_cpm_before = 0, clearing_cpm_after = 0;

  KpiCounts TotalBefore() const;
  KpiCounts TotalAfter() const;
};

}  // namespace cf::diagnosis
