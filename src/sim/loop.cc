#include "sim/loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "diagnosis/diagnosis_journal.h"
#include "diagnosis/live_diagnosis.h"
#include "diagnosis/report.h"
#include "insight/audience_fit.h"
#include "serving/platform_observer.h"
#include "sim/evaluation_recorder.h"
#include "sim/lp_limit_tap.h"
#include "sim/oracle_creative_selector.h"
#include "strategy/media_buyer.h"
#include "strategy/super_plan_pilot.h"

namespace cf {
namespace {

constexpr uint32_t kStepMinutes = 5;  // the super plan's control step

void Add(KpiTotals& k, const PlanCounts& c) {
  k.spend += c.spend;
  k.impressions += c.impressions;
  k.clicks += c.clicks;
  k.purchases += c.purchases;
  k.gmv += c.gmv;
}

KpiTotals Diff(const KpiTotals& now, const KpiTotals& before) {
  KpiTotals d;
  d.spend = now.spend - before.spend;
  d.impressions = now.impressions - before.impressions;
  d.clicks = now.clicks - before.clicks;
  d.purchases = now.purchases - before.purchases;
  d.gmv = now.gmv - before.gmv;
  return d;
}

// Both evaluation taps on one platform: the CSV recorder and the LP limit.
class TapPair : public EvaluationTap {
 public:
  TapPair(EvaluationTap& a, EvaluationTap& b) : a_(a), b_(b) {}
  bool WantsCreative(const ScoredAd& ad) const override {
    return a_.WantsCreative(ad) || b_.WantsCreative(ad);
  }
  void OnAuction(const Opportunity& opp, std::span<const ScoredAd> candidates,
                 std::span<const CreativeId> creatives, std::span<const AuctionWinner> winners,
                 double reserve_cpm) override {
    a_.OnAuction(opp, candidates, creatives, winners, reserve_cpm);
    b_.OnAuction(opp, candidates, creatives, winners, reserve_cpm);
  }

 private:
  EvaluationTap &a_, &b_;
};

// Feeds the live diagnosis: events as they happen, auctions tallied per (plan, channel, minute)
// and handed over when the tick closes (so the journal can record them compactly and a replay
// gives the same findings).
class DiagnosisFeed : public PlatformObserver {
 public:
  explicit DiagnosisFeed(diagnosis::LiveDiagnosis& d) : d_(d) {}
  bool Watches(PlanId plan) const override { return d_.Watches(plan); }
  void OnEvent(const Event& e) override { d_.Observe(e); }
  void OnAuction(PlanId plan, const Opportunity& opp, double ecpm, double beat_cpm,
                 bool won) override {
    d_.Tally(pending_[{plan, static_cast<int>(opp.channel), opp.minute}], ecpm, beat_cpm, won);
  }
  // The tallies since the last call, in (plan, channel, minute) order, given to the diagnosis.
  std::vector<diagnosis::JournalAuctions> Flush() {
    std::vector<diagnosis::JournalAuctions> out;
    out.reserve(pending_.size());
    for (const auto& [key, t] : pending_) {
      const auto& [plan, channel, minute] = key;
      out.push_back({plan, static_cast<Channel>(channel), minute, t});
      d_.ObserveAuctions(plan, static_cast<Channel>(channel), minute, t);
    }
    pending_.clear();
    return out;
  }

 private:
  diagnosis::LiveDiagnosis& d_;
  std::map<std::tuple<PlanId, int, SimMinute>, diagnosis::AuctionTally> pending_;
};

MediaBuyer::Options BuyerOptions(double goal_roi) {
  MediaBuyer::Options o;
  o.goal_roi = goal_roi;
  return o;
}

}  // namespace

struct Loop::Impl {
  // A super plan and the pilot that steers it.
  struct Piloted {
    PlanId id = kNoId;
    std::unique_ptr<SuperPlanPilot> pilot;
    SimMinute first_minute = 0;  // the pilot's day 0 starts here
    uint32_t flight_days = 1;
    double day_start_value = 0;  // realised value (objective's units) when the day started
    Money day_start_spend;       // the plan's spend when the day started
    uint32_t Day(SimMinute m) const { return (m - first_minute) / kMinutesPerDay; }
    uint32_t DaysLeft(uint32_t day) const { return flight_days > day ? flight_days - day : 1; }
  };

  explicit Impl(const RunSetup& s);
  void Step();
  void CreateOurPlans();
  void StepPilots(SimMinute m);
  void StartPilotDays(SimMinute m);
  void MediaBuyerHour(SimMinute m, const HourPoint& hp);
  void MediaBuyerDay(SimMinute m);
  void ApplyFaults(SimMinute m);
  void Diagnose(SimMinute m);
  // Applies one suggested action of an alarm to our plan (RunSetup::apply_diagnosis_actions);
  // returns what was done in words, empty when the action has no counterpart here.
  std::string ApplySuggestion(SimMinute m, const diagnosis::Action& a);
  // The lowest current price of the product's category among other merchants (0: none).
  double CompetitorPrice(ProductId p);
  void ServeSessions(SimMinute m);
  void Totals(KpiTotals& o, KpiTotals& mk) const;
  const HourPoint& CloseHour(SimMinute m);
  void Act(SimMinute m, std::string text);
  // The world gives `users` coupons worth `value` off product p until `expires`; the platform
  // logs their receipt.
  void IssueCoupons(SimMinute m, ProductId p, Money value, SimMinute expires,
                    const std::vector<UserId>& users) {
    for (UserId u : users) {
      world.GiveCoupon(u, p, value, expires);
      LogCoupon(m, u, p, value);
    }
  }
  // What the platform observes of a coupon the world gave: its receipt (kCouponReceived).
  void LogCoupon(SimMinute m, UserId u, ProductId p, Money value) {
    Event e;
    e.type = EventType::kCouponReceived;
    e.minute = m;
    e.user = u;
    e.product = p;
    e.money = value.micros();
    e.channel = Channel::kMall;
    platform.LogEvent(e);
  }
  // A decision maker's change to one of our plans, with what it did.
  void Apply(SimMinute m, const AdPlan& plan, std::vector<std::string> notes);
  bool is_ours(PlanId id) const { return id < is_ours_.size() && is_ours_[id]; }
  void MarkOurs(PlanId id) {
    if (is_ours_.size() <= id) is_ours_.resize(id + 1, false);
    is_ours_[id] = true;
    our_ids.push_back(id);
    for (ProductId p : platform.plan(id).products) {
      if (std::find(our_products.begin(), our_products.end(), p) == our_products.end()) {
        our_products.push_back(p);
      }
    }
    if (live_diagnosis) live_diagnosis->Watch(id);
    if (journal) journal->Watch(id);
  }

  RunSetup setup;
  const WorldSpec& spec;
  const Catalogue& cat;
  std::chrono::steady_clock::time_point wall_start = std::chrono::steady_clock::now();
  RunResult result;
  World world;
  std::unique_ptr<EventLog> log;
  Platform platform;
  MediaBuyer buyer;
  std::vector<Piloted> pilots;
  AdPlan ours;  // the setup's plan as created (first of ours)
  std::vector<PlanId> our_ids;
  std::vector<bool> is_ours_;
  std::vector<ProductId> our_products;                     // of our plans, in the order first seen
  std::map<CreativeId, CreativeRow> creative_rows;         // our products' creatives
  const OracleCreativeSelector* creative_meter = nullptr;  // owned by the platform
  // Market entry of the creatives made since the last call (ours are also told to the setup).
  void RegisterNewCreatives() {
    for (const Creative& c : platform.TakeNewCreatives()) {
      world.RegisterCreative(c);
      if (setup.on_our_creative &&
          std::find(our_products.begin(), our_products.end(), c.product) != our_products.end()) {
        setup.on_our_creative(c);
      }
    }
  }
  // Records each of our creatives' delivery on flight day `day` (called when the day closes).
  void SampleCreatives(uint32_t day);
  Money nominal_daily;
  std::unique_ptr<EvaluationRecorder> tap;
  std::unique_ptr<LpLimitTap> lp_tap;
  std::unique_ptr<EvaluationTap> both_taps;  // the recorder and the LP tap together
  std::unique_ptr<diagnosis::LiveDiagnosis> live_diagnosis;
  std::unique_ptr<DiagnosisFeed> diagnosis_feed;
  std::unique_ptr<diagnosis::DiagnosisJournalWriter> journal;
  std::unordered_map<ProductId, std::vector<ProductId>> competing_products;
  std::vector<AdPlan> original_plans;  // competitor surges are undone from these
  std::vector<bool> surge_on;
  bool account_topped_up = false;  // a raise_budget suggestion was applied: no more caps
  SimMinute tracking_fix_at = 0;   // a check_tracking suggestion fixes it then (0: none)
  SimMinute start, end, now;
  std::vector<Session> sessions;
  KpiTotals ours_before, market_before;
  KpiTotals day_start;  // our totals when the current day started
  double curve_sum = 0;
  bool finished = false;
  std::function<void(SimMinute)> on_hour;
  Loop::PlanWriter writer;
  std::vector<Loop::PostDelivery> post_delivery;  // by sponsored post index
};

namespace {
// The engine's platform settings: the evaluation-only creative oracle keeps the bandit's pool
// (it is wrapped around it below).
PlatformConfig EnginePlatformConfig(PlatformConfig c) {
  if (c.creatives == "oracle") c.creatives = "bandit";
  return c;
}
}  // namespace

Loop::Impl::Impl(const RunSetup& s)
    : setup(s),
      spec(*s.spec),
      cat(s.spec->catalogue()),
      world(*s.spec, s.faults, s.run_seed),
      log(s.event_log.empty()
              ? EventLog::InMemory(s.history, s.keep_events)
              : (std::filesystem::remove(s.event_log),  // a run's log starts empty
                 EventLog::Open(s.event_log, {.keep_events = s.keep_events}, s.history))),
      platform(cat, *log, s.spec->users().size(), EnginePlatformConfig(s.platform)),
      buyer(BuyerOptions(s.goal_roi)) {
  result.name = setup.name;
  // The oracle picks (platform.creatives "oracle"), or only measures the engine's choice on our
  // ads: the run behaves as without it. Evaluation taps ask for creatives through Peek, which the
  // meter does not count.
  platform.WrapCreativeSelector([this, &s](std::unique_ptr<CreativeSelector> pool) {
    auto o = std::make_unique<OracleCreativeSelector>(std::move(pool), world,
                                                      s.platform.creatives == "oracle"
                                                          ? OracleCreativeSelector::Mode::kPick
                                                          : OracleCreativeSelector::Mode::kMeasure,
                                                      s.our_plan.products);
    creative_meter = o.get();
    return o;
  });
  world.SetOurProducts(setup.our_plan.products);
  if (setup.on_event) platform.set_event_listener(setup.on_event);
  platform.StartDay(spec.flight_start() / kMinutesPerDay);
  for (const AdPlan& p : setup.competitor_plans) platform.AddPlan(p);
  is_ours_.assign(platform.plans().size(), false);
  if (setup.diagnosis) {
    live_diagnosis = std::make_unique<diagnosis::LiveDiagnosis>(setup.diagnosis_options);
    diagnosis_feed = std::make_unique<DiagnosisFeed>(*live_diagnosis);
    platform.set_observer(diagnosis_feed.get());
    if (!setup.diagnosis_journal.empty()) {
      journal = std::make_unique<diagnosis::DiagnosisJournalWriter>(
          setup.diagnosis_journal,
          std::filesystem::relative(setup.event_log, setup.diagnosis_journal.parent_path())
              .string(),
          s.spec->flight_start(), setup.diagnosis_options.monitor.bucket_minutes);
    }
  }
  CreateOurPlans();
  const double budget_units = setup.our_plan.total_budget.units();
  nominal_daily = ours.daily_budget.micros() > 0 ? ours.daily_budget
                                                 : Money::FromUnits(budget_units / spec.days());
  RegisterNewCreatives();
  platform.Warm(*setup.history);
  if (!setup.tap_file.empty()) {
    tap = std::make_unique<EvaluationRecorder>(world, setup.tap_file);
    platform.set_tap(tap.get());
  }
  if (setup.lp_limit) {
    lp_tap = std::make_unique<LpLimitTap>(world, setup.our_plan.products);
    if (tap) {
      both_taps = std::make_unique<TapPair>(*tap, *lp_tap);
      platform.set_tap(both_taps.get());
    } else {
      platform.set_tap(lp_tap.get());
    }
  }
  original_plans = platform.plans();
  surge_on.assign(setup.faults.size(), false);
  start = spec.flight_start();
  end = start + spec.days() * kMinutesPerDay;
  now = start;
  for (double c : spec.config().traffic.hourly_curve) curve_sum += c;
}

void Loop::Impl::CreateOurPlans() {
  const uint32_t first_day = spec.flight_start() / kMinutesPerDay;
  ours = setup.our_plan;
  ours.start_day = first_day;
  const double budget_units = setup.our_plan.total_budget.units();
  if (setup.policy == "media_buyer") {
    result.policy_description =
        "competent media buyer: target-ROI plan starting at 90% of the goal ROI, adjusted by "
        "5-10% at most hourly from the last hours' ROI and pace (MARKET_FACTS.md)";
    ours.bid_type = BidType::kTargetRoi;
    ours.target_roi = buyer.InitialTarget();
    MarkOurs(platform.AddPlan(ours));
    ours = platform.plan(our_ids[0]);
    result.actions.push_back(
        {0, fmt::format("Created plan '{}' for {} products, budget {} ({} a day), "
                        "ROI target {:.2f} (90% of the goal {:.2f} while exploring)",
                        ours.name, ours.products.size(), ours.total_budget.ToString(),
                        ours.daily_budget.ToString(), ours.target_roi, setup.goal_roi)});
  } else if (setup.policy == "super_plan") {
    SuperPlanRequest req;
    req.name = ours.name;
    req.merchant = ours.merchant;
    req.products = ours.products;
    req.total_budget = budget_units;
    req.flight_days = spec.days();
    req.start_day = first_day;
    req.objective = setup.objective;
    req.target = setup.goal_roi;
    req.channels = ours.channels;
    const SuperPlan sp = CompileSuperPlan(req, cat);
    MarkOurs(platform.AddPlan(sp.plan));
    ours = platform.plan(our_ids[0]);
    Piloted pp;
    pp.id = our_ids[0];
    pp.pilot = std::make_unique<SuperPlanPilot>(sp, setup.pilot);
    pp.first_minute = spec.flight_start();
    pp.flight_days = spec.days();
    pilots.push_back(std::move(pp));
    result.policy_description = fmt::format(
        "super plan (autopilot): objective {} target {:.2f}; bid = alpha x value per cell "
        "(product x channel x audience), alpha from the MPC pacer every 5 minutes with a daily "
        "budget and target, hourly budget re-split across cells",
        ObjectiveName(setup.objective), setup.goal_roi);
    result.actions.push_back(
        {0,
         fmt::format("Created super plan '{}' for {} products over {} cells, budget {}, "
                     "objective {} {:.2f}",
                     ours.name, ours.products.size(), sp.cells.size(), ours.total_budget.ToString(),
                     ObjectiveName(setup.objective), setup.goal_roi)});
  } else if (setup.policy == "uniform") {
    result.policy_description =
        "uniform split: the budget divided evenly over the products, one target-ROI plan each at "
        "the goal, paced evenly, never changed";
    const double n = static_cast<double>(ours.products.size());
    for (ProductId p : setup.our_plan.products) {
      AdPlan one = ours;
      one.name = fmt::format("{} / product {}", ours.name, p);
      one.products = {p};
      one.total_budget = Money::FromUnits(budget_units / n);
      one.daily_budget = Money::FromUnits(setup.our_plan.daily_budget.units() / n);
      one.bid_type = BidType::kTargetRoi;
      one.target_roi = setup.goal_roi;
      MarkOurs(platform.AddPlan(one));
    }
    ours = platform.plan(our_ids[0]);
    ours.total_budget = setup.our_plan.total_budget;
    ours.daily_budget = setup.our_plan.daily_budget;
    result.actions.push_back(
        {0, fmt::format("Created {} single-product target-ROI plans at {:.2f}, {:.2f} each",
                        our_ids.size(), setup.goal_roi, budget_units / n)});
  } else if (setup.policy == "none") {
    result.policy_description = "no plan of ours until a merchant creates one";
  } else {
    throw std::invalid_argument(fmt::format(
        "unknown policy '{}'; use media_buyer, super_plan, uniform or none", setup.policy));
  }
}

void Loop::Impl::Act(SimMinute m, std::string text) {
  result.actions.push_back({m - start, std::move(text)});
}

void Loop::Impl::Apply(SimMinute m, const AdPlan& plan, std::vector<std::string> notes) {
  if (writer) {
    writer(m, plan, notes);
  } else {
    platform.UpdatePlan(plan);
  }
  for (std::string& n : notes) Act(m, std::move(n));
}

void Loop::Impl::Totals(KpiTotals& o, KpiTotals& mk) const {
  o = KpiTotals{};
  mk = KpiTotals{};
  for (const AdPlan& p : platform.plans()) {
    Add(mk, platform.stats(p.id).total);
    if (is_ours(p.id)) Add(o, platform.stats(p.id).total);
  }
}

// Records the hour that ends at minute m (our and the market's deltas, and the pacing plan).
const HourPoint& Loop::Impl::CloseHour(SimMinute m) {
  KpiTotals o, mk;
  Totals(o, mk);
  HourPoint hp;
  hp.hour = (m - start) / 60 - 1;
  hp.ours = Diff(o, ours_before);
  hp.market = Diff(mk, market_before);
  const uint32_t prev_hour = (SimTime{m}.hour_of_day() + 23) % 24;
  const SuperPlanPilot* pilot = pilots.empty() ? nullptr : pilots[0].pilot.get();
  const Money day_plan = pilot ? Money::FromUnits(pilot->today_budget()) : ours.daily_budget;
  hp.planned_spend = day_plan.Scale(spec.config().traffic.hourly_curve[prev_hour] / curve_sum);
  hp.alpha = pilot ? pilot->alpha() : 0.0;
  ours_before = o;
  market_before = mk;
  result.hourly.push_back(hp);
  return result.hourly.back();
}

// Closes the control step that just ended; each pilot sets alpha for the next one.
void Loop::Impl::StepPilots(SimMinute m) {
  const SimMinute last = m - 1;
  for (Piloted& pp : pilots) {
    const PlanCounts& c = platform.stats(pp.id).total;
    double auctions = 0;
    std::vector<AuctionSample> samples = platform.TakeAutoSamples(pp.id, &auctions);
    PilotStep ps;
    ps.day = pp.Day(last);
    ps.days_left = pp.DaysLeft(ps.day);
    ps.step = static_cast<int>((last % kMinutesPerDay) / kStepMinutes);
    ps.steps_per_day = kMinutesPerDay / kStepMinutes;
    ps.spent_total = c.spend.units();
    ps.spent_today = (c.spend - pp.day_start_spend).units();
    ps.value_today = platform.realised_value(pp.id) - pp.day_start_value;
    ps.auctions = auctions;
    ps.samples = samples;
    AdPlan plan = platform.plan(pp.id);
    if (plan.status == PlanStatus::kEnded) continue;  // finished: nothing left to steer
    pp.pilot->Step(ps, plan);
    Apply(m, plan, {});
  }
}

void Loop::Impl::StartPilotDays(SimMinute m) {
  for (Piloted& pp : pilots) {
    if (platform.plan(pp.id).status == PlanStatus::kEnded) continue;
    pp.day_start_value = platform.realised_value(pp.id);
    pp.day_start_spend = platform.stats(pp.id).total.spend;
    const uint32_t day = pp.Day(m);
    std::string note = pp.pilot->StartDay(day, pp.DaysLeft(day), pp.day_start_spend.units());
    AdPlan plan = platform.plan(pp.id);
    plan.autobid.alpha = pp.pilot->alpha();
    Apply(m, plan, {std::move(note)});
  }
}

void Loop::Impl::MediaBuyerHour(SimMinute m, const HourPoint& hp) {
  const PlanId our_id = our_ids[0];
  const SimTime t{m};
  AdPlan plan = platform.plan(our_id);
  PlanHourReport rep;
  rep.now = m;
  rep.flight_hour = hp.hour;
  rep.spend = hp.ours.spend;
  rep.gmv = hp.ours.gmv;
  rep.clicks = hp.ours.clicks;
  rep.purchases = hp.ours.purchases;
  rep.spent_today = platform.ledger().spent_today(our_id);
  rep.daily_budget = ours.daily_budget;
  double elapsed = 0;
  for (uint32_t h = 0; h < t.hour_of_day(); ++h) elapsed += spec.config().traffic.hourly_curve[h];
  rep.day_elapsed = t.hour_of_day() == 0 ? 1.0 : elapsed / curve_sum;
  Apply(m, plan, buyer.OnHour(rep, plan));
  ours = plan;
}

// The media buyer's daily review: pause losing products.
void Loop::Impl::MediaBuyerDay(SimMinute m) {
  const PlanId our_id = our_ids[0];
  std::vector<ProductReport> reports;
  for (const auto& [p, c] : platform.stats(our_id).by_product) {
    reports.push_back({p, c.clicks, c.purchases, c.spend, c.gmv});
  }
  AdPlan plan = platform.plan(our_id);
  auto acts = buyer.OnDay(reports, plan);
  if (acts.empty()) return;
  Apply(m, plan, std::move(acts));
  ours = plan;
}

// Platform-side faults: budget exhaustion (our account runs dry) and competitor surges.
void Loop::Impl::ApplyFaults(SimMinute m) {
  const SimTime t{m};
  if (tracking_fix_at != 0 && m == tracking_fix_at) world.EndFault("tracking_outage", m);
  for (size_t i = 0; i < setup.faults.size(); ++i) {
    const FaultLabel& f = setup.faults[i];
    const bool active = m >= f.start && m < f.end;
    if (f.type == "budget_exhaustion" && active && !account_topped_up &&
        (m == f.start || t.minute_of_day() == 0)) {
      for (PlanId id : our_ids) {
        platform.ledger().CapToday(
            id, nominal_daily.Scale(f.magnitude / static_cast<double>(our_ids.size())));
      }
    }
    if (f.type == "competitor_price_cut" && (m == f.start || m == f.end) &&
        f.target.rfind("category:", 0) == 0) {
      // Competitors in the category cut their prices (and restore them afterwards).
      const std::string cat_name = f.target.substr(9);
      for (const Product& p : cat.products) {
        if (p.merchant == ours.merchant || cat.categories[p.category] != cat_name) continue;
        const Money price = m == f.start ? p.shelf_price.Scale(1.0 - f.magnitude) : p.shelf_price;
        world.SetPrice(p.id, price);
        platform.SetPrice(p.id, price);
      }
    }
    if (f.type == "budget_exhaustion" && m == f.end) {
      // The account is funded again: today's headroom goes back to what the budgets allow.
      for (PlanId id : our_ids) {
        platform.ledger().SetBudgets(id, platform.plan(id).total_budget,
                                     platform.plan(id).daily_budget);
      }
    }
    if (f.type == "competitor_budget_surge" && active != surge_on[i]) {
      surge_on[i] = active;
      const std::string cat_name = f.target.substr(f.target.find(':') + 1);
      for (const AdPlan& orig : original_plans) {
        if (is_ours(orig.id)) continue;
        bool hit = false;
        for (ProductId p : orig.products)
          hit |= cat.categories[cat.product(p).category] == cat_name;
        if (!hit) continue;
        AdPlan p = platform.plan(orig.id);
        p.bid = active ? orig.bid.Scale(f.magnitude) : orig.bid;
        p.daily_budget = active ? orig.daily_budget.Scale(f.magnitude) : orig.daily_budget;
        p.total_budget = active ? orig.total_budget.Scale(f.magnitude) : orig.total_budget;
        platform.UpdatePlan(p);
      }
    }
  }
}

double Loop::Impl::CompetitorPrice(ProductId p) {
  auto it = competing_products.find(p);
  if (it == competing_products.end()) {
    std::vector<ProductId> others;
    const Product& mine = cat.product(p);
    for (const Product& q : cat.products) {
      if (q.category == mine.category && q.merchant != mine.merchant) others.push_back(q.id);
    }
    it = competing_products.emplace(p, std::move(others)).first;
  }
  double low = 0;
  for (ProductId q : it->second) {
    const double price = platform.price(q).units();
    if (price > 0 && (low == 0 || price < low)) low = price;
  }
  return low;
}

// A tick of the live diagnosis of our plans: what the platform sees of them now, then any findings.
void Loop::Impl::Diagnose(SimMinute m) {
  std::vector<diagnosis::PlanState> states;
  for (PlanId id : our_ids) {
    const AdPlan& plan = platform.plan(id);
    if (plan.status == PlanStatus::kEnded) continue;
    diagnosis::PlanState s;
    s.plan = id;
    s.name = plan.name;
    s.spent_today = platform.ledger().spent_today(id).units();
    s.daily_budget = s.spent_today + platform.ledger().headroom(id).units();
    // Its own setting that bounds today: the daily budget, or the total without one.
    s.budget_setting =
        (plan.daily_budget.micros() > 0 ? plan.daily_budget : plan.total_budget).units();
    s.roi_target = plan.bid_type == BidType::kTargetRoi ? plan.target_roi : 0;
    for (ProductId p : plan.products) {
      s.products.push_back(
          {p, fmt::format("product {} ({})", p, cat.categories[cat.product(p).category]),
           platform.price(p).units(), CompetitorPrice(p)});
    }
    states.push_back(std::move(s));
  }
  const std::vector<diagnosis::JournalAuctions> auctions = diagnosis_feed->Flush();
  if (journal) journal->Tick(m, log->size(), auctions, states);
  for (diagnosis::LiveFinding& f : live_diagnosis->OnTick(m, states)) {
    DiagnosisNote n;
    n.minute = m - start;
    n.trigger = f.TriggerText();
    if (f.diagnosis.hypotheses.empty()) {
      n.cause = "unexplained";
    } else {
      const diagnosis::Hypothesis& h = f.diagnosis.hypotheses.front();
      n.cause = std::string(diagnosis::CauseName(h.cause));
      n.confidence = h.confidence;
      for (const diagnosis::Action& a : h.actions) {
        n.actions.push_back(diagnosis::DescribeAction(a, f.input, diagnosis::Lang::kEn));
      }
    }
    n.report_en = std::move(f.report_en);
    n.report_zh = std::move(f.report_zh);
    n.notice = f.notice;
    result.diagnoses.push_back(std::move(n));
    if (setup.apply_diagnosis_actions && !f.notice && !f.diagnosis.hypotheses.empty()) {
      for (const diagnosis::Action& a : f.diagnosis.hypotheses.front().actions) {
        std::string done = ApplySuggestion(m, a);
        if (!done.empty()) Act(m, "diagnosis suggestion applied: " + done);
      }
    }
  }
}

void Loop::Impl::SampleCreatives(uint32_t day) {
  const uint32_t first_day = start / kMinutesPerDay;
  for (ProductId p : our_products) {
    for (const CreativeView& v : platform.creatives(p)) {
      auto [it, added] = creative_rows.try_emplace(v.creative.id);
      CreativeRow& r = it->second;
      if (added) {
        r.creative = v.creative;
        r.product_name = cat.ProductName(p);
        r.creative.created_day =
            v.creative.created_day >= first_day ? v.creative.created_day - first_day : 0;
      }
      r.day_impressions.resize(day, 0);
      r.day_clicks.resize(day, 0);
      r.day_impressions.push_back(v.impressions - r.impressions);
      r.day_clicks.push_back(v.clicks - r.clicks);
      r.impressions = v.impressions;
      r.clicks = v.clicks;
      r.live = v.live;
    }
  }
}

std::string Loop::Impl::ApplySuggestion(SimMinute m, const diagnosis::Action& a) {
  if (!is_ours(a.plan)) return "";
  AdPlan plan = platform.plan(a.plan);
  switch (a.type) {
    case diagnosis::Action::Type::kRotateCreative:
      for (ProductId p : plan.products) {
        for (const CreativeView& v : platform.creatives(p)) {
          if (v.creative.id != a.target || !v.live) continue;
          try {
            platform.RotateCreatives(p, {a.target});
          } catch (const std::invalid_argument& e) {
            return fmt::format("rotating creative {} was refused: {}", a.target, e.what());
          }
          return fmt::format("creative {} of product {} rotated out for a fresh variant", a.target,
                             p);
        }
      }
      return "";
    case diagnosis::Action::Type::kCoupon: {
      const ProductId p = a.target;
      if (p >= cat.products.size()) return "";
      const Money value = platform.price(p).Scale(a.amount);
      const std::vector<UserId> users =
          TopAudience(platform.affinity(), spec.users().size(), cat.product(p).category, 5000);
      const SimMinute expires = m + static_cast<SimMinute>(std::max(1, a.days)) * kMinutesPerDay;
      IssueCoupons(m, p, value, expires, users);
      return fmt::format("a {:.0f}% coupon on product {} to {} users for {} days", 100 * a.amount,
                         p, users.size(), a.days);
    }
    case diagnosis::Action::Type::kRelaxRoiTarget: {
      if (plan.bid_type != BidType::kTargetRoi || plan.target_roi <= 0) return "";
      const double before = plan.target_roi;
      plan.target_roi *= 1 - a.amount;
      Apply(m, plan, {});
      return fmt::format("ROI target {:.2f} -> {:.2f}", before, plan.target_roi);
    }
    case diagnosis::Action::Type::kRaiseBudget: {
      const Money before = plan.daily_budget;
      plan.daily_budget = plan.daily_budget.Scale(1 + a.amount);
      Apply(m, plan, {});        // today's headroom follows the new budget (Platform::UpdatePlan)
      account_topped_up = true;  // and the account is funded for it: no more dry-account caps
      return fmt::format("daily budget {} -> {}, account topped up", before.ToString(),
                         plan.daily_budget.ToString());
    }
    case diagnosis::Action::Type::kCheckTracking:
      // A person checks the pixel/callback and has it fixed within the hour.
      if (tracking_fix_at == 0) tracking_fix_at = m + kMinutesPerHour;
      return "conversion tracking checked; fixed within the hour";
    case diagnosis::Action::Type::kMoveBudget:
      return "";  // plans have no per-channel budgets to move
  }
  return "";
}

void Loop::Impl::ServeSessions(SimMinute m) {
  world.SessionsAt(m, sessions);
  for (const Session& s : sessions) {
    QueryId qid = kNoId;
    if (s.channel == Channel::kSearch) {
      qid = (*setup.query_ids)[s.query];
      Event e;
      e.type = EventType::kSearch;
      e.minute = m;
      e.user = s.user;
      e.channel = s.channel;
      e.ref = qid;
      platform.LogEvent(e);
    }
    for (uint32_t slot = 0; slot < s.slots; ++slot) {
      if (slot < 64 && world.IsAdSlot(s, slot)) {
        Opportunity opp;
        opp.key = s.id * 64 + slot;
        opp.minute = m;
        opp.user = s.user;
        opp.channel = s.channel;
        opp.position = static_cast<uint8_t>(slot);
        opp.query = qid;
        AdDecision d;
        if (lp_tap) lp_tap->set_session_need(s.need);
        if (setup.decision_us) {
          const auto t0 = std::chrono::steady_clock::now();
          d = platform.Decide(opp);
          setup.decision_us->push_back(static_cast<float>(
              std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                  .count()));
        } else {
          d = platform.Decide(opp);
        }
        if (!d.shown) continue;
        AdExposure x;
        x.key = opp.key;
        x.minute = m;
        x.user = s.user;
        x.channel = s.channel;
        x.position = 0;  // one ad per slot: it is the top of its slot
        x.product = d.ad.ad.product;
        x.creative = d.creative;
        x.need = s.need;
        platform.Resolve(d, world.RespondToAd(x));
        continue;
      }
      const OrganicOutcome o = world.ServeOrganic(s, slot);
      if (o.product == kNoId) continue;
      ++result.organic_views;
      if (o.content != kNoId && o.content >= spec.contents().size()) {
        // A sponsored post: the platform knows which videos are paid posts.
        const size_t post = o.content - spec.contents().size();
        if (post_delivery.size() <= post) post_delivery.resize(post + 1);
        Loop::PostDelivery& pd = post_delivery[post];
        ++pd.views;
        pd.clicks += o.clicked;
        if (o.quantity > 0 && o.tracked) {
          ++pd.purchases;
          pd.gmv += o.paid;
        }
      }
      Event e;
      e.minute = m;
      e.user = s.user;
      e.channel = s.channel;
      e.product = o.product;
      e.ref = o.content;
      e.type = EventType::kOrganicView;
      platform.LogEvent(e);
      auto emit = [&](bool happened, EventType type) {
        if (!happened) return;
        e.type = type;
        platform.LogEvent(e);
      };
      emit(o.liked, EventType::kLike);
      emit(o.commented, EventType::kComment);
      emit(o.shared, EventType::kShare);
      emit(o.followed, EventType::kFollow);
      e.flags = kFlagOrganic;
      emit(o.clicked, EventType::kClick);
      emit(o.added_to_cart, EventType::kAddToCart);
      if (o.quantity > 0 && o.tracked) {
        e.type = EventType::kPurchase;
        e.quantity = o.quantity;
        e.money = o.paid.micros();
        if (o.coupon_used) e.flags |= kFlagCouponUsed;
        platform.LogEvent(e);
        result.organic_gmv += o.paid;
      }
    }
  }
}

void Loop::Impl::Step() {
  const SimMinute m = now;
  const SimTime t{m};
  // Plans added since the last minute (by merchants) show their creatives to the world.
  RegisterNewCreatives();
  if (!pilots.empty() && m > start && t.minute_of_day() % kStepMinutes == 0) StepPilots(m);
  if (t.minute_of_day() == 0) {
    KpiTotals o, mk;
    Totals(o, mk);
    if (m > start) {
      result.daily.push_back({(m - start) / kMinutesPerDay - 1, Diff(o, day_start)});
      SampleCreatives((m - start) / kMinutesPerDay - 1);
    }
    day_start = o;
    StartPilotDays(m);
  }
  if (t.minute_of_day() % 60 == 0 && m > start) {
    // Close the hour: record it and let our plans' decision makers look at the report.
    const HourPoint& hp = CloseHour(m);
    for (Piloted& pp : pilots) {
      AdPlan plan = platform.plan(pp.id);
      if (plan.status == PlanStatus::kEnded) continue;
      std::vector<std::string> notes = pp.pilot->Reallocate(platform.cell_delivery(pp.id), plan);
      Apply(m, plan, std::move(notes));
    }
    if (setup.policy == "media_buyer") MediaBuyerHour(m, hp);
  }
  // The live diagnosis looks at every tick of its monitor (15 minutes by default): a sharp move
  // is then told within the hour it began, not only after the next full hour.
  if (live_diagnosis && m > start &&
      t.minute_of_day() % setup.diagnosis_options.monitor.bucket_minutes == 0) {
    Diagnose(m);
  }
  if (t.minute_of_day() % 60 == 0 && m > start && on_hour) on_hour(m);
  if (t.minute_of_day() == 0) {
    if (m > start && setup.policy == "media_buyer") MediaBuyerDay(m);
    platform.StartDay(t.day());
    for (const CouponGrant& g : world.StartDay(t.day())) LogCoupon(m, g.user, g.product, g.value);
  }
  ApplyFaults(m);
  if (t.minute_of_day() % 60 == 0) platform.Upkeep(m);
  ServeSessions(m);
  if (setup.progress_minute) setup.progress_minute->store(m - start + 1, std::memory_order_relaxed);
  if (setup.progress_impressions && (m % 10 == 0)) {
    setup.progress_impressions->store(platform.opportunities(), std::memory_order_relaxed);
  }
  ++now;
}

Loop::Loop(const RunSetup& setup) {
  if (!setup.spec || !setup.history || !setup.query_ids) {
    throw std::invalid_argument("the loop needs a world spec, a history log and its query ids");
  }
  if (!setup.diagnosis_journal.empty() && (setup.event_log.empty() || !setup.diagnosis)) {
    throw std::invalid_argument(
        "a diagnosis journal needs the live diagnosis on and an event log file (the journal "
        "refers to the events in it)");
  }
  impl_ = std::make_unique<Impl>(setup);
}

Loop::~Loop() = default;

void Loop::Step() {
  if (done()) throw std::logic_error("Loop::Step after the end of the flight");
  impl_->Step();
}
bool Loop::done() const { return impl_->now >= impl_->end; }
SimMinute Loop::now() const { return impl_->now; }
SimMinute Loop::flight_start() const { return impl_->start; }
SimMinute Loop::flight_end() const { return impl_->end; }
Platform& Loop::platform() { return impl_->platform; }
const Platform& Loop::platform() const { return impl_->platform; }
const WorldSpec& Loop::spec() const { return impl_->spec; }
MerchantId Loop::our_merchant() const { return impl_->setup.our_plan.merchant; }
void Loop::IssueCoupons(ProductId p, Money value, SimMinute expires,
                        const std::vector<UserId>& users) {
  impl_->IssueCoupons(impl_->now, p, value, expires, users);
}

size_t Loop::OrderSponsoredPost(InfluencerId i, ProductId p, Money fee) {
  return impl_->world.OrderPost(i, p, our_merchant(), fee, impl_->now);
}

const std::vector<SponsoredPost>& Loop::sponsored_posts() const { return impl_->world.posts(); }
bool Loop::post_running(InfluencerId i) const { return impl_->world.PostRunning(i, impl_->now); }

Loop::PostDelivery Loop::post_delivery(size_t i) const {
  return i < impl_->post_delivery.size() ? impl_->post_delivery[i] : PostDelivery{};
}

void Loop::set_on_hour(std::function<void(SimMinute)> f) { impl_->on_hour = std::move(f); }
void Loop::set_plan_writer(PlanWriter f) { impl_->writer = std::move(f); }

PlanId Loop::AddSuperPlan(const SuperPlan& sp) {
  Impl& s = *impl_;
  const PlanId id = s.platform.AddPlan(sp.plan);
  s.MarkOurs(id);
  Impl::Piloted pp;
  pp.id = id;
  pp.pilot = std::make_unique<SuperPlanPilot>(sp);
  // The pilot's days turn at midnight like everyone's; its first day is the rest of today.
  pp.first_minute = s.now - s.now % kMinutesPerDay;
  pp.flight_days = std::max<uint32_t>(1, static_cast<uint32_t>(std::ceil(sp.request.flight_days)));
  pp.day_start_value = s.platform.realised_value(id);
  pp.pilot->StartDay(0, pp.flight_days, 0);
  s.pilots.push_back(std::move(pp));
  const Impl::Piloted& added = s.pilots.back();
  AdPlan plan = s.platform.plan(id);
  plan.autobid.alpha = added.pilot->alpha();
  s.platform.UpdatePlan(plan);
  return id;
}

void Loop::RetargetSuperPlan(PlanId id, double total_budget, double target) {
  for (auto& pp : impl_->pilots) {
    if (pp.id == id) pp.pilot->Retarget(total_budget, target);
  }
}

double Loop::pilot_alpha(PlanId id) const {
  for (const auto& pp : impl_->pilots)
    if (pp.id == id) return pp.pilot->alpha();
  return 0;
}
double Loop::pilot_today_budget(PlanId id) const {
  for (const auto& pp : impl_->pilots)
    if (pp.id == id) return pp.pilot->today_budget();
  return 0;
}

RunResult Loop::Finish() {
  Impl& s = *impl_;
  if (s.finished) throw std::logic_error("Loop::Finish called twice");
  if (!done()) throw std::logic_error("Loop::Finish before the end of the flight");
  s.finished = true;
  RunResult& result = s.result;
  s.CloseHour(s.end);
  s.Totals(result.ours, result.market);
  result.daily.push_back({s.spec.days() - 1, Diff(result.ours, s.day_start)});
  s.SampleCreatives(s.spec.days() - 1);
  const uint32_t first_day = s.start / kMinutesPerDay;
  for (const PoolEvent& e : s.platform.creative_events()) {
    auto it = s.creative_rows.find(e.creative);
    if (it == s.creative_rows.end()) continue;
    PoolEvent& x = it->second.events.emplace_back(e);
    x.day = e.day >= first_day ? e.day - first_day : 0;
  }
  for (auto& [id, row] : s.creative_rows) result.creatives.push_back(std::move(row));
  if (s.creative_meter) result.creative_regret = s.creative_meter->regret();
  for (const DayPoint& d : result.daily) {
    result.days_on_target += d.ours.spend.micros() == 0 || d.ours.roi() >= s.setup.goal_roi;
  }
  result.ours.budget = s.setup.our_plan.total_budget;
  for (const AdPlan& p : s.platform.plans()) {
    for (int c = 0; c < kNumChannels; ++c) {
      Add(result.market_by_channel[c], s.platform.stats(p.id).by_channel[c]);
      if (s.is_ours(p.id)) Add(result.ours_by_channel[c], s.platform.stats(p.id).by_channel[c]);
    }
    if (!s.is_ours(p.id)) continue;
    for (const auto& [prod, c] : s.platform.stats(p.id).by_product) {
      result.by_product.push_back({std::to_string(prod), c.spend, c.gmv, c.purchases});
    }
  }
  result.opportunities = s.platform.opportunities();
  result.coupons_issued = s.world.truth().coupons_issued;
  result.coupons_redeemed = s.world.truth().coupons_redeemed;
  result.sponsored_posts = s.world.posts().size();
  result.influencer_fees = s.world.truth().influencer_fees;
  s.log->Flush();
  if (s.tap) s.tap->Close();
  if (!s.setup.predictor_out.empty()) s.platform.SavePredictor(s.setup.predictor_out);
  if (s.lp_tap) {
    // The ROI constraint applies to the GMV objective; other objectives get the budget-only limit.
    const bool roi = s.setup.policy != "super_plan" || s.setup.objective == Objective::kMaxGmvRoi;
    result.lp_limit =
        s.lp_tap->Solve(s.setup.our_plan.total_budget.units(), roi ? s.setup.goal_roi : 0.0);
  }
  if (s.setup.inspect) s.setup.inspect(*s.log, s.platform);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.wall_start).count();
  return std::move(result);
}

}  // namespace cf
