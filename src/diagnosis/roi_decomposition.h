// ROI-drop decomposition: an exact additive split of a change in ROI into the effects of CTR,
// CVR, order value, auction price (CPM) and the channel (segment) mix.
//
// Model: per segment s (channel, or any partition of the spend), ROI_s = GMV_s / spend_s =
// 1000 x CTR_s x CVR_s x AOV_s / CPM_s, and the total ROI = sum_s share_s x ROI_s with share_s the
// segment's share of spend. The five factor groups (CTR, CVR, AOV, CPM across all segments, and the
// share vector) are the players of a Shapley decomposition of ROI(after) - ROI(before): each effect
// is the average, over all orders of switching the groups from before to after, of the change
// that switching its group causes (2^5 evaluations). The effects therefore sum exactly (up to
// floating-point rounding) to the total change. A factor that is undefined in one period (no
// impressions, clicks or purchases) takes its value from the other period; a segment with no spend
// in a period has share 0 there.
//
// Each effect carries its evidence: the plan-level factor before and after, and the segment whose
// own factor moved the most (weighted by spend share).
//
// Promises: pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "diagnosis/kpi_monitor.h"

namespace cf::diagnosis {

enum class RoiFactor : uint8_t { kCtr, kCvr, kOrderValue, kCpm, kMix };
inline constexpr int kNumRoiFactors = 5;
std::string_view RoiFactorName(RoiFactor f);

struct RoiSegment {
  std::string name;         // e.g. "feed"
  KpiCounts before, after;  // impressions, clicks, purchases, spend, gmv
};

struct RoiEffect {
  RoiFactor factor = RoiFactor::kCtr;
  double effect = 0;             // contribution to ROI(after) - ROI(before)
  double before = 0, after = 0;  // plan-level factor (mix: the top segment's spend share)
  std::string top_segment;       // segment whose factor moved the most (by spend share)
  double top_before = 0, top_after = 0;
};

struct RoiDecomposition {
  double roi_before = 0, roi_after = 0;
  double total_change = 0;         // roi_after - roi_before
  std::vector<RoiEffect> effects;  // one per factor, in RoiFactor order
  // The effects sorted by |effect|, largest first.
  std::vector<RoiEffect> Ranked() const;
};

RoiDecomposition DecomposeRoi(const std::vector<RoiSegment>& segments);

}  // namespace cf::diagnosis
