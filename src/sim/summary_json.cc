#include "sim/summary_json.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <stdexcept>
#include <system_error>

#include "common/atomic_file.h"
#include "common/channel.h"
#include "common/sim_clock.h"

namespace cf {

// ---- Shared helpers ----

double MoneyToCents(Money m) {
  const int64_t micros = m.micros();
  constexpr int64_t kMicrosPerCent = Money::kMicrosPerUnit / 100;
  // Work on the magnitude as unsigned so that the most negative amount cannot overflow.
  const uint64_t mag =
      micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  const uint64_t cents = (mag + kMicrosPerCent / 2) / kMicrosPerCent;
  const double units = static_cast<double>(cents) / 100.0;
  return micros < 0 ? -units : units;
}

double RoundTo(double v, int decimals) {
  if (!std::isfinite(v)) return 0.0;
  const double scale = std::pow(10.0, decimals);
  const double r = std::round(v * scale) / scale;
  if (!std::isfinite(r)) return v;  // too large to scale: already far beyond the precision asked
  return r + 0.0;                   // turns -0 into +0
}

std::string FormatGrouped(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  std::string s = fmt::format("{:.{}f}", v, std::max(decimals, 0));
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.erase(0, 1);
  if (s.find_first_not_of("0.") == std::string::npos) negative = false;  // "-0.00" -> "0.00"
  const size_t dot = s.find('.');
  const size_t int_len = dot == std::string::npos ? s.size() : dot;
  std::string out;
  out.reserve(s.size() + int_len / 3 + 1);
  if (negative) out.push_back('-');
  for (size_t i = 0; i < int_len; ++i) {
    if (i > 0 && (int_len - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  out.append(s, int_len, std::string::npos);
  return out;
}

std::string FormatMoney(Money m) { return FormatGrouped(MoneyToCents(m), 2); }

std::string FormatCount(uint64_t n) { return FormatGrouped(static_cast<double>(n), 0); }

std::string FormatPercent(double ratio, int decimals) {
  if (!std::isfinite(ratio)) return "n/a";
  return FormatGrouped(ratio * 100.0, decimals) + "%";
}

std::vector<const RunResult*> RunsInDisplayOrder(const SimSummary& summary) {
  std::vector<const RunResult*> out;
  for (const char* preferred : {"manual", "autopilot"}) {
    auto it = summary.runs.find(preferred);
    if (it != summary.runs.end()) out.push_back(&it->second);
  }
  for (const auto& [name, run] : summary.runs) {
    if (name != "manual" && name != "autopilot") out.push_back(&run);
  }
  return out;
}

// ---- summary.json ----

namespace {

nlohmann::json KpiToJson(const KpiTotals& k) {
  return {
      {"budget", MoneyToCents(k.budget)}, {"spend", MoneyToCents(k.spend)},
      {"impressions", k.impressions},     {"clicks", k.clicks},
      {"purchases", k.purchases},         {"gmv", MoneyToCents(k.gmv)},
      {"roi", RoundTo(k.roi(), 4)},       {"ctr", RoundTo(k.ctr(), 4)},
      {"cvr", RoundTo(k.cvr(), 4)},
  };
}

// Six significant digits: calibration facts range from tiny rates to large amounts.
double RoundSignificant(double v, int digits) {
  if (!std::isfinite(v) || v == 0.0) return 0.0;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  return RoundTo(v, std::max(0, digits - 1 - magnitude));
}

nlohmann::json RunToJson(const RunResult& run) {
  nlohmann::json by_channel = nlohmann::json::object();
  for (Channel c : kAllChannels) {
    const auto i = static_cast<size_t>(c);
    by_channel[std::string(ChannelName(c))] = {{"ours", KpiToJson(run.ours_by_channel[i])},
                                               {"market", KpiToJson(run.market_by_channel[i])}};
  }
  nlohmann::json actions = nlohmann::json::array();
  for (const PlanAction& a : run.actions) {
    actions.push_back(
        {{"minute", a.minute}, {"time", SimTime{a.minute}.ToString()}, {"text", a.text}});
  }
  nlohmann::json diagnoses = nlohmann::json::array();
  for (const DiagnosisNote& d : run.diagnoses) {
    diagnoses.push_back({{"minute", d.minute},
                         {"time", SimTime{d.minute}.ToString()},
                         {"trigger", d.trigger},
                         {"kind", d.notice ? "notice" : "alarm"},
                         {"cause", d.cause},
                         {"confidence", RoundSignificant(d.confidence, 3)},
                         {"actions", d.actions},
                         {"report", d.report_en},
                         {"report_zh", d.report_zh}});
  }
  nlohmann::json daily = nlohmann::json::array();
  for (const DayPoint& d : run.daily) {
    nlohmann::json k = KpiToJson(d.ours);
    k.erase("budget");
    k["day"] = d.day;
    daily.push_back(std::move(k));
  }
  nlohmann::json alpha = nlohmann::json::array();
  for (const HourPoint& h : run.hourly) alpha.push_back(RoundSignificant(h.alpha, 4));
  nlohmann::json by_product = nlohmann::json::array();
  for (const AllocationRow& r : run.by_product) {
    by_product.push_back({{"product", r.key},
                          {"spend", MoneyToCents(r.spend)},
                          {"gmv", MoneyToCents(r.gmv)},
                          {"purchases", r.purchases}});
  }
  nlohmann::json creatives = nlohmann::json::array();
  for (const CreativeRow& r : run.creatives) {
    nlohmann::json events = nlohmann::json::array();
    for (const PoolEvent& e : r.events) {
      nlohmann::json j = {{"day", e.day}, {"what", e.what}};
      if (e.what == "paused" || e.what == "rotated") {
        j["early_ctr"] = RoundSignificant(e.verdict.early_ctr, 4);
        j["recent_ctr"] = RoundSignificant(e.verdict.recent_ctr, 4);
        j["z"] = RoundTo(e.verdict.z, 2);
        j["exposures"] = e.verdict.exposures;
      }
      events.push_back(std::move(j));
    }
    const Creative& c = r.creative;
    creatives.push_back(
        {{"id", c.id},
         {"product", c.product},
         {"product_name", r.product_name},
         {"hook", HookStyleName(c.hook)},
         {"scene", SceneName(c.scene)},
         {"template", r.media.template_name.empty() ? c.template_name : r.media.template_name},
         {"hook_text", r.media.hook_text.empty() ? c.hook_text : r.media.hook_text},
         {"voice", c.voice},
         {"lang", c.lang},
         {"created_day", c.created_day},
         {"live", r.live},
         {"impressions", r.impressions},
         {"clicks", r.clicks},
         {"ctr", RoundTo(r.ctr(), 4)},
         {"day_impressions", r.day_impressions},
         {"day_clicks", r.day_clicks},
         {"events", std::move(events)},
         {"thumbnail", r.media.thumbnail},
         {"script", r.media.script}});
  }
  return {
      {"policy", run.policy_description},
      {"ours", KpiToJson(run.ours)},
      {"days_on_target", run.days_on_target},
      {"daily", std::move(daily)},
      {"alpha_by_hour", std::move(alpha)},
      {"by_product", std::move(by_product)},
      {"market", KpiToJson(run.market)},
      {"by_channel", std::move(by_channel)},
      {"opportunities", run.opportunities},
      {"organic_views", run.organic_views},
      {"organic_gmv", MoneyToCents(run.organic_gmv)},
      {"actions", std::move(actions)},
      {"diagnoses", std::move(diagnoses)},
      {"creatives", std::move(creatives)},
      {"lp_limit",
       {{"measured", run.lp_limit.measured},
        {"gmv", RoundTo(run.lp_limit.value, 2)},
        {"cost", RoundTo(run.lp_limit.cost, 2)},
        {"expected_gmv", RoundTo(run.lp_limit.won_value, 2)},
        {"expected_cost", RoundTo(run.lp_limit.won_cost, 2)},
        {"fraction", RoundTo(run.lp_limit.fraction(), 4)}}},
      {"creative_regret",
       {{"impressions", run.creative_regret.impressions},
        {"single", run.creative_regret.single},
        {"chosen_clicks", RoundTo(run.creative_regret.chosen_clicks, 2)},
        {"best_clicks", RoundTo(run.creative_regret.best_clicks, 2)},
        {"regret", RoundTo(run.creative_regret.regret(), 4)}}},
  };
}

}  // namespace

nlohmann::json SummaryToJson(const SimSummary& s) {
  nlohmann::json runs = nlohmann::json::object();
  for (const auto& [name, run] : s.runs) runs[name] = RunToJson(run);
  nlohmann::json calibration = nlohmann::json::array();
  for (const CalibrationRow& row : s.calibration) {
    calibration.push_back({{"fact", row.fact},
                           {"target", row.target},
                           {"simulated", RoundSignificant(row.simulated, 6)},
                           {"unit", row.unit},
                           {"within", row.within}});
  }
  nlohmann::json out = {
      {"seed", s.seed},
      {"days", s.days},
      {"users", s.users},
      {"products", s.products},
      {"merchants", s.merchants},
      {"history_events", s.history_events},
      {"wall_seconds", RoundTo(s.wall_seconds, 3)},
      {"impressions_per_second", RoundTo(s.impressions_per_second, 1)},
      {"our_merchant", s.our_merchant},
      {"our_products", s.our_products},
      {"runs", std::move(runs)},
      {"calibration", std::move(calibration)},
      {"findings", s.findings},
  };
  // The learned insight's lift over the baseline insight: the autopilot with each, same traffic.
  const auto learned = s.runs.find("autopilot");
  const auto baseline = s.runs.find(kBaselineInsightRun);
  if (learned != s.runs.end() && baseline != s.runs.end()) {
    const RunResult& a = learned->second;
    const RunResult& b = baseline->second;
    auto ratio = [](double x, double base) {
      return base > 0 ? nlohmann::json(RoundSignificant(x / base, 6)) : nlohmann::json(nullptr);
    };
    out["insight_lift"] = {
        {"runs", {"autopilot", kBaselineInsightRun}},
        {"ours_gmv", ratio(a.ours.gmv.units(), b.ours.gmv.units())},
        {"ours_roi", ratio(a.ours.roi(), b.ours.roi())},
        {"ours_ctr", ratio(a.ours.ctr(), b.ours.ctr())},
        {"market_ad_gmv", ratio(a.market.gmv.units(), b.market.gmv.units())},
        {"market_ad_ctr", ratio(a.market.ctr(), b.market.ctr())},
        {"market_ad_cvr", ratio(a.market.cvr(), b.market.cvr())},
    };
  }
  return out;
}

void WriteSummaryJson(const SimSummary& summary, const std::filesystem::path& path) {
  // Invalid UTF-8 in a string is replaced rather than thrown: the summary must always be written.
  std::string text =
      SummaryToJson(summary).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  WriteFileAtomic(path, text);
}

// ---- Terminal table ----

std::string FormatRunTable(const SimSummary& summary) {
  const std::vector<const RunResult*> runs = RunsInDisplayOrder(summary);
  if (runs.empty()) return "(no runs)\n";

  size_t width = 14;
  for (const RunResult* r : runs) width = std::max(width, r->name.size() + 2);
  constexpr size_t kLabelWidth = 16;

  std::string out;
  auto row = [&](std::string_view label, auto&& cell) {
    out += fmt::format("  {:<{}}", label, kLabelWidth - 2);
    for (const RunResult* r : runs) out += fmt::format("{:>{}}", cell(*r), width);
    out += '\n';
  };
  auto section = [&](std::string_view title, auto&& kpi, bool with_budget) {
    out += fmt::format("{}\n", title);
    if (with_budget) row("budget", [&](const RunResult& r) { return FormatMoney(kpi(r).budget); });
    row("spend", [&](const RunResult& r) { return FormatMoney(kpi(r).spend); });
    row("impressions", [&](const RunResult& r) { return FormatCount(kpi(r).impressions); });
    row("clicks", [&](const RunResult& r) { return FormatCount(kpi(r).clicks); });
    row("CTR", [&](const RunResult& r) { return FormatPercent(kpi(r).ctr()); });
    row("purchases", [&](const RunResult& r) { return FormatCount(kpi(r).purchases); });
    row("CVR", [&](const RunResult& r) { return FormatPercent(kpi(r).cvr()); });
    row("GMV", [&](const RunResult& r) { return FormatMoney(kpi(r).gmv); });
    row("ROI", [&](const RunResult& r) { return FormatGrouped(kpi(r).roi(), 2); });
  };
  const bool any_limit = std::any_of(runs.begin(), runs.end(),
                                     [](const RunResult* r) { return r->lp_limit.measured; });

  out += fmt::format("{:<{}}", "", kLabelWidth);
  for (const RunResult* r : runs) out += fmt::format("{:>{}}", r->name, width);
  out += '\n';
  section(
      "ours", [](const RunResult& r) -> const KpiTotals& { return r.ours; }, true);
  row("days on target",
      [](const RunResult& r) { return fmt::format("{}/{}", r.days_on_target, r.daily.size()); });
  if (any_limit) {
    row("of LP limit", [](const RunResult& r) {
      return r.lp_limit.value > 0 ? FormatPercent(r.lp_limit.fraction()) : std::string("n/a");
    });
  }
  section(
      "market (all advertisers)", [](const RunResult& r) -> const KpiTotals& { return r.market; },
      false);
  out += "policies\n";
  for (const RunResult* r : runs) out += fmt::format("  {}: {}\n", r->name, r->policy_description);
  return out;
}

}  // namespace cf
