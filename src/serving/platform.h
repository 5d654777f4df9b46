// The platform: plans, the budget ledger, the event log and the per-opportunity path
// (candidates -> ranking -> GSP auction with reserve -> creative) that wires the engine modules.
// Every observed event is appended to the log and fed to every module. Money is charged only
// through the ledger, so no plan ever spends more than its budgets.
// Not thread-safe: one Platform per simulated run (the ledger itself is thread-safe).
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/ad_plan.h"
#include "common/catalogue.h"
#include "common/event_log.h"
#include "common/opportunity.h"
#include "common/user_response.h"
#include "creative/creative_selector.h"
#include "creative/wearout_detector.h"
#include "insight/ad_inventory.h"
#include "insight/candidate_source.h"
#include "insight/query_categories.h"
#include "insight/query_expansion.h"
#include "insight/response_predictor.h"
#include "insight/user_affinity.h"
#include "serving/auction.h"
#include "serving/budget_ledger.h"
#include "serving/evaluation_tap.h"
#include "serving/platform_observer.h"
#include "strategy/bidder.h"
#include "strategy/even_pacer.h"
#include "strategy/pacing_controller.h"
#include "strategy/super_plan_pilot.h"

namespace cf {

struct PlatformConfig {
  double reserve_cpm = 0.1;   // currency units per 1,000 impressions
  bool even_delivery = true;  // pace plans with daily budgets over the day's traffic
  // The pCTR/pCVR/value estimate: "smoothed" counts or "learned" (docs/insight-ranking.md).
  std::string predictor = "learned";
  // Creative rotation per product: "single" (one default creative), or a pool of creative_pool
  // variants served by "uniform" rotation, "thompson" sampling, or the "bandit" (Thompson sampling
  // with wear-out tests and pool refresh; creative/bandit_creative_selector.h).
  std::string creatives = "bandit";
  int creative_pool = 4;
  // How much of each user's history the user state (category affinity: retrieval, both
  // predictors' affinity features) reads: 0 = all of it (the default); N = only the last N
  // behaviours (1-256), an ablation that measures what the long history is worth.
  uint32_t user_history_events = 0;
  // The other way to weigh recency: the whole history, each behaviour's weight halving every
  // user_history_half_life later behaviours of the user (0 = no decay, the default; up to
  // 1,000,000; not with user_history_events).
  uint32_t user_history_half_life = 0;
  // Search retrieval: "kg" reads each query's text through the knowledge graph (scene -> needs
  // -> categories), a prior weighed against the categories learned from behaviour after the query
  // (popularity_affinity_retriever.h); "kg_only" uses the graph alone; "none" the learned
  // categories alone (the default: in the market the graph's reading did not raise search
  // conversion, docs/knowledge-graph.md#search-expansion-in-the-market-measured).
  std::string search_expansion = "none";
  // The graph "kg" reads (empty: data/kg/curated.kg of the source tree, written for Complete
  // Journey's categories: on a catalogue it does not reach it finds nothing). A graph given here
  // must reach the catalogue (some `catalogue:` pattern naming one of its categories).
  std::string knowledge_graph;
  // With predictor "learned": a saved ranking model to start from (a warm start; empty: start
  // from the counts alone).
  std::string predictor_load;
};

// Observed totals of one plan.
struct PlanCounts {
  uint64_t impressions = 0, clicks = 0, purchases = 0;
  Money spend, gmv;
};
struct PlanStats {
  PlanCounts total;
  std::array<PlanCounts, kNumChannels> by_channel{};
  std::vector<std::pair<ProductId, PlanCounts>> by_product;  // in the plan's product order
};

// What the platform observed of one creative: its delivery and its wear-out test.
struct CreativeView {
  Creative creative;
  bool live = false;  // Select may show it
  uint64_t impressions = 0, clicks = 0;
  WearoutVerdict wearout;
};

// A decision for one ad slot; holds a budget reservation until Resolve.
struct AdDecision {
  bool shown = false;
  Opportunity opp;
  ScoredAd ad;
  CreativeId creative = kNoId;
  Money price;     // per click or per mille
  Money reserved;  // held in the ledger
};

class Platform {
 public:
  // `log` receives every event; `users` bounds user ids.
  Platform(const Catalogue& catalogue, EventLog& log, size_t users, PlatformConfig config);

  // Warms the engine modules from a history log (the pre-campaign events).
  void Warm(const EventLog& history);
  // Saves the learned ranking model (docs/insight-ranking.md) to `path` atomically; false (and
  // nothing written) when the predictor is not the learned one.
  bool SavePredictor(const std::filesystem::path& path) const;

  // Validates and registers a plan (id assigned); returns it, or throws std::invalid_argument with
  // the reason. Creates default creatives for its products.
  PlanId AddPlan(AdPlan plan);
  // Replaces a plan's settings (bids, targets, budgets, status); validated like AddPlan.
  void UpdatePlan(const AdPlan& plan);
  const AdPlan& plan(PlanId id) const { return plans_.at(id); }
  const std::vector<AdPlan>& plans() const { return plans_; }
  const PlanStats& stats(PlanId id) const { return stats_.at(id); }
  BudgetLedger& ledger() { return ledger_; }
  const BudgetLedger& ledger() const { return ledger_; }
  // Creatives created since the last call (the driver shows them to the world).
  std::vector<Creative> TakeNewCreatives();
  // Wraps the creative selector: `wrap` gets the current one and returns its replacement (which
  // usually delegates to it). For evaluation, e.g. an oracle that picks creatives by the market's
  // hidden truth while the pool stays the engine's.
  void WrapCreativeSelector(
      const std::function<std::unique_ptr<CreativeSelector>(std::unique_ptr<CreativeSelector>)>&
          wrap);
  // Every creative of product p (live ones first, then paused, each oldest first) with what was
  // observed of it.
  std::vector<CreativeView> creatives(ProductId p) const;
  // Every change to the creative pools so far (added, paused, rotated, resumed), in time order.
  const std::vector<PoolEvent>& creative_events() const { return creatives_->pool_events(); }
  // A merchant's rotation (CreativeSelector::Rotate) on the current day; the new creatives are
  // queued for TakeNewCreatives. Throws std::invalid_argument with the reason, changing nothing.
  std::vector<Creative> RotateCreatives(ProductId p, const std::vector<CreativeId>& pause,
                                        const std::vector<Creative>& replacements = {});

  void StartDay(uint32_t day);
  // Hourly upkeep: refresh popularity, re-pace plans, run the creative pools' wear-out tests.
  // `now` is the current minute.
  void Upkeep(SimMinute now);
  void SetPrice(ProductId p, Money price);
  void set_tap(EvaluationTap* tap) { tap_ = tap; }
  // Live monitoring of our plans (nullptr: none). Not owned; it must outlive its attachment.
  void set_observer(PlatformObserver* observer) { observer_ = observer; }
  // Called with every event right after it is logged (nullptr/empty: none); for evaluation
  // statistics that must not depend on keeping the log in memory.
  void set_event_listener(std::function<void(const Event&)> f) { event_listener_ = std::move(f); }
  // Each user's observed category affinity (insight/user_affinity.h), learned from the log.
  const UserAffinity& affinity() const { return affinity_; }
  // Purchases of product p seen in the log (history and this run).
  uint32_t observed_sales(ProductId p) const {
    return p < observed_sales_.size() ? observed_sales_[p] : 0;
  }
  // The current price of a product (shelf price, or what SetPrice last set).
  Money price(ProductId p) const { return prices_.at(p); }

  // Runs the auction for one ad slot and reserves the winner's maximum charge in the ledger;
  // call Resolve with the user's response (it logs the impression and what followed).
  AdDecision Decide(const Opportunity& opp);
  void Resolve(const AdDecision& d, const UserResponse& r);

  // Logs observed organic behaviour and searches.
  void LogEvent(const Event& e);

  uint64_t opportunities() const { return opportunities_; }

  // kAuto plans (super plans): the auctions the plan took part in since the last call, as bid
  // landscape samples (its best ad's value, the price to beat, won or not), and their count.
  std::vector<AuctionSample> TakeAutoSamples(PlanId id, double* auctions);
  // kAuto plans: cumulative delivery per cell (AutoBid::multipliers order) and realised value in
  // the objective's units (ConversionValue of every tracked purchase).
  const std::vector<CellDelivery>& cell_delivery(PlanId id) const { return auto_.at(id).cells; }
  double realised_value(PlanId id) const { return auto_.at(id).value; }

 private:
  // Per-plan state of kAuto plans (empty for others).
  struct AutoState {
    std::vector<double> conversion_value;  // per product index, objective's units
    std::vector<bool> long_tail;           // per product index
    std::vector<AuctionSample> samples;
    double auctions = 0;
    std::vector<CellDelivery> cells;
    double value = 0;
  };
  void RefreshAutoValues(PlanId id);
  void ScoreAuto(const Opportunity& opp, const AdPlan& plan, ScoredAd& s) const;

  void Feed(const Event& e);
  // What each plan had to beat in an auction: the best other plan's eCPM (one ad per plan, so
  // the best or the second best) or the reserve.
  struct PriceToBeat {
    double best, second;
    PlanId best_plan;
    double For(PlanId plan) const { return plan == best_plan ? second : best; }
  };
  static PriceToBeat PriceToBeatOf(std::span<const ScoredAd> scored, double reserve_cpm);
  // Tells the observer about the auction just run (`shown`: the plan whose ad was shown).
  void NotifyAuction(const Opportunity& opp, const PriceToBeat& beat, PlanId shown) const;

  const Catalogue& catalogue_;
  EventLog& log_;
  PlatformConfig config_;
  std::vector<AdPlan> plans_;
  std::vector<PlanStats> stats_;
  BudgetLedger ledger_;
  std::vector<Money> prices_;

  UserAffinity affinity_;
  QueryCategories queries_;
  AdInventory inventory_;
  std::unique_ptr<QueryExpansion> expansion_;  // null with search_expansion "none"
  std::unique_ptr<CandidateSource> retriever_;
  std::unique_ptr<ResponsePredictor> predictor_;
  std::unique_ptr<Bidder> bidder_;
  std::unique_ptr<CreativeSelector> creatives_;
  EvenPacer pacer_;
  std::vector<Creative> new_creatives_;
  struct CreativeObs {
    uint64_t impressions = 0, clicks = 0;
    WearoutDetector wearout;
  };
  std::vector<CreativeObs> creative_obs_;  // by creative id, grown on first delivery
  bool inventory_dirty_ = true;
  uint32_t day_ = 0;

  EvaluationTap* tap_ = nullptr;
  PlatformObserver* observer_ = nullptr;
  std::function<void(const Event&)> event_listener_;
  uint64_t opportunities_ = 0;
  std::vector<AutoState> auto_;            // per plan
  std::vector<uint32_t> observed_sales_;   // per product: purchases seen in the log
  std::vector<int32_t> plan_slot_;         // scratch: index in scored_ of each plan's ad, or -1
  std::vector<AdCandidate> candidates_;    // scratch
  std::vector<ScoredAd> scored_;           // scratch
  std::vector<CreativeId> tap_creatives_;  // scratch
  std::vector<ScoredAd> tap_sat_out_;      // scratch: candidates that sat the auction out
};

}  // namespace cf
