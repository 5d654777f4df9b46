#include "sim/loop_runner.h"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "sim/evaluation_recorder.h"
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

}  // namespace

RunResult RunLoop(const RunSetup& setup) {
  if (!setup.spec || !setup.history || !setup.query_ids) {
    throw std::invalid_argument("RunLoop needs a world spec, a history log and its query ids");
  }
  const auto wall_start = std::chrono::steady_clock::now();
  const WorldSpec& spec = *setup.spec;
  const Catalogue& cat = spec.catalogue();
  RunResult result;
  result.name = setup.name;

  World world(spec, setup.faults);
  world.SetOurProducts(setup.our_plan.products);
  std::unique_ptr<EventLog> log;
  if (setup.event_log.empty()) {
    log = EventLog::InMemory(setup.history);
  } else {
    std::filesystem::remove(setup.event_log);  // a run's log starts empty
    log = EventLog::Open(setup.event_log, {}, setup.history);
  }
  Platform platform(cat, *log, spec.users().size(), setup.platform);
  platform.StartDay(spec.flight_start() / kMinutesPerDay);
  for (const AdPlan& p : setup.competitor_plans) platform.AddPlan(p);
  const uint32_t first_day = spec.flight_start() / kMinutesPerDay;

  MediaBuyer::Options bo;
  bo.goal_roi = setup.goal_roi;
  MediaBuyer buyer(bo);
  std::unique_ptr<SuperPlanPilot> pilot;
  AdPlan ours = setup.our_plan;
  ours.start_day = first_day;
  std::vector<PlanId> our_ids;
  const double budget_units = setup.our_plan.total_budget.units();
  if (setup.policy == "media_buyer") {
    result.policy_description =
        "competent media buyer: target-ROI plan starting at 90% of the goal ROI, adjusted by "
        "5-10% at most hourly from the last hours' ROI and pace (MARKET_FACTS.md)";
    ours.bid_type = BidType::kTargetRoi;
    ours.target_roi = buyer.InitialTarget();
    our_ids.push_back(platform.AddPlan(ours));
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
    our_ids.push_back(platform.AddPlan(sp.plan));
    ours = platform.plan(our_ids[0]);
    pilot = std::make_unique<SuperPlanPilot>(sp);
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
      our_ids.push_back(platform.AddPlan(one));
    }
    ours = platform.plan(our_ids[0]);
    ours.total_budget = setup.our_plan.total_budget;
    ours.daily_budget = setup.our_plan.daily_budget;
    result.actions.push_back(
        {0, fmt::format("Created {} single-product target-ROI plans at {:.2f}, {:.2f} each",
                        our_ids.size(), setup.goal_roi, budget_units / n)});
  } else {
    throw std::invalid_argument(
        fmt::format("unknown policy '{}'; use media_buyer, super_plan or uniform", setup.policy));
  }
  const PlanId our_id = our_ids[0];
  std::vector<bool> is_ours(platform.plans().size(), false);
  for (PlanId id : our_ids) is_ours[id] = true;
  const Money nominal_daily = ours.daily_budget.micros() > 0
                                  ? ours.daily_budget
                                  : Money::FromUnits(budget_units / spec.days());
  for (const Creative& c : platform.TakeNewCreatives()) world.RegisterCreative(c);
  platform.Warm(*setup.history);
  std::unique_ptr<EvaluationRecorder> tap;
  if (!setup.tap_file.empty()) {
    tap = std::make_unique<EvaluationRecorder>(world, setup.tap_file);
    platform.set_tap(tap.get());
  }

  // Competitor budget surges are applied to their plans on the platform; remember originals.
  const std::vector<AdPlan> original_plans = platform.plans();
  std::vector<bool> surge_on(setup.faults.size(), false);

  const SimMinute start = spec.flight_start();
  const SimMinute end = start + spec.days() * kMinutesPerDay;
  std::vector<Session> sessions;
  KpiTotals ours_before, market_before;
  KpiTotals day_start;         // our totals when the current day started
  double day_start_value = 0;  // our realised value (objective's units) then
  double curve_sum = 0;
  for (double c : spec.config().traffic.hourly_curve) curve_sum += c;

  auto totals = [&](KpiTotals& o, KpiTotals& mk) {
    o = KpiTotals{};
    mk = KpiTotals{};
    for (const AdPlan& p : platform.plans()) {
      Add(mk, platform.stats(p.id).total);
      if (is_ours[p.id]) Add(o, platform.stats(p.id).total);
    }
  };

  // Records the hour that ends at minute m (our and the market's deltas, and the pacing plan).
  auto close_hour = [&](SimMinute m) -> const HourPoint& {
    KpiTotals o, mk;
    totals(o, mk);
    HourPoint hp;
    hp.hour = (m - start) / 60 - 1;
    hp.ours = Diff(o, ours_before);
    hp.market = Diff(mk, market_before);
    const uint32_t prev_hour = (SimTime{m}.hour_of_day() + 23) % 24;
    const Money day_plan = pilot ? Money::FromUnits(pilot->today_budget()) : ours.daily_budget;
    hp.planned_spend = day_plan.Scale(spec.config().traffic.hourly_curve[prev_hour] / curve_sum);
    hp.alpha = pilot ? pilot->alpha() : 0.0;
    ours_before = o;
    market_before = mk;
    result.hourly.push_back(hp);
    return result.hourly.back();
  };

  for (SimMinute m = start; m < end; ++m) {
    const SimTime t{m};
    if (pilot && m > start && t.minute_of_day() % kStepMinutes == 0) {
      // Close the control step that just ended; the pilot sets alpha for the next one.
      const SimMinute last = m - 1;
      KpiTotals o, mk;
      totals(o, mk);
      double auctions = 0;
      std::vector<AuctionSample> samples = platform.TakeAutoSamples(our_id, &auctions);
      PilotStep ps;
      ps.day = (last - start) / kMinutesPerDay;
      ps.days_left = spec.days() - ps.day;
      ps.step = static_cast<int>((last % kMinutesPerDay) / kStepMinutes);
      ps.steps_per_day = kMinutesPerDay / kStepMinutes;
      ps.spent_total = o.spend.units();
      ps.spent_today = (o.spend - day_start.spend).units();
      ps.value_today = platform.realised_value(our_id) - day_start_value;
      ps.auctions = auctions;
      ps.samples = samples;
      AdPlan plan = platform.plan(our_id);
      pilot->Step(ps, plan);
      platform.UpdatePlan(plan);
    }
    if (t.minute_of_day() == 0) {
      KpiTotals o, mk;
      totals(o, mk);
      if (m > start) result.daily.push_back({(m - start) / kMinutesPerDay - 1, Diff(o, day_start)});
      day_start = o;
      if (pilot) {
        day_start_value = platform.realised_value(our_id);
        const uint32_t day = (m - start) / kMinutesPerDay;
        result.actions.push_back(
            {m - start, pilot->StartDay(day, spec.days() - day, o.spend.units())});
        AdPlan plan = platform.plan(our_id);
        plan.autobid.alpha = pilot->alpha();
        platform.UpdatePlan(plan);
      }
    }
    if (t.minute_of_day() % 60 == 0 && m > start) {
      // Close the hour: record it and let our plan's decision maker look at the report.
      const HourPoint& hp = close_hour(m);
      AdPlan plan = platform.plan(our_id);
      if (pilot) {
        for (std::string& a : pilot->Reallocate(platform.cell_delivery(our_id), plan))
          result.actions.push_back({m - start, std::move(a)});
      } else if (setup.policy == "media_buyer") {
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
        for (uint32_t h = 0; h < t.hour_of_day(); ++h)
          elapsed += spec.config().traffic.hourly_curve[h];
        rep.day_elapsed = t.hour_of_day() == 0 ? 1.0 : elapsed / curve_sum;
        for (std::string& a : buyer.OnHour(rep, plan))
          result.actions.push_back({m - start, std::move(a)});
      }
      platform.UpdatePlan(plan);
      ours = plan;
    }
    if (t.minute_of_day() == 0) {
      if (m > start && setup.policy == "media_buyer") {
        // The media buyer's daily review: pause losing products.
        std::vector<ProductReport> reports;
        for (const auto& [p, c] : platform.stats(our_id).by_product) {
          reports.push_back({p, c.clicks, c.purchases, c.spend, c.gmv});
        }
        AdPlan plan = platform.plan(our_id);
        auto acts = buyer.OnDay(reports, plan);
        if (!acts.empty()) {
          for (std::string& a : acts) result.actions.push_back({m - start, std::move(a)});
          platform.UpdatePlan(plan);
          ours = plan;
        }
      }
      platform.StartDay(t.day());
      for (const CouponGrant& g : world.StartDay(t.day())) {
        Event e;
        e.type = EventType::kCouponReceived;
        e.minute = m;
        e.user = g.user;
        e.product = g.product;
        e.money = g.value.micros();
        e.channel = Channel::kMall;
        platform.LogEvent(e);
      }
    }
    // Platform-side faults: budget exhaustion (our account runs dry) and competitor surges.
    for (size_t i = 0; i < setup.faults.size(); ++i) {
      const FaultLabel& f = setup.faults[i];
      const bool active = m >= f.start && m < f.end;
      if (f.type == "budget_exhaustion" && active && (m == f.start || t.minute_of_day() == 0)) {
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
          if (is_ours[orig.id]) continue;
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
    if (t.minute_of_day() % 60 == 0) platform.Upkeep(m);

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
    if (setup.progress_minute)
      setup.progress_minute->store(m - start + 1, std::memory_order_relaxed);
    if (setup.progress_impressions && (m % 10 == 0)) {
      setup.progress_impressions->store(platform.opportunities(), std::memory_order_relaxed);
    }
  }
  close_hour(end);
  totals(result.ours, result.market);
  result.daily.push_back({spec.days() - 1, Diff(result.ours, day_start)});
  for (const DayPoint& d : result.daily) {
    result.days_on_target += d.ours.spend.micros() == 0 || d.ours.roi() >= setup.goal_roi;
  }
  result.ours.budget = setup.our_plan.total_budget;
  for (const AdPlan& p : platform.plans()) {
    for (int c = 0; c < kNumChannels; ++c) {
      Add(result.market_by_channel[c], platform.stats(p.id).by_channel[c]);
      if (is_ours[p.id]) Add(result.ours_by_channel[c], platform.stats(p.id).by_channel[c]);
    }
    if (!is_ours[p.id]) continue;
    for (const auto& [prod, c] : platform.stats(p.id).by_product) {
      result.by_product.push_back({std::to_string(prod), c.spend, c.gmv, c.purchases});
    }
  }
  result.opportunities = platform.opportunities();
  result.coupons_issued = world.truth().coupons_issued;
  result.coupons_redeemed = world.truth().coupons_redeemed;
  result.sponsored_posts = world.posts().size();
  result.influencer_fees = world.truth().influencer_fees;
  log->Flush();
  if (tap) tap->Close();
  if (setup.inspect) setup.inspect(*log, platform);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace cf
