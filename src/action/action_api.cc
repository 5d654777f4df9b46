#include "action/action_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "action/action_args.h"
#include "action/action_catalogue.h"
#include "diagnosis/report.h"
#include "diagnosis/sub_agents.h"

namespace cf::action {
namespace {

using Json = nlohmann::json;

Json MetricsJson(const Metrics& m) {
  return {{"spend", Units(m.spend)},
          {"gmv", Units(m.gmv)},
          {"roi", Round2(m.roi())},
          {"impressions", m.impressions},
          {"clicks", m.clicks},
          {"purchases", m.purchases},
          {"ctr", m.impressions ? static_cast<double>(m.clicks) / m.impressions : 0.0},
          {"cvr", m.clicks ? static_cast<double>(m.purchases) / m.clicks : 0.0}};
}

// Argument readers: each names the field and what it should be.
void CheckKeys(const std::string& action, const Json& args, const ActionSpec* spec) {
  if (!args.is_object()) {
    throw ActionError::Invalid(
        fmt::format("{}: arguments must be a JSON object, got {}", action, args.type_name()));
  }
  const Json& props = spec->input_schema["properties"];
  for (const auto& [k, v] : args.items()) {
    if (!props.contains(k)) {
      std::vector<std::string> names;
      for (const auto& [n, _] : props.items()) names.push_back(n);
      throw ActionError::Invalid(fmt::format("{}: unknown argument '{}'; accepted: {}", action, k,
                                             fmt::join(names, ", ")));
    }
  }
  if (spec->input_schema.contains("required")) {
    for (const auto& r : spec->input_schema["required"]) {
      if (!args.contains(r.get<std::string>())) {
        throw ActionError::Invalid(
            fmt::format("{}: missing required argument '{}'", action, r.get<std::string>()));
      }
    }
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Arguments that identify the change (idempotency compares these; confirm/key excluded).
Json Essential(Json args) {
  args.erase("confirm");
  args.erase("idempotency_key");
  return args;
}

}  // namespace

ActionApi::ActionApi(Account& account, StateStore& store, Guardrails guardrails)
    : account_(account), store_(store), guardrails_(guardrails) {}

void ActionApi::AddAction(ActionSpec spec, ActionHandler handler) {
  for (const ActionSpec& s : Specs()) {
    if (s.name == spec.name) {
      throw std::invalid_argument(fmt::format("action '{}' already exists", spec.name));
    }
  }
  added_.emplace_back(std::move(spec), std::move(handler));
}

std::vector<ActionSpec> ActionApi::Specs() const {
  std::vector<ActionSpec> all = ActionSpecs();
  for (const auto& [spec, handler] : added_) all.push_back(spec);
  return all;
}

Json ActionApi::Call(const std::string& name, const Json& args, const CallContext& ctx) {
  for (const auto& [spec, handler] : added_) {
    if (spec.name != name) continue;
    const Json a = args.is_null() ? Json::object() : args;
    CheckKeys(name, a, &spec);
    return handler(a, ctx);
  }
  std::lock_guard<std::mutex> lock(mu_);
  return CallLocked(name, args, ctx);
}

Json ActionApi::CallLocked(const std::string& name, const Json& args, const CallContext& ctx) {
  if (!FindAction(name)) {
    std::vector<std::string> names;
    for (const ActionSpec& s : Specs()) names.push_back(s.name);
    throw ActionError::NotFound(
        fmt::format("unknown action '{}'; available: {}", name, fmt::join(names, ", ")));
  }
  const Json a = args.is_null() ? Json::object() : args;
  const ActionSpec& spec = *FindAction(name);
  CheckKeys(name, a, &spec);
  if (!spec.read_only && !ctx.replay && Confirmed(a)) {
    if (auto key = OptString(a, "idempotency_key")) {
      if (const AuditEntry* e = store_.FindByKey(*key)) {
        if (e->action != name || e->args != Essential(a)) {
          throw ActionError::Conflict(fmt::format(
              "idempotency key {} was already used for {} with other arguments; use a new key "
              "for a new change",
              Json(*key).dump(), e->action));
        }
        Json r = e->result;
        r["replayed"] = true;
        r["message"] =
            fmt::format("Already applied (audit entry {}); nothing changed now.", e->seq);
        return r;
      }
    }
  }
  return Dispatch(name, a, ctx);
}

Json ActionApi::Dispatch(const std::string& name, const Json& a, const CallContext& ctx) {
  if (name == "get_account_overview") return AccountOverview(a);
  if (name == "list_ad_plans") return ListPlans(a);
  if (name == "get_ad_plan") return GetPlan(a);
  if (name == "get_report") return Report(a);
  if (name == "get_bid_budget_suggestion") return Suggest(a);
  if (name == "diagnose_ad_plan") return Diagnose(a);
  if (name == "search_products") return SearchProducts(a);
  if (name == "list_changes") return ListChanges(a);
  if (name == "create_super_plan") return CreateSuperPlan(a, ctx);
  if (name == "update_ad_plan_status") return UpdateStatus(a, ctx);
  if (name == "update_ad_plan_budget") return UpdateBudget(a, ctx);
  if (name == "update_ad_plan_bid") return UpdateBid(a, ctx);
  if (name == "rotate_creatives") return RotateCreatives(a, ctx);
  if (name == "issue_coupon") return IssueCoupon(a, ctx);
  if (name == "search_influencers") return SearchInfluencers(a);
  if (name == "create_influencer_order") return OrderInfluencer(a, ctx);
  if (name == "list_influencer_orders") return ListInfluencerOrders(a);
  throw ActionError("internal", 500, fmt::format("action '{}' has no implementation", name));
}

std::vector<PlanId> ActionApi::PlansLocked() const {
  std::vector<PlanId> ids;
  for (const AdPlan& p : account_.platform().plans())
    if (p.merchant == account_.merchant()) ids.push_back(p.id);
  return ids;
}

void ActionApi::RecordHourLocked(SimMinute hour_end) {
  reports_.RecordHour(hour_end, account_.platform(), PlansLocked(),
                      [this](PlanId id) { return account_.PilotAlpha(id); });
}

void ActionApi::AutopilotUpdateLocked(SimMinute minute, const AdPlan& plan,
                                      const std::vector<std::string>& notes, bool audit) {
  const auto& plans = account_.platform().plans();
  if (plan.id >= plans.size() || plans[plan.id].merchant != account_.merchant()) {
    throw ActionError::NotFound(
        fmt::format("the autopilot changed plan {}, not of this account", plan.id));
  }
  const AdPlan& cur = plans[plan.id];
  if (cur.status == PlanStatus::kEnded) {
    throw ActionError::Precondition(
        fmt::format("plan {} has ended; the autopilot may not change it", plan.id));
  }
  if (plan.total_budget != cur.total_budget || plan.daily_budget != cur.daily_budget ||
      plan.status != cur.status || plan.products != cur.products ||
      plan.channels.bits != cur.channels.bits || plan.bid_type != cur.bid_type ||
      plan.merchant != cur.merchant) {
    throw ActionError::Guardrail(fmt::format(
        "the autopilot may change plan {}'s bids only, not its budgets, status, products or "
        "channels",
        plan.id));
  }
  const Json before = PlanSettings(cur);
  const double alpha_before = cur.autobid.alpha;
  account_.platform().UpdatePlan(plan);
  if (!audit || notes.empty()) return;
  AuditEntry e;
  e.sim_minute = minute;
  e.actor = "autopilot";
  e.action = "autopilot_adjust";
  e.plan = plan.id;
  e.args = {{"notes", notes}};
  e.before = before;
  e.after = PlanSettings(plan);
  if (plan.bid_type == BidType::kAuto) {
    e.before["alpha"] = alpha_before;
    e.after["alpha"] = plan.autobid.alpha;
  }
  e.result = {{"applied", true}};
  store_.Append(std::move(e));
}

const AdPlan& ActionApi::OwnPlan(const Json& a) {
  const int64_t id = *OptInt(a, "plan_id", 0, INT32_MAX);
  const auto& plans = account_.platform().plans();
  if (static_cast<size_t>(id) >= plans.size() || plans[id].merchant != account_.merchant()) {
    throw ActionError::NotFound(
        fmt::format("no ad plan {} in this account; list_ad_plans shows the account's plans", id));
  }
  return plans[id];
}

Json ActionApi::PlanSettings(const AdPlan& p) const {
  Json s = {{"status", PlanStatusName(p.status)},
            {"total_budget", Units(p.total_budget)},
            {"daily_budget", Units(p.daily_budget)}};
  switch (p.bid_type) {
    case BidType::kTargetRoi:
      s["target_roi"] = Round2(p.target_roi);
      break;
    case BidType::kAuto: {
      auto it = super_.find(p.id);
      if (it != super_.end()) {
        s["objective"] = ObjectiveName(it->second.objective);
        s[it->second.objective == Objective::kMaxConversionsCpa ? "target_cpa" : "target_roi"] =
            it->second.target;
      }
      break;
    }
    default:
      s["bid"] = Units(p.bid);
  }
  return s;
}

Json ActionApi::PlanView(const AdPlan& p, bool detail) const {
  const Platform& pf = account_.platform();
  Json v = {{"id", p.id},
            {"name", p.name},
            {"status", PlanStatusName(p.status)},
            {"bid_type", BidTypeName(p.bid_type)},
            {"total_budget", Units(p.total_budget)},
            {"daily_budget", Units(p.daily_budget)},
            {"spent_total", Units(pf.ledger().spent_total(p.id))},
            {"spent_today", Units(pf.ledger().spent_today(p.id))},
            {"metrics", MetricsJson(FromCounts(pf.stats(p.id).total))},
            {"autopilot", p.bid_type == BidType::kAuto}};
  const Json settings = PlanSettings(p);
  for (const char* k : {"objective", "target_roi", "target_cpa", "bid"})
    if (settings.contains(k)) v[k] = settings[k];
  if (p.bid_type == BidType::kAuto) v["alpha"] = account_.PilotAlpha(p.id);
  if (!detail) return v;
  const Catalogue& cat = account_.catalogue();
  Json products = Json::array();
  for (ProductId prod : p.products) {
    PlanCounts counts;
    for (const auto& [q, c] : pf.stats(p.id).by_product)
      if (q == prod) counts = c;
    products.push_back({{"id", prod},
                        {"name", cat.ProductName(prod)},
                        {"price", Units(cat.product(prod).shelf_price)},
                        {"metrics", MetricsJson(FromCounts(counts))}});
  }
  v["products"] = products;
  Json channels = Json::object();
  for (int c = 0; c < kNumChannels; ++c) {
    channels[std::string(ChannelName(static_cast<Channel>(c)))] =
        MetricsJson(FromCounts(pf.stats(p.id).by_channel[c]));
  }
  v["channels"] = channels;
  Json hours = Json::array();
  for (const HourRow* r : reports_.Recent(p.id, 24)) {
    Json h = MetricsJson(r->total);
    h["hour_end"] = SimTimeJson(r->hour_end, account_.flight_start());
    h["alpha"] = r->alpha;
    hours.push_back(h);
  }
  v["last_24h"] = hours;
  return v;
}

Json ActionApi::AccountOverview(const Json&) {
  const Platform& pf = account_.platform();
  Metrics flight;
  Money today_spend, budget;
  Json by_status = Json::object();
  for (PlanId id : PlansLocked()) {
    const AdPlan& p = pf.plan(id);
    flight.Add(FromCounts(pf.stats(id).total));
    today_spend += pf.ledger().spent_today(id);
    budget += p.total_budget;
    const std::string s(PlanStatusName(p.status));
    by_status[s] = by_status.value(s, 0) + 1;
  }
  // Today's results from the hourly reports plus nothing of the current hour (reports are hourly).
  const SimMinute now = account_.now();
  ReportQuery q;
  q.from = now - now % kMinutesPerDay;
  q.granularity = Granularity::kTotal;
  Metrics today;
  for (const ReportRow& r : reports_.Query(q)) today.Add(r.m);
  Json t = MetricsJson(today);
  t["spend_so_far"] = Units(today_spend);
  Json f = MetricsJson(flight);
  f["budget"] = Units(budget);
  return {{"merchant", account_.catalogue().merchants.at(account_.merchant()).name},
          {"merchant_id", account_.merchant()},
          {"sim_time", SimTimeJson(now, account_.flight_start())},
          {"today", t},
          {"flight", f},
          {"plans", {{"count", PlansLocked().size()}, {"by_status", by_status}}},
          {"currency", "USD"}};
}

Json ActionApi::ListPlans(const Json& a) {
  const auto status = OptString(a, "status");
  const int64_t limit = OptInt(a, "limit", 1, 200).value_or(50);
  int64_t after = -1;
  if (auto c = OptString(a, "cursor")) {
    try {
      size_t used = 0;
      after = std::stoll(*c, &used);
      if (used != c->size() || after < 0) throw std::invalid_argument(*c);
    } catch (const std::exception&) {
      throw ActionError::Invalid(fmt::format(
          "'cursor' {} is not a cursor this server issued; pass next_cursor from the previous "
          "page, or omit it for the first page",
          Json(*c).dump()));
    }
  }
  Json plans = Json::array();
  std::optional<PlanId> last;
  bool more = false;
  for (PlanId id : PlansLocked()) {
    if (static_cast<int64_t>(id) <= after) continue;
    const AdPlan& p = account_.platform().plan(id);
    if (status && PlanStatusName(p.status) != *status) continue;
    if (static_cast<int64_t>(plans.size()) == limit) {
      more = true;
      break;
    }
    plans.push_back(PlanView(p, false));
    last = id;
  }
  Json out = {{"plans", plans}};
  if (more && last) out["next_cursor"] = std::to_string(*last);
  return out;
}

Json ActionApi::GetPlan(const Json& a) { return PlanView(OwnPlan(a), true); }

Json ActionApi::Report(const Json& a) {
  ReportQuery q;
  if (a.contains("plan_ids")) {
    if (!a["plan_ids"].is_array()) throw ActionError::Invalid("'plan_ids' must be an array");
    for (const Json& id : a["plan_ids"]) {
      q.plans.push_back(static_cast<PlanId>(OwnPlan(Json{{"plan_id", id}}).id));
    }
  } else {
    q.plans = PlansLocked();
    if (q.plans.empty()) return {{"rows", Json::array()}, {"currency", "USD"}};
  }
  const SimMinute start = account_.flight_start();
  const auto from_day = OptInt(a, "from_day", 0, 100000);
  const auto to_day = OptInt(a, "to_day", 0, 100000);
  if (from_day && to_day && *to_day < *from_day) {
    throw ActionError::Invalid(
        fmt::format("'to_day' ({}) is before 'from_day' ({})", *to_day, *from_day));
  }
  if (from_day) q.from = start + static_cast<SimMinute>(*from_day) * kMinutesPerDay;
  if (to_day) q.to = start + static_cast<SimMinute>(*to_day + 1) * kMinutesPerDay;
  const std::string g = OptString(a, "granularity").value_or("day");
  const std::string d = OptString(a, "dimension").value_or("none");
  if (g == "hour") {
    q.granularity = Granularity::kHour;
  } else if (g == "day") {
    q.granularity = Granularity::kDay;
  } else if (g == "total") {
    q.granularity = Granularity::kTotal;
  } else {
    throw ActionError::Invalid(
        fmt::format("'granularity' must be hour, day or total, got '{}'", g));
  }
  if (d == "none") {
    q.dimension = Dimension::kNone;
  } else if (d == "channel") {
    q.dimension = Dimension::kChannel;
  } else if (d == "product") {
    q.dimension = Dimension::kProduct;
  } else {
    throw ActionError::Invalid(
        fmt::format("'dimension' must be none, channel or product, got '{}'", d));
  }
  Json rows = Json::array();
  for (const ReportRow& r : reports_.Query(q)) {
    Json row = MetricsJson(r.m);
    if (q.granularity != Granularity::kTotal)
      row["period_start"] = SimTimeJson(r.period_start, start);
    if (!r.key.empty()) row[d] = r.key;
    if (q.granularity == Granularity::kHour) row["alpha"] = r.alpha;
    rows.push_back(row);
  }
  return {{"rows", rows}, {"granularity", g}, {"dimension", d}, {"currency", "USD"}};
}

Json ActionApi::Suggest(const Json& a) {
  const AdPlan& p = OwnPlan(a);
  Metrics day;
  for (const HourRow* r : reports_.Recent(p.id, 24)) day.Add(r->total);
  const Json settings = PlanSettings(p);
  Json suggestions = Json::array();
  Json observed = MetricsJson(day);
  observed["hours"] = reports_.Recent(p.id, 24).size();
  const double target = settings.value("target_roi", 0.0);
  const double daily =
      p.daily_budget.units() > 0
          ? p.daily_budget.units()
          : p.total_budget.units() /
                std::max<uint32_t>(1, super_.count(p.id) ? super_.at(p.id).flight_days : 7);
  observed["daily_budget_used"] = daily > 0 ? Round2(day.spend.units() / daily) : 0.0;
  auto suggest = [&](std::string kind, std::string reason, std::string tool, Json args) {
    args["plan_id"] = p.id;
    args["confirm"] = true;
    suggestions.push_back(
        {{"kind", kind}, {"reason", reason}, {"action", {{"name", tool}, {"arguments", args}}}});
  };
  if (p.status == PlanStatus::kEnded) {
    return {{"plan_id", p.id}, {"observed", observed}, {"suggestions", suggestions}};
  }
  if (p.status == PlanStatus::kPaused) {
    suggest("status", "The plan is paused; resume it to deliver again.", "update_ad_plan_status",
            {{"status", "active"}});
  }
  if (reports_.Recent(p.id, 24).size() >= 6 && day.spend.micros() > 0 && target > 0) {
    const double roi = day.roi();
    const double used = daily > 0 ? day.spend.units() / daily : 0;
    if (roi >= target * 1.15 && used >= 0.9) {
      const double grow = std::min(guardrails_.max_budget_change_per_call, 0.2);
      suggest("budget",
              fmt::format("ROI {:.2f} is {:.0f}% above the goal {:.2f} and the daily budget is "
                          "{:.0f}% used: more budget should buy more GMV at the goal.",
                          roi, 100 * (roi / target - 1), target, 100 * used),
              "update_ad_plan_budget",
              {{"total_budget", Round2(p.total_budget.units() * (1 + grow))}});
    } else if (roi >= target * 1.15 && used < 0.7) {
      suggest("goal",
              fmt::format("ROI {:.2f} is well above the goal {:.2f} but only {:.0f}% of the daily "
                          "budget is spent: a goal 10% lower wins more auctions.",
                          roi, target, 100 * used),
              "update_ad_plan_bid", {{"target_roi", Round2(target * 0.9)}});
    } else if (roi < target * 0.85) {
      suggest("goal",
              fmt::format("ROI {:.2f} is {:.0f}% below the goal {:.2f}: a goal 10% higher bids "
                          "less for weak traffic.",
                          roi, 100 * (1 - roi / target), target),
              "update_ad_plan_bid", {{"target_roi", Round2(target * 1.1)}});
    }
  }
  return {{"plan_id", p.id}, {"observed", observed}, {"suggestions", suggestions}};
}

namespace {

diagnosis::KpiCounts Counts(const Metrics& m) {
  diagnosis::KpiCounts k;
  k.impressions = static_cast<double>(m.impressions);
  k.clicks = static_cast<double>(m.clicks);
  k.purchases = static_cast<double>(m.purchases);
  k.spend = m.spend.units();
  k.gmv = m.gmv.units();
  return k;
}

Json CountsJson(const diagnosis::KpiCounts& k) {
  return {{"impressions", k.impressions}, {"clicks", k.clicks},
          {"purchases", k.purchases},     {"spend", Round2(k.spend)},
          {"gmv", Round2(k.gmv)},         {"roi", k.spend > 0 ? Round2(k.gmv / k.spend) : 0.0}};
}

}  // namespace

Json ActionApi::Diagnose(const Json& a) {
  const AdPlan& p = OwnPlan(a);
  diagnosis::Lang lang = diagnosis::Lang::kEn;
  if (auto l = OptString(a, "language")) {
    if (*l != "en" && *l != "zh") {
      throw ActionError::Invalid(
          fmt::format("'language' must be en or zh, got {}", Json(*l).dump()));
    }
    lang = diagnosis::ParseLang(*l);
  }
  // Up to a week more than the two windows: the creatives' usual ageing and the products' CVR
  // reference read the days before them, as the live watch does.
  const auto history = reports_.Recent(p.id, 48 + 7 * 24);
  const std::vector<const HourRow*> rows(history.end() - std::min<size_t>(history.size(), 48),
                                         history.end());
  if (rows.size() < 4) {
    throw ActionError::Precondition(fmt::format(
        "plan {} has {} hour(s) of delivery reports; a diagnosis needs at least 4 (it compares the "
        "last hours with those before); try again later",
        p.id, rows.size()));
  }
  // Two windows of equal length: the earlier half is the reference.
  const size_t half = rows.size() / 2;
  const size_t first = rows.size() - 2 * half;
  diagnosis::DiagnosisInput in;
  in.plan = p.id;
  in.plan_name = p.name;
  in.window_hours = static_cast<double>(half);
  const Catalogue& cat = account_.catalogue();
  std::map<ProductId, std::pair<Metrics, Metrics>> by_product;
  std::map<CreativeId, diagnosis::CreativeWindow> by_creative;
  Metrics after_total;
  for (size_t i = first; i < rows.size(); ++i) {
    const bool after = i >= first + half;
    for (int c = 0; c < kNumChannels; ++c) {
      (after ? in.channel_after : in.channel_before)[c] += Counts(rows[i]->by_channel[c]);
    }
    for (const auto& [prod, m] : rows[i]->by_product) {
      (after ? by_product[prod].second : by_product[prod].first).Add(m);
    }
    if (after) after_total.Add(rows[i]->total);
    for (const CreativeHour& c : rows[i]->by_creative) {
      auto [it, fresh] = by_creative.try_emplace(c.creative);
      diagnosis::CreativeWindow& w = it->second;
      if (fresh) {
        w.creative = c.creative;
        w.name = fmt::format("#{} ({})", c.creative, cat.ProductName(c.product));
        w.exposures_before = static_cast<double>(c.exposures - c.impressions);
        w.exposures_after = w.exposures_before;
      }
      diagnosis::KpiCounts& k = after ? w.after : w.before;
      k.impressions += static_cast<double>(c.impressions);
      k.clicks += static_cast<double>(c.clicks);
      if (!after) w.exposures_after = static_cast<double>(c.exposures);
    }
  }
  // The history before the windows, by the minute each hour began: [from, to) sums.
  const SimMinute seen_from = history.front()->hour_end - kMinutesPerHour;
  const SimMinute after_from = rows[first + half]->hour_end - kMinutesPerHour;
  const SimMinute end = rows.back()->hour_end;
  auto each_hour = [&](SimMinute from, SimMinute to, const auto& add) {
    for (const HourRow* r : history) {
      const SimMinute start = r->hour_end - kMinutesPerHour;
      if (start >= from && start < to) add(*r);
    }
  };
  // Creatives: the 24 hours ending where the before window ends and the 24 before those.
  if (after_from >= seen_from + 2 * kMinutesPerDay) {
    for (auto& [id, w] : by_creative) {
      for (int d = 0; d < 2; ++d) {
        diagnosis::KpiCounts& k = d == 0 ? w.day_before : w.day_earlier;
        const SimMinute to = after_from - static_cast<SimMinute>(d) * kMinutesPerDay;
        each_hour(to - kMinutesPerDay, to, [&, id = id](const HourRow& r) {
          for (const CreativeHour& c : r.by_creative) {
            if (c.creative != id) continue;
            k.impressions += static_cast<double>(c.impressions);
            k.clicks += static_cast<double>(c.clicks);
          }
        });
      }
    }
  }
  for (auto& [id, w] : by_creative) in.creatives.push_back(std::move(w));
  for (const auto& [prod, w] : by_product) {
    diagnosis::ProductWindow pw;
    pw.product = prod;
    pw.name = cat.ProductName(prod);
    pw.before = Counts(w.first);
    pw.after = Counts(w.second);
    pw.own_price = cat.product(prod).shelf_price.units();
    // The after window's hours on each day before, up to a week, as far as reported.
    for (int d = 1; d <= 7; ++d) {
      const SimMinute back = static_cast<SimMinute>(d) * kMinutesPerDay;
      if (after_from < seen_from + back) break;
      Metrics ref;
      each_hour(after_from - back, end - back, [&, prod = prod](const HourRow& r) {
        for (const auto& [q, m] : r.by_product) {
          if (q == prod) ref.Add(m);
        }
      });
      pw.reference += Counts(ref);
      pw.reference_days = d;
    }
    in.products.push_back(pw);
  }
  // Budget: the daily budget (or the flight's daily share), how much of it the window spent and
  // the hour of the last day it ran out.
  const uint32_t days = super_.count(p.id) ? super_.at(p.id).flight_days : 0;
  in.daily_budget = p.daily_budget.units() > 0 ? p.daily_budget.units()
                    : days > 0                 ? p.total_budget.units() / days
                                               : 0;
  if (in.daily_budget > 0) {
    in.budget_spent_share =
        after_total.spend.units() * 24.0 / std::max(1.0, in.window_hours) / in.daily_budget;
    double day_spend = 0;
    for (size_t i = first + half; i < rows.size(); ++i) {
      const SimMinute start = rows[i]->hour_end - kMinutesPerHour;
      if (start % kMinutesPerDay == 0) day_spend = 0;
      day_spend += rows[i]->total.spend.units();
      if (day_spend >= 0.98 * in.daily_budget) {
        in.budget_exhausted_hour = static_cast<double>((start % kMinutesPerDay) / 60 + 1);
        break;
      }
    }
  }
  const Json settings = PlanSettings(p);
  in.roi_target = settings.value("target_roi", 0.0);
  const diagnosis::Diagnosis d = diagnosis::Coordinate(in);
  auto evidence_of = [&](const diagnosis::Hypothesis& h) {
    Json evidence = Json::array();
    for (const diagnosis::Evidence& e : h.evidence)
      evidence.push_back(lang == diagnosis::Lang::kZh ? e.zh : e.en);
    return evidence;
  };
  // Weak leads are described like causes, without actions: nothing should be done on them.
  Json leads = Json::array();
  for (const diagnosis::Hypothesis& h : d.leads) {
    leads.push_back({{"cause", diagnosis::CauseName(h.cause)},
                     {"confidence", Round2(h.confidence)},
                     {"evidence", evidence_of(h)}});
  }
  Json causes = Json::array();
  for (const diagnosis::Hypothesis& h : d.hypotheses) {
    Json actions = Json::array();
    for (const diagnosis::Action& act : h.actions) {
      Json j = {{"type", diagnosis::ActionName(act.type)},
                {"description", diagnosis::DescribeAction(act, in, lang)},
                {"expected_roi_change", act.expected_roi_change}};
      // The actions this API can perform come as ready-to-apply calls.
      if (act.type == diagnosis::Action::Type::kRaiseBudget) {
        const double share =
            std::min(act.amount > 0 ? act.amount : 0.2, guardrails_.max_budget_change_per_call);
        j["action"] = {{"name", "update_ad_plan_budget"},
                       {"arguments",
                        {{"plan_id", p.id},
                         {"total_budget", Round2(p.total_budget.units() * (1 + share))},
                         {"confirm", true}}}};
      } else if (act.type == diagnosis::Action::Type::kRotateCreative && act.target != kNoId) {
        for (ProductId prod : p.products) {
          for (const CreativeView& v : account_.platform().creatives(prod)) {
            if (v.creative.id != act.target || !v.live) continue;
            j["action"] = {
                {"name", "rotate_creatives"},
                {"arguments",
                 {{"product_id", prod}, {"pause_creative_ids", {act.target}}, {"confirm", true}}}};
          }
        }
      } else if (act.type == diagnosis::Action::Type::kCoupon && act.target != kNoId &&
                 act.target < cat.products.size() &&
                 cat.product(act.target).merchant == account_.merchant()) {
        j["action"] = {{"name", "issue_coupon"},
                       {"arguments",
                        {{"product_id", act.target},
                         {"discount", Round2(std::clamp(act.amount > 0 ? act.amount : 0.1, 0.01,
                                                        guardrails_.max_coupon_discount))},
                         {"days", std::clamp<int64_t>(act.days > 0 ? act.days : 7, 1,
                                                      guardrails_.max_coupon_days)},
                         {"confirm", true}}}};
      } else if (act.type == diagnosis::Action::Type::kRelaxRoiTarget && in.roi_target > 0) {
        const double share = act.amount > 0 ? act.amount : 0.1;
        j["action"] = {{"name", "update_ad_plan_bid"},
                       {"arguments",
                        {{"plan_id", p.id},
                         {"target_roi", Round2(in.roi_target * (1 - share))},
                         {"confirm", true}}}};
      }
      actions.push_back(j);
    }
    causes.push_back({{"cause", diagnosis::CauseName(h.cause)},
                      {"confidence", Round2(h.confidence)},
                      {"evidence", evidence_of(h)},
                      {"actions", actions}});
  }
  return {
      {"plan_id", p.id},
      {"window_hours", half},
      {"history_hours", history.size() - rows.size()},
      {"before", CountsJson(in.TotalBefore())},
      {"after", CountsJson(in.TotalAfter())},
      {"roi_change", {{"before", Round2(d.roi.roi_before)}, {"after", Round2(d.roi.roi_after)}}},
      {"causes", causes},
      {"leads", leads},
      {"report", diagnosis::RenderReport(d, in, lang)}};
}

Json ActionApi::SearchProducts(const Json& a) {
  const std::string query = Lower(OptString(a, "query").value_or(""));
  const int64_t limit = OptInt(a, "limit", 1, 200).value_or(20);
  const Catalogue& cat = account_.catalogue();
  Json out = Json::array();
  for (ProductId id : cat.merchants.at(account_.merchant()).products) {
    const Product& p = cat.product(id);
    const std::string name = cat.ProductName(id);
    if (!query.empty() && Lower(name).find(query) == std::string::npos &&
        Lower(cat.categories[p.category]).find(query) == std::string::npos &&
        std::to_string(id) != query) {
      continue;
    }
    out.push_back({{"id", id},
                   {"name", name},
                   {"category", cat.categories[p.category]},
                   {"price", Units(p.shelf_price)},
                   {"margin", Round2(cat.Margin(id))}});
    if (static_cast<int64_t>(out.size()) == limit) break;
  }
  return {{"products", out}};
}

Json ActionApi::ListChanges(const Json& a) {
  const auto plan = OptInt(a, "plan_id", 0, INT32_MAX);
  const int64_t limit = OptInt(a, "limit", 1, 500).value_or(50);
  Json out = Json::array();
  const auto& entries = store_.entries();
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (plan && it->plan != *plan) continue;
    out.push_back({{"seq", it->seq},
                   {"wall_time", it->wall_time},
                   {"sim_time", SimTimeJson(it->sim_minute, account_.flight_start())},
                   {"actor", it->actor},
                   {"action", it->action},
                   {"plan_id", it->plan},
                   {"args", it->args},
                   {"before", it->before},
                   {"after", it->after}});
    if (static_cast<int64_t>(out.size()) == limit) break;
  }
  return {{"changes", out}};
}

Json ActionApi::Write(const std::string& action, const Json& args, const CallContext& ctx,
                      int64_t plan, const Json& before, const Json& after,
                      const std::function<Json()>& apply) {
  const bool confirm = Confirmed(args);
  if (!confirm && !ctx.replay) {
    return {{"dry_run", true},
            {"applied", false},
            {"before", before},
            {"after", after},
            {"message", "Dry run: nothing changed. Call again with confirm: true to apply."}};
  }
  AuditEntry e;
  e.sim_minute = ctx.replay ? ctx.replay_minute : account_.now();
  e.actor = ctx.actor;
  e.action = action;
  e.plan = plan;
  e.idempotency_key = OptString(args, "idempotency_key").value_or("");
  e.args = Essential(args);
  e.before = before;
  e.after = after;
  Json result = apply();
  e.plan = result.value("plan_id", plan);
  result["dry_run"] = false;
  result["applied"] = true;
  result["before"] = before;
  result["after"] = after;
  if (!ctx.replay) {
    e.result = result;
    result["audit_seq"] = store_.Append(std::move(e)).seq;
  }
  return result;
}

Json ActionApi::CreateSuperPlan(const Json& a, const CallContext& ctx) {
  const Catalogue& cat = account_.catalogue();
  SuperPlanRequest r;
  r.merchant = account_.merchant();
  r.total_budget = *OptNumber(a, "budget", true);
  r.objective = Objective::kMaxGmvRoi;
  if (auto o = OptString(a, "objective")) {
    auto parsed = ParseObjective(*o);
    if (!parsed) {
      throw ActionError::Invalid(fmt::format(
          "'objective' {} is not one of gmv_roi, conversions_cpa, profit, business_efficiency",
          Json(*o).dump()));
    }
    r.objective = *parsed;
  }
  const auto target = OptNumber(a, "target", true);
  if (!target && r.objective != Objective::kMaxProfit) {
    throw ActionError::Invalid(
        fmt::format("objective {} needs a 'target' ({}); profit is the only objective without one",
                    ObjectiveName(r.objective),
                    r.objective == Objective::kMaxConversionsCpa ? "the CPA to stay under"
                                                                 : "the ROI to reach"));
  }
  r.target = target.value_or(0);
  if (!a["products"].is_array())
    throw ActionError::Invalid("'products' must be an array of product ids");
  for (const Json& p : a["products"]) {
    if (!p.is_number_integer() || p.get<int64_t>() < 0) {
      throw ActionError::Invalid(fmt::format("'products' holds {}, not a product id", p.dump()));
    }
    const auto id = p.get<int64_t>();
    if (static_cast<size_t>(id) >= cat.products.size() ||
        cat.product(static_cast<ProductId>(id)).merchant != account_.merchant()) {
      throw ActionError::Invalid(fmt::format(
          "product {} is not one of this merchant's products; search_products lists them", id));
    }
    if (std::find(r.products.begin(), r.products.end(), static_cast<ProductId>(id)) !=
        r.products.end()) {
      throw ActionError::Invalid(fmt::format("product {} is listed twice", id));
    }
    r.products.push_back(static_cast<ProductId>(id));
  }
  if (r.products.size() > guardrails_.max_products) {
    throw ActionError::Guardrail(fmt::format("{} products; a super plan takes at most {}",
                                             r.products.size(), guardrails_.max_products));
  }
  r.flight_days =
      static_cast<double>(OptInt(a, "flight_days", 1, guardrails_.max_flight_days).value_or(7));
  if (r.total_budget < guardrails_.min_plan_budget ||
      r.total_budget > guardrails_.max_plan_budget) {
    throw ActionError::Guardrail(
        fmt::format("a budget of {:.2f} is outside this account's limits [{:.2f}, {:.2f}]",
                    r.total_budget, guardrails_.min_plan_budget, guardrails_.max_plan_budget));
  }
  const SimMinute now = ctx.replay ? ctx.replay_minute : account_.now();
  r.start_day = now / kMinutesPerDay;
  r.name = OptString(a, "name").value_or(
      fmt::format("{} super plan {}", cat.merchants.at(r.merchant).name, PlansLocked().size() + 1));
  if (std::string err = ValidateSuperPlan(r, cat); !err.empty()) throw ActionError::Invalid(err);
  const SuperPlan sp = CompileSuperPlan(r, cat);
  const Json after = {{"name", r.name},
                      {"objective", ObjectiveName(r.objective)},
                      {"target", r.target},
                      {"total_budget", Round2(r.total_budget)},
                      {"daily_budget", Units(sp.plan.daily_budget)},
                      {"flight_days", static_cast<int>(r.flight_days)},
                      {"products", r.products},
                      {"cells", sp.cells.size()}};
  return Write("create_super_plan", a, ctx, -1, nullptr, after, [&]() -> Json {
    const PlanId id = account_.AddSuperPlan(sp);
    super_[id] = {r.objective, r.target, static_cast<uint32_t>(r.flight_days)};
    return {{"plan_id", id},
            {"plan", PlanView(account_.platform().plan(id), false)},
            {"message", fmt::format("Created super plan {} '{}': {} cells, the autopilot steers it "
                                    "from the next 5-minute step.",
                                    id, r.name, sp.cells.size())}};
  });
}

Json ActionApi::UpdateStatus(const Json& a, const CallContext& ctx) {
  const AdPlan& p = OwnPlan(a);
  const std::string status = *OptString(a, "status");
  PlanStatus to;
  if (status == "active") {
    to = PlanStatus::kActive;
  } else if (status == "paused") {
    to = PlanStatus::kPaused;
  } else if (status == "ended") {
    to = PlanStatus::kEnded;
  } else {
    throw ActionError::Invalid(
        fmt::format("'status' must be active, paused or ended, got {}", Json(status).dump()));
  }
  if (p.status == PlanStatus::kEnded) {
    throw ActionError::Precondition(fmt::format(
        "plan {} '{}' has ended and cannot be changed; create a new plan", p.id, p.name));
  }
  const PlanId id = p.id;
  const Json before = {{"status", PlanStatusName(p.status)}};
  const Json after = {{"status", status}};
  return Write("update_ad_plan_status", a, ctx, id, before, after, [&]() -> Json {
    AdPlan plan = account_.platform().plan(id);
    plan.status = to;
    account_.platform().UpdatePlan(plan);
    return {{"plan_id", id},
            {"plan", PlanView(account_.platform().plan(id), false)},
            {"message", fmt::format("Plan {} is now {}.", id, status)}};
  });
}

double ActionApi::BudgetChangedToday(PlanId id, SimMinute now) const {
  const SimMinute day_start = now - now % kMinutesPerDay;
  double moved = 0;
  for (const AuditEntry& e : store_.entries()) {
    if (e.plan != static_cast<int64_t>(id) || e.action != "update_ad_plan_budget" ||
        e.sim_minute < day_start) {
      continue;
    }
    moved += std::abs(e.after.value("total_budget", 0.0) - e.before.value("total_budget", 0.0));
  }
  return moved;
}

Json ActionApi::UpdateBudget(const Json& a, const CallContext& ctx) {
  const AdPlan& p = OwnPlan(a);
  const auto total = OptNumber(a, "total_budget", true);
  const auto daily = OptNumber(a, "daily_budget", false);
  if (!total && !daily) {
    throw ActionError::Invalid("give 'total_budget', 'daily_budget' or both");
  }
  if (p.status == PlanStatus::kEnded) {
    throw ActionError::Precondition(fmt::format(
        "plan {} '{}' has ended and cannot be changed; create a new plan", p.id, p.name));
  }
  const double old_total = p.total_budget.units();
  const double new_total = total.value_or(old_total);
  const double spent = account_.platform().ledger().spent_total(p.id).units();
  if (new_total < spent) {
    throw ActionError::Invalid(fmt::format(
        "a total budget of {:.2f} is below the {:.2f} already spent; set at least {:.2f}, or pause "
        "the plan to stop spending",
        new_total, spent, Round2(spent + 0.005)));
  }
  if (new_total < guardrails_.min_plan_budget || new_total > guardrails_.max_plan_budget) {
    throw ActionError::Guardrail(
        fmt::format("a total budget of {:.2f} is outside this account's limits [{:.2f}, {:.2f}]",
                    new_total, guardrails_.min_plan_budget, guardrails_.max_plan_budget));
  }
  const double change = std::abs(new_total - old_total);
  const double per_call = guardrails_.max_budget_change_per_call * old_total;
  if (change > per_call + 1e-9) {
    throw ActionError::Guardrail(fmt::format(
        "changing the total budget from {:.2f} to {:.2f} moves it by {:.0f}%; one call may move it "
        "by at most {:.0f}% ({:.2f}); make a smaller change",
        old_total, new_total, 100 * change / old_total,
        100 * guardrails_.max_budget_change_per_call, per_call));
  }
  const SimMinute now = ctx.replay ? ctx.replay_minute : account_.now();
  const double moved_today = BudgetChangedToday(p.id, now);
  const double per_day = guardrails_.max_budget_change_per_day * old_total;
  if (!ctx.replay && moved_today + change > per_day + 1e-9) {
    throw ActionError::Guardrail(fmt::format(
        "the total budget already moved by {:.2f} today; another {:.2f} would exceed the daily "
        "limit of {:.0f}% ({:.2f}); wait for tomorrow (simulated) or make a smaller change",
        moved_today, change, 100 * guardrails_.max_budget_change_per_day, per_day));
  }
  if (daily && *daily > 0 && *daily > new_total) {
    throw ActionError::Invalid(fmt::format(
        "a daily budget of {:.2f} is above the total budget {:.2f}", *daily, new_total));
  }
  const PlanId id = p.id;
  const Json before = {{"total_budget", Units(p.total_budget)},
                       {"daily_budget", Units(p.daily_budget)}};
  Json after = before;
  after["total_budget"] = Round2(new_total);
  if (daily) after["daily_budget"] = Round2(*daily);
  return Write("update_ad_plan_budget", a, ctx, id, before, after, [&]() -> Json {
    AdPlan plan = account_.platform().plan(id);
    plan.total_budget = Money::FromUnits(new_total);
    if (daily) plan.daily_budget = Money::FromUnits(*daily);
    account_.platform().UpdatePlan(plan);
    if (plan.bid_type == BidType::kAuto && super_.count(id)) {
      account_.RetargetSuperPlan(id, new_total, super_.at(id).target);
    }
    return {
        {"plan_id", id},
        {"plan", PlanView(account_.platform().plan(id), false)},
        {"message", fmt::format("Plan {} budget: total {:.2f}{}.", id, new_total,
                                daily ? fmt::format(", daily {:.2f}", *daily) : std::string())}};
  });
}

Json ActionApi::UpdateBid(const Json& a, const CallContext& ctx) {
  const AdPlan& p = OwnPlan(a);
  if (p.status == PlanStatus::kEnded) {
    throw ActionError::Precondition(fmt::format(
        "plan {} '{}' has ended and cannot be changed; create a new plan", p.id, p.name));
  }
  const auto roi = OptNumber(a, "target_roi", true);
  const auto cpa = OptNumber(a, "target_cpa", true);
  const auto bid = OptNumber(a, "bid", true);
  if ((roi ? 1 : 0) + (cpa ? 1 : 0) + (bid ? 1 : 0) != 1) {
    throw ActionError::Invalid("give exactly one of 'target_roi', 'target_cpa' or 'bid'");
  }
  const PlanId id = p.id;
  const Json before = PlanSettings(p);
  Json after = before;
  std::function<void(AdPlan&)> change;
  if (p.bid_type == BidType::kTargetRoi) {
    if (!roi)
      throw ActionError::Invalid(
          fmt::format("plan {} bids for a target ROI; set 'target_roi'", id));
    after["target_roi"] = *roi;
    change = [r = *roi](AdPlan& x) { x.target_roi = r; };
  } else if (p.bid_type == BidType::kAuto) {
    if (!super_.count(id))
      throw ActionError::Precondition(
          fmt::format("plan {} is not steered by this server's autopilot", id));
    const SuperInfo& si = super_.at(id);
    const bool is_cpa = si.objective == Objective::kMaxConversionsCpa;
    if (si.objective == Objective::kMaxProfit) {
      throw ActionError::Precondition(
          fmt::format("plan {} maximises profit and has no goal to change", id));
    }
    if ((is_cpa && !cpa) || (!is_cpa && !roi)) {
      throw ActionError::Invalid(fmt::format("plan {} has objective {}; set '{}'", id,
                                             ObjectiveName(si.objective),
                                             is_cpa ? "target_cpa" : "target_roi"));
    }
    const double t = is_cpa ? *cpa : *roi;
    after[is_cpa ? "target_cpa" : "target_roi"] = t;
    change = [this, id, t](AdPlan& x) {
      super_.at(id).target = t;
      account_.RetargetSuperPlan(id, x.total_budget.units(), t);
    };
  } else {
    if (!bid) {
      throw ActionError::Invalid(
          fmt::format("plan {} bids {} by hand; set 'bid'", id, BidTypeName(p.bid_type)));
    }
    after["bid"] = *bid;
    change = [b = *bid](AdPlan& x) { x.bid = Money::FromUnits(b); };
  }
  return Write("update_ad_plan_bid", a, ctx, id, before, after, [&]() -> Json {
    AdPlan plan = account_.platform().plan(id);
    change(plan);
    account_.platform().UpdatePlan(plan);
    return {{"plan_id", id},
            {"plan", PlanView(account_.platform().plan(id), false)},
            {"message", fmt::format("Plan {} bid settings updated.", id)}};
  });
}

}  // namespace cf::action
