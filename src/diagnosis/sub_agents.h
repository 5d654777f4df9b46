// The diagnosis sub-agents and their coordinator. Each sub-agent looks at one family of causes in
// a DiagnosisInput and returns at most one hypothesis: the cause, a confidence in [0, 1], the
// evidence (each item a measured before/after in plain words, English and Chinese) and concrete
// executable actions with their expected effect. The coordinator runs all of them and ranks the
// hypotheses by confidence.
//
//   creative wear-out  CTR of a creative falling, beyond what the plan's channel mix explains,
//                      while its cumulative exposures grow
//   competition        competitors' price cuts on promoted products with their pooled CVR
//                      falling, or the auction landscape moving (clearing CPM up, win rate down)
//   channel mix        the plan's traffic (auctions it entered) moving between channels
//   budget and bid     delivery limited by the budget (ran out early, or cut) or by the ROI
//                      target (capped auctions, or the plan's own target raise)
//   tracking outage    conversions vanish while clicks stay normal
//
// A hypothesis marked `own_setting` says the plan's own setting change (its ROI target raised, or
// its budget lowered within the day, by a person or an autopilot) explains the move: a notice for
// the merchant, not an alarm. The coordinator ranks an external cause above it when one has real
// support (confidence >= 0.25): a fault often prompts exactly such a change, and the fault is what
// needs acting on.
//
// An external cause below that floor is not named as the cause: the coordinator lists it among
// the diagnosis' `leads` (weak evidence worth a look, never acted on), so a move that only weak
// hypotheses touch counts as unexplained. The plan's own setting change is a known fact, not an
// inference, and is named at any confidence.
//
// Promises: deterministic, pure functions of the input; thread-safe. Confidence is a calibrated-
// by-construction score (strength of the statistical evidence x share of the plan affected), not
// a probability.
#pragma once

#include <string>
#include <vector>

#include "diagnosis/diagnosis_input.h"
#include "diagnosis/roi_decomposition.h"

namespace cf::diagnosis {

enum class CauseKind : uint8_t {
  kCreativeWearOut,
  kCompetitorPriceCut,
  kAuctionLandscape,
  kChannelMix,
  kBudgetLimited,
  kRoiTargetLimited,
  kTrackingOutage
};
std::string_view CauseName(CauseKind c);

// An executable suggestion (the action API performs it).
struct Action {
  enum class Type : uint8_t {
    kRotateCreative,
    kCoupon,
    kMoveBudget,
    kRelaxRoiTarget,
    kRaiseBudget,
    kCheckTracking
  };
  Type type = Type::kCheckTracking;
  PlanId plan = kNoId;
  uint32_t target = kNoId;                             // creative (rotate) or product (coupon)
  Channel from = Channel::kFeed, to = Channel::kFeed;  // move budget
  double amount = 0;  // coupon share off (0.1), budget share moved, target relaxation (0.1)
  int days = 0;       // coupon duration
  double expected_roi_change = 0;  // relative, e.g. +0.15
};
std::string_view ActionName(Action::Type t);

struct Evidence {
  std::string en, zh;
};

struct Hypothesis {
  CauseKind cause = CauseKind::kTrackingOutage;
  double confidence = 0;
  std::vector<Evidence> evidence;
  std::vector<Action> actions;
  bool own_setting = false;  // explained by the plan's own setting change: a notice, no alarm
};

// The promoted products whose lowest competing price fell at least 5% between the windows, pooled:
// their counts together, the click-weighted mean cut, and the z score of their pooled CVR change.
struct PriceCutEvidence {
  std::vector<const ProductWindow*> products;  // most clicked (after) first
  // `before`: each product's reference (its `reference` days when it has them, else its before
  // window), summed; `reference_days`: the most days any of them spans (1: the before window).
  KpiCounts before, after;
  int reference_days = 1;
  double cut = 0;  // click-weighted mean of the products' cuts
  double z = 0;    // pooled CVR change, after - reference (0 without clicks)
};
PriceCutEvidence PooledPriceCut(const DiagnosisInput& in);

std::vector<Hypothesis> CreativeAgent(const DiagnosisInput& in);
std::vector<Hypothesis> CompetitionAgent(const DiagnosisInput& in);
std::vector<Hypothesis> ChannelAgent(const DiagnosisInput& in);
std::vector<Hypothesis> BudgetBidAgent(const DiagnosisInput& in);
std::vector<Hypothesis> TrackingAgent(const DiagnosisInput& in);

// The news of a competitor price cut, before its effect shows: the products undercut in the after
// window (`e`, PooledPriceCut(in)), when they were cut by >= kNewsMinCut on average and hold
// >= kNewsMinShare of the plan's spend in the window. One competitor_price_cut hypothesis with
// the matching coupons; confidence 0.5 x min(1, cut / 0.2) x min(1, 2 x share): half of what CVR
// evidence can give, since none is there yet. Not one of Coordinate's agents: the live watch asks
// for it once, when the cut appears.
inline constexpr double kNewsMinCut = 0.10;
inline constexpr double kNewsMinShare = 0.20;
std::vector<Hypothesis> PriceCutNews(const DiagnosisInput& in, const PriceCutEvidence& e);

// The news of a cut of what was left of today's budget with no change to the plan's own budget
// (an account running dry, a platform cap), at the tick it happens and before delivery has had time
// to fall: when the cut (in.budget_left_cut) is >= kBudgetNewsMinCut of what was left and takes at
// least kBudgetNewsMinShortfall of what the plan usually spends over the rest of the day
// (in.usual_rest_of_day_spend): (min(left before, usual) - min(left after, usual)) / usual. One
// budget_limited hypothesis, confidence min(0.9, 0.4 + that share): the cut is a fact the platform
// reports; what is uncertain is how much of the day's delivery it costs. Not one of Coordinate's
// agents: the live watch asks for it once, at the tick that saw the cut.
inline constexpr double kBudgetNewsMinCut = 0.20;
inline constexpr double kBudgetNewsMinShortfall = 0.20;
std::vector<Hypothesis> BudgetCutNews(const DiagnosisInput& in);

struct Diagnosis {
  PlanId plan = kNoId;
  RoiDecomposition roi;
  std::vector<Hypothesis> hypotheses;  // ranked, most confident first (but see Coordinate)
  std::vector<Hypothesis> leads;       // external causes below kExternalCauseFloor, ranked
};

// The confidence an external cause needs to be named at all (and so to be ranked above the
// plan's own setting change); weaker ones are leads.
inline constexpr double kExternalCauseFloor = 0.25;

// One agent's (or one news item's) hypotheses as a diagnosis: the window's ROI decomposition and
// `hypotheses` as given (the live watches' findings: PriceCutNews, BudgetCutNews, ChannelAgent).
Diagnosis DiagnosisOf(const DiagnosisInput& in, std::vector<Hypothesis> hypotheses);

// Runs every sub-agent and ranks their hypotheses (see the file comment for the one exception to
// "most confident first").
Diagnosis Coordinate(const DiagnosisInput& in);

}  // namespace cf::diagnosis
