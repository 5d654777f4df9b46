#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/report_creatives.h"
#include "sim/report_html.h"
#include "sim/run_result.h"
#include "sim/summary_json.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

Money M(double units) { return Money::FromUnits(units); }

KpiTotals Kpi(double budget, double spend, uint64_t impressions, uint64_t clicks,
              uint64_t purchases, double gmv) {
  KpiTotals k;
  k.budget = M(budget);
  k.spend = M(spend);
  k.impressions = impressions;
  k.clicks = clicks;
  k.purchases = purchases;
  k.gmv = M(gmv);
  return k;
}

// The first bytes of a PNG of w x h pixels (signature and header chunk): what the report reads.
std::string TinyPng(uint32_t w, uint32_t h) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (uint32_t v : {w, h}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      png.push_back(static_cast<char>(v >> shift & 0xff));
  }
  return png + std::string("\x08\x02\0\0\0", 5);
}

// A run with 48 hourly points whose totals are the sums of the hours. `scale` varies the outcome.
RunResult MakeRun(const std::string& name, double scale) {
  RunResult r;
  r.name = name;
  r.policy_description = "baseline: bid 1.20 on every channel";
  for (uint32_t h = 0; h < 48; ++h) {
    HourPoint p;
    p.hour = h;
    const bool night = h % 24 < 6;
    // Nights spend nothing: ROI by hour must show gaps, not NaN.
    const double spend = night ? 0.0 : 25.0 * scale;
    p.ours = Kpi(0, spend, night ? 0 : 400, night ? 0 : 6, night ? 0 : 1, night ? 0 : 70.0 * scale);
    p.market = Kpi(0, spend * 20, 8000 + 200 * (h % 24), 120, 4, 1500);
    p.planned_spend = M(night ? 5.0 : 20.0);
    r.hourly.push_back(p);
    r.ours.spend += p.ours.spend;
    r.ours.impressions += p.ours.impressions;
    r.ours.clicks += p.ours.clicks;
    r.ours.purchases += p.ours.purchases;
    r.ours.gmv += p.ours.gmv;
    r.market.spend += p.market.spend;
    r.market.impressions += p.market.impressions;
    r.market.clicks += p.market.clicks;
    r.market.purchases += p.market.purchases;
    r.market.gmv += p.market.gmv;
  }
  r.ours.budget = M(1000);
  for (size_t c = 0; c < kNumChannels; ++c) {
    r.ours_by_channel[c] = Kpi(0, 10.0 * (c + 1), 100 * (c + 1), 3 * (c + 1), c, 35.0 * c);
    r.market_by_channel[c] = Kpi(0, 200.0 * (c + 1), 5000, 75 + c, 3, 800);
  }
  for (uint32_t i = 0; i < 5; ++i) r.actions.push_back({i * 601, "action " + std::to_string(i)});
  r.diagnoses.push_back({3 * 1440 + 600,
                         "CVR of the plan fell 60%",
                         "tracking_outage",
                         0.81,
                         {"check the conversion tracking"},
                         "Plan X: ROI fell <fast> & hard.",
                         "计划 X：ROI 下降。"});
  // Two creatives of one product: one live all along, one paused on day 1 by the wear-out test.
  CreativeRow live;
  live.creative.id = 7;
  live.creative.product = 3;
  live.creative.hook = HookStyle::kPriceShock;
  live.creative.scene = Scene::kOutdoorCamping;
  live.live = true;
  live.day_impressions = {4000, 5000};
  live.day_clicks = {80, 90};
  live.impressions = 9000;
  live.clicks = 170;
  live.media = {.script = "creatives/a.script.json",
                .thumbnail = "creatives/a.png",
                .template_name = "outdoor_camping",
                .hook_text = "Only <$59> & today?"};
  live.thumbnail_png = TinyPng(90, 160);
  live.events.push_back({0, 7, 3, "added", {}});
  CreativeRow worn = live;
  worn.creative.id = 9;
  worn.creative.hook = HookStyle::kQuestion;
  worn.live = false;
  worn.day_impressions = {6000, 50};
  worn.day_clicks = {150, 0};
  worn.impressions = 6050;
  worn.clicks = 150;
  worn.media = {};
  worn.thumbnail_png.clear();
  worn.events.push_back({1, 9, 3, "paused", {true, true, 0.031, 0.017, -4.26, 6050}});
  r.creatives = {live, worn};
  r.creative_regret = {
      .impressions = 15000, .chosen_clicks = 270, .best_clicks = 300, .single = 50};
  r.opportunities = 500'000;
  r.organic_views = 12'345;
  r.organic_gmv = M(4321.09);
  r.wall_seconds = 1.5;
  return r;
}

SimSummary MakeSummary() {
  SimSummary s;
  s.seed = 42;
  s.days = 2;
  s.users = 10'000;
  s.products = 2'000;
  s.merchants = 150;
  s.history_events = 1'234'567;
  s.wall_seconds = 12.3456;
  s.impressions_per_second = 98765.4321;
  s.our_merchant = "M0007";
  s.our_products = {"P001", "P002"};
  s.runs["manual"] = MakeRun("manual", 1.0);
  s.runs["autopilot"] = MakeRun("autopilot", 1.1);
  s.runs["autopilot"].policy_description = "autopilot: shifts budget to the best channel";
  s.calibration.push_back({"feed CTR", "0.5%-2%", 1.4321, "%", true});
  s.calibration.push_back({"mean order value", "1.94 (data)", 2.5, "USD", false});
  s.findings.push_back("The autopilot moved budget from feed to search on day 1.");
  return s;
}

std::set<std::string> Keys(const nlohmann::json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

const std::set<std::string> kKpiKeys = {"budget", "spend", "impressions", "clicks", "purchases",
                                        "gmv",    "roi",   "ctr",         "cvr"};

TEST(SummaryJsonTest, HasExactlyTheDocumentedKeys) {
  const nlohmann::json j = SummaryToJson(MakeSummary());
  EXPECT_EQ(Keys(j), (std::set<std::string>{"seed", "days", "users", "products", "merchants",
                                            "history_events", "wall_seconds",
                                            "impressions_per_second", "our_merchant",
                                            "our_products", "runs", "calibration", "findings"}));
  EXPECT_EQ(Keys(j["runs"]), (std::set<std::string>{"manual", "autopilot"}));
  for (const auto& [name, run] : j["runs"].items()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(Keys(run),
              (std::set<std::string>{"policy", "ours", "market", "by_channel", "opportunities",
                                     "organic_views", "organic_gmv", "actions", "days_on_target",
                                     "daily", "alpha_by_hour", "by_product", "diagnoses",
                                     "creatives", "creative_regret", "lp_limit"}));
    EXPECT_EQ(Keys(run["lp_limit"]),
              (std::set<std::string>{"measured", "gmv", "cost", "expected_gmv", "expected_cost",
                                     "fraction"}));
    EXPECT_EQ(
        Keys(run["creative_regret"]),
        (std::set<std::string>{"impressions", "single", "chosen_clicks", "best_clicks", "regret"}));
    EXPECT_EQ(Keys(run["ours"]), kKpiKeys);
    EXPECT_EQ(Keys(run["market"]), kKpiKeys);
    EXPECT_EQ(Keys(run["by_channel"]), (std::set<std::string>{"feed", "live", "search", "mall"}));
    for (const auto& [channel, both] : run["by_channel"].items()) {
      EXPECT_EQ(Keys(both), (std::set<std::string>{"ours", "market"}));
      EXPECT_EQ(Keys(both["ours"]), kKpiKeys);
      EXPECT_EQ(Keys(both["market"]), kKpiKeys);
    }
    ASSERT_EQ(run["actions"].size(), 5u);
    EXPECT_EQ(Keys(run["actions"][0]), (std::set<std::string>{"minute", "time", "text"}));
    ASSERT_EQ(run["diagnoses"].size(), 1u);
    const nlohmann::json& d = run["diagnoses"][0];
    EXPECT_EQ(Keys(d), (std::set<std::string>{"minute", "time", "trigger", "kind", "cause",
                                              "confidence", "actions", "report", "report_zh"}));
    EXPECT_EQ(d["time"], "day 3 10:00");
    EXPECT_EQ(d["kind"], "alarm");
    EXPECT_EQ(d["cause"], "tracking_outage");
    EXPECT_DOUBLE_EQ(d["confidence"].get<double>(), 0.81);
    EXPECT_EQ(d["actions"][0], "check the conversion tracking");
  }
  const nlohmann::json& cr = j["runs"]["manual"]["creatives"];
  ASSERT_EQ(cr.size(), 2u);
  EXPECT_EQ(Keys(cr[0]),
            (std::set<std::string>{"id", "product", "product_name", "hook", "scene", "template",
                                   "hook_text", "voice", "lang", "created_day", "live",
                                   "impressions", "clicks", "ctr", "day_impressions", "day_clicks",
                                   "events", "thumbnail", "script"}));
  EXPECT_EQ(cr[0]["thumbnail"], "creatives/a.png");
  EXPECT_EQ(cr[0]["template"], "outdoor_camping");
  EXPECT_EQ(cr[0]["hook"], "price_shock");
  EXPECT_EQ(cr[0]["day_clicks"], nlohmann::json({80, 90}));
  EXPECT_EQ(Keys(cr[0]["events"][0]), (std::set<std::string>{"day", "what"}));
  ASSERT_EQ(cr[1]["events"].size(), 2u);
  const nlohmann::json& paused = cr[1]["events"][1];
  EXPECT_EQ(Keys(paused),
            (std::set<std::string>{"day", "what", "early_ctr", "recent_ctr", "z", "exposures"}));
  EXPECT_EQ(paused["what"], "paused");
  EXPECT_DOUBLE_EQ(paused["z"].get<double>(), -4.26);
  EXPECT_EQ(cr[1]["live"], false);
  EXPECT_EQ(cr[1]["thumbnail"], "");
  ASSERT_EQ(j["calibration"].size(), 2u);
  EXPECT_EQ(Keys(j["calibration"][0]),
            (std::set<std::string>{"fact", "target", "simulated", "unit", "within"}));
}

TEST(SummaryJsonTest, ValuesAreInCurrencyUnitsAndRatiosAreDerived) {
  SimSummary s = MakeSummary();
  RunResult& manual = s.runs["manual"];
  manual.ours.spend = M(1234.5);
  manual.ours.gmv = M(3456.789);
  manual.ours.impressions = 30'000;
  manual.ours.clicks = 333;
  manual.ours.purchases = 11;
  manual.actions[2] = {2 * 1440 + 14 * 60 + 5, "raised the search bid to 1.50"};
  const nlohmann::json j = SummaryToJson(s);
  const nlohmann::json& ours = j["runs"]["manual"]["ours"];
  EXPECT_EQ(ours["spend"].get<double>(), 1234.5);
  EXPECT_NE(j.dump().find("\"spend\":1234.5}"), std::string::npos) << "money is a plain number";
  EXPECT_EQ(ours["gmv"].get<double>(), 3456.79);  // rounded to cents
  EXPECT_EQ(ours["budget"].get<double>(), 1000.0);
  EXPECT_EQ(ours["impressions"].get<uint64_t>(), 30'000u);
  EXPECT_NEAR(ours["roi"].get<double>(), 3456.789 / 1234.5, 5e-5);
  EXPECT_EQ(ours["roi"].get<double>(), 2.8002);
  EXPECT_EQ(ours["ctr"].get<double>(), 0.0111);  // 333 / 30000, 4 decimals
  EXPECT_EQ(ours["cvr"].get<double>(), 0.033);   // 11 / 333 = 0.03303 -> 0.0330
  EXPECT_EQ(j["runs"]["manual"]["organic_gmv"].get<double>(), 4321.09);
  EXPECT_EQ(j["runs"]["manual"]["opportunities"].get<uint64_t>(), 500'000u);
  EXPECT_EQ(j["runs"]["manual"]["policy"], "baseline: bid 1.20 on every channel");
  EXPECT_EQ(j["runs"]["manual"]["by_channel"]["search"]["ours"]["spend"].get<double>(), 30.0);
  const nlohmann::json& action = j["runs"]["manual"]["actions"][2];
  EXPECT_EQ(action["minute"].get<uint32_t>(), 2u * 1440 + 14 * 60 + 5);
  EXPECT_EQ(action["time"], "day 2 14:05");
  EXPECT_EQ(action["text"], "raised the search bid to 1.50");
  EXPECT_EQ(j["seed"].get<uint64_t>(), 42u);
  EXPECT_EQ(j["wall_seconds"].get<double>(), 12.346);
  EXPECT_EQ(j["our_products"], nlohmann::json({"P001", "P002"}));
  EXPECT_EQ(j["calibration"][0]["simulated"].get<double>(), 1.4321);
  EXPECT_EQ(j["calibration"][1]["within"], false);
  EXPECT_EQ(j["findings"][0], "The autopilot moved budget from feed to search on day 1.");
  EXPECT_FALSE(j.contains("hourly")) << "hourly series belong to the report only";
  EXPECT_FALSE(j["runs"]["manual"].contains("hourly"));
  EXPECT_EQ(j["runs"]["manual"]["lp_limit"]["measured"], false);
  EXPECT_EQ(j["runs"]["manual"]["lp_limit"]["fraction"].get<double>(), 0.0);
}

TEST(SummaryJsonTest, LpLimitShareIsExpectedGmvWonOverTheLimit) {
  SimSummary s = MakeSummary();
  RunResult& r = s.runs["autopilot"];
  r.lp_limit.measured = true;
  r.lp_limit.value = 2000.0;
  r.lp_limit.cost = 800.0;
  r.lp_limit.won_value = 1500.0;
  r.lp_limit.won_cost = 640.123;
  const nlohmann::json j = SummaryToJson(s)["runs"]["autopilot"]["lp_limit"];
  EXPECT_EQ(j["measured"], true);
  EXPECT_EQ(j["gmv"].get<double>(), 2000.0);
  EXPECT_EQ(j["expected_cost"].get<double>(), 640.12);
  EXPECT_EQ(j["fraction"].get<double>(), 0.75);
  // The table and the report show it for every run once any run measured it.
  EXPECT_NE(FormatRunTable(s).find("of LP limit"), std::string::npos);
  EXPECT_NE(FormatRunTable(s).find("75.00%"), std::string::npos);
  const std::string html = RenderReportHtml(s);
  EXPECT_NE(html.find("Share of the LP limit"), std::string::npos);
  EXPECT_NE(FormatRunTable(MakeSummary()).find("days on target"), std::string::npos);
  EXPECT_EQ(FormatRunTable(MakeSummary()).find("of LP limit"), std::string::npos);
}

TEST(SummaryJsonTest, RoundTripsThroughParse) {
  const nlohmann::json j = SummaryToJson(MakeSummary());
  const nlohmann::json back = nlohmann::json::parse(j.dump(2));
  EXPECT_EQ(back, j);
}

TEST(SummaryJsonTest, ZeroSpendGivesZeroRatiosAndNoNan) {
  SimSummary s = MakeSummary();
  RunResult& r = s.runs["autopilot"];
  r.ours = Kpi(1000, 0, 0, 0, 0, 0);
  r.market = KpiTotals{};
  for (auto& k : r.ours_by_channel) k = KpiTotals{};
  const nlohmann::json j = SummaryToJson(s);
  EXPECT_EQ(j["runs"]["autopilot"]["ours"]["roi"].get<double>(), 0.0);
  EXPECT_EQ(j["runs"]["autopilot"]["ours"]["ctr"].get<double>(), 0.0);
  EXPECT_EQ(j["runs"]["autopilot"]["ours"]["cvr"].get<double>(), 0.0);
  const std::string text = j.dump();
  EXPECT_EQ(text.find("null"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);
}

TEST(SummaryJsonTest, NonFiniteInputsBecomeZero) {
  SimSummary s = MakeSummary();
  s.wall_seconds = std::nan("");
  s.impressions_per_second = INFINITY;
  s.calibration[0].simulated = -INFINITY;
  const nlohmann::json j = SummaryToJson(s);
  EXPECT_EQ(j["wall_seconds"].get<double>(), 0.0);
  EXPECT_EQ(j["impressions_per_second"].get<double>(), 0.0);
  EXPECT_EQ(j["calibration"][0]["simulated"].get<double>(), 0.0);
  EXPECT_EQ(j.dump().find("null"), std::string::npos);
}

TEST(FormatTest, GroupsThousandsAndRounds) {
  EXPECT_EQ(FormatGrouped(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(FormatGrouped(999.5, 0), "1,000");
  EXPECT_EQ(FormatGrouped(-1234.5, 1), "-1,234.5");
  EXPECT_EQ(FormatGrouped(-0.001, 2), "0.00");
  EXPECT_EQ(FormatGrouped(12, 0), "12");
  EXPECT_EQ(FormatGrouped(std::nan(""), 2), "n/a");
  EXPECT_EQ(FormatMoney(M(9812.4)), "9,812.40");
  EXPECT_EQ(FormatMoney(M(-0.005)), "-0.01");
  EXPECT_EQ(FormatPercent(0.98124, 0), "98%");
  EXPECT_EQ(FormatPercent(0.0123), "1.23%");
  EXPECT_EQ(MoneyToCents(Money::Micros(1'234'565'000)), 1234.57);
  EXPECT_EQ(MoneyToCents(Money::Micros(-1'234'565'000)), -1234.57);
  EXPECT_EQ(RoundTo(-0.00001, 4), 0.0);
  EXPECT_FALSE(std::signbit(RoundTo(-0.00001, 4)));
}

TEST(RunTableTest, ListsRunsSideBySide) {
  const std::string table = FormatRunTable(MakeSummary());
  const size_t manual = table.find("manual");
  const size_t autopilot = table.find("autopilot");
  ASSERT_NE(manual, std::string::npos);
  ASSERT_NE(autopilot, std::string::npos);
  EXPECT_LT(manual, autopilot) << "manual comes first";
  for (const char* label : {"budget", "spend", "impressions", "clicks", "CTR", "purchases", "CVR",
                            "GMV", "ROI", "market"}) {
    EXPECT_NE(table.find(label), std::string::npos) << label;
  }
  EXPECT_NE(table.find("1,000.00"), std::string::npos);  // budget with separators
  EXPECT_EQ(table.find("nan"), std::string::npos);
}

// ---- report.html ----

bool HasNanOrInf(const std::string& html) {
  static const std::regex kBad(R"(\b(nan|inf|infinity)\b)", std::regex::icase);
  return std::regex_search(html, kBad);
}

TEST(ReportHtmlTest, IsSelfContainedWithChartsAndTables) {
  const std::string html = RenderReportHtml(MakeSummary());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("Chengfang run report"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_FALSE(HasNanOrInf(html));
  // Six charts: cumulative spend, ROI, GMV, CTR bars, CVR bars, market impressions.
  size_t charts = 0;
  for (size_t at = html.find("<svg class=\"chart\""); at != std::string::npos;
       at = html.find("<svg class=\"chart\"", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, 6u);
  EXPECT_NE(html.find("stroke-dasharray"), std::string::npos) << "plans are dashed";
  EXPECT_NE(html.find("<rect"), std::string::npos) << "bar charts";
  EXPECT_NE(html.find("What happened"), std::string::npos);
  EXPECT_NE(html.find("The autopilot moved budget from feed to search on day 1."),
            std::string::npos);
  EXPECT_NE(html.find("Calibration"), std::string::npos);
  EXPECT_NE(html.find("\u2717"), std::string::npos);
  EXPECT_NE(html.find("\u2713"), std::string::npos);
  EXPECT_NE(html.find("lang=\"zh-Hans\""), std::string::npos);
  EXPECT_NE(html.find("day 0 10:01"), std::string::npos) << "actions with simulated time";
  EXPECT_NE(html.find("Diagnoses, as they happened"), std::string::npos);
  EXPECT_NE(html.find("CVR of the plan fell 60%"), std::string::npos);
  EXPECT_NE(html.find("likely cause <b>tracking_outage</b>"), std::string::npos);
  EXPECT_NE(html.find("Plan X: ROI fell &lt;fast&gt; &amp; hard."), std::string::npos);
  EXPECT_NE(html.find("计划 X：ROI 下降。"), std::string::npos);
  EXPECT_NE(html.find("10,000 users"), std::string::npos) << "thousands separators";
  EXPECT_EQ(html.find("The two runs are identical"), std::string::npos);
  // Autopilot spent 1.1x manual and earned 1.1x GMV.
  EXPECT_NE(html.find("against 2.80 for the manual plan (+10.0% GMV)"), std::string::npos);
}

TEST(ReportHtmlTest, ShowsEachCreativeWithItsThumbnailCtrByDayAndPauseEvidence) {
  const std::string html = RenderReportHtml(MakeSummary());
  EXPECT_NE(html.find("<h2>Creatives</h2>"), std::string::npos);
  // The same thumbnail in both runs is embedded once and reused.
  size_t embedded = 0, reused = 0;
  for (size_t at = html.find("data:image/png;base64,"); at != std::string::npos;
       at = html.find("data:image/png;base64,", at + 1)) {
    ++embedded;
  }
  for (size_t at = html.find("<use href=\"#thumb-0\"/>"); at != std::string::npos;
       at = html.find("<use href=\"#thumb-0\"/>", at + 1)) {
    ++reused;
  }
  EXPECT_EQ(embedded, 1u);
  EXPECT_EQ(reused, 1u);
  EXPECT_NE(html.find("viewBox=\"0 0 90 160\""), std::string::npos) << "the PNG's own size";
  // Without a thumbnail: a card naming the hook and scene.
  EXPECT_NE(html.find("creative 9 (no thumbnail)"), std::string::npos);
  EXPECT_NE(html.find("Only &lt;$59&gt; &amp; today?"), std::string::npos) << "escaped hook";
  EXPECT_NE(html.find("paused by the wear-out test: CTR 3.10% over its first impressions, 1.70% "
                      "over its latest (z = -4.3, 6,050 impressions in all)"),
            std::string::npos);
  EXPECT_NE(html.find("2 creatives over the flight; 1 paused by the wear-out test"),
            std::string::npos);
  EXPECT_NE(html.find("the chosen creatives' expected clicks were 270 against 300"),
            std::string::npos);
  EXPECT_NE(html.find("a regret of 10.00%"), std::string::npos);
  // CTR by day: both days of the live creative; the paused one's second day has too few
  // impressions to draw, and its pause day is marked.
  EXPECT_NE(html.find("day 1: CTR 1.80% (5,000 impressions)"), std::string::npos);
  EXPECT_NE(html.find("day 0: CTR 2.50% (6,000 impressions)"), std::string::npos);
  EXPECT_EQ(html.find("(50 impressions)"), std::string::npos);
  EXPECT_NE(html.find("<title>day 1: paused</title>"), std::string::npos);
  EXPECT_FALSE(HasNanOrInf(html));
}

TEST(ReportHtmlTest, PngSizeReadsTheHeaderAndRejectsOtherBytes) {
  EXPECT_EQ(PngSize(TinyPng(1080, 1920)), (std::pair<int, int>{1080, 1920}));
  EXPECT_EQ(PngSize(""), (std::pair<int, int>{0, 0}));
  EXPECT_EQ(PngSize("GIF89a but long enough to hold a header"), (std::pair<int, int>{0, 0}));
  EXPECT_EQ(PngSize(TinyPng(0, 10)), (std::pair<int, int>{0, 0}));
}

TEST(ReportHtmlTest, EscapesText) {
  SimSummary s = MakeSummary();
  s.findings.push_back("<script>alert('x')</script> & more");
  s.runs["manual"].actions[0].text = "<b>bold</b>";
  s.calibration[0].fact = "\"quoted\" <fact>";
  const std::string html = RenderReportHtml(s);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>bold</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;quoted&quot; &lt;fact&gt;"), std::string::npos);
}

TEST(ReportHtmlTest, ShowsTheLearnedInsightsLiftOverTheBaselineInsightRun) {
  SimSummary s = MakeSummary();
  EXPECT_EQ(RenderReportHtml(s).find("learned vs baseline insight"), std::string::npos);
  s.runs[kBaselineInsightRun] = MakeRun(kBaselineInsightRun, 0.88);
  const std::string html = RenderReportHtml(s);
  EXPECT_NE(html.find("<th class=\"num\">autopilot vs manual</th>"), std::string::npos);
  EXPECT_NE(html.find("<th class=\"num\">learned vs baseline insight</th>"), std::string::npos);
  // GMV: autopilot 1.1x, manual 1x, baseline insight 0.88x of the same run.
  const size_t gmv = html.find("<tr><th>GMV</th>");
  ASSERT_NE(gmv, std::string::npos);
  const std::string row = html.substr(gmv, html.find("</tr>", gmv) - gmv);
  EXPECT_NE(row.find(">+10.0%<"), std::string::npos) << row;
  EXPECT_NE(row.find(">+25.0%<"), std::string::npos) << row;
  EXPECT_NE(html.find("autopilot with the baseline insight"), std::string::npos);
  // The JSON's insight_lift: the same ratios.
  const nlohmann::json j = SummaryToJson(s);
  ASSERT_TRUE(j.contains("insight_lift"));
  EXPECT_NEAR(j["insight_lift"]["ours_gmv"].get<double>(), 1.25, 1e-4);
  EXPECT_EQ(j["insight_lift"]["runs"][1], kBaselineInsightRun);
  EXPECT_FALSE(HasNanOrInf(html));
}

TEST(ReportHtmlTest, SaysWhenRunsAreIdentical) {
  SimSummary s = MakeSummary();
  s.runs["autopilot"] = s.runs["manual"];
  s.runs["autopilot"].name = "autopilot";
  const std::string html = RenderReportHtml(s);
  EXPECT_NE(html.find("The two runs are identical: the autopilot currently uses the same baseline "
                      "policy as the manual plan."),
            std::string::npos);
  EXPECT_FALSE(HasNanOrInf(html));
}

TEST(ReportHtmlTest, ZeroSpendHasNoNanOrInfinity) {
  SimSummary s = MakeSummary();
  for (auto& [name, run] : s.runs) {
    run.ours = Kpi(name == "manual" ? 1000 : 0, 0, 0, 0, 0, 0);
    run.market = KpiTotals{};
    for (auto& k : run.ours_by_channel) k = KpiTotals{};
    for (auto& k : run.market_by_channel) k = KpiTotals{};
    for (HourPoint& p : run.hourly) {
      p.ours = KpiTotals{};
      p.market = KpiTotals{};
      p.planned_spend = Money::Zero();
    }
    run.organic_gmv = Money::Zero();
  }
  s.wall_seconds = std::nan("");
  s.impressions_per_second = INFINITY;
  s.calibration[0].simulated = std::nan("");
  const std::string html = RenderReportHtml(s);
  EXPECT_FALSE(HasNanOrInf(html));
  EXPECT_NE(html.find("spent nothing of its 1,000.00 budget"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
}

TEST(ReportHtmlTest, HandlesNoRunsAndNoHours) {
  SimSummary s;
  std::string html = RenderReportHtml(s);
  EXPECT_NE(html.find("No runs were recorded."), std::string::npos);
  EXPECT_FALSE(HasNanOrInf(html));
  s.runs["manual"].name = "manual";
  html = RenderReportHtml(s);
  EXPECT_NE(html.find("no data"), std::string::npos);
  EXPECT_FALSE(HasNanOrInf(html));
}

TEST(ReportHtmlTest, CapsTheActionTable) {
  SimSummary s = MakeSummary();
  auto& actions = s.runs["manual"].actions;
  actions.clear();
  for (uint32_t i = 0; i < 250; ++i) actions.push_back({i, "step " + std::to_string(i)});
  const std::string html = RenderReportHtml(s);
  EXPECT_NE(html.find(">step 199<"), std::string::npos);
  EXPECT_EQ(html.find(">step 200<"), std::string::npos);
  EXPECT_NE(html.find("50 more actions are not shown"), std::string::npos);
  // summary.json keeps all of them.
  EXPECT_EQ(SummaryToJson(s)["runs"]["manual"]["actions"].size(), 250u);
}

// ---- Atomic writes ----

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cf_report_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

TEST_F(WriteTest, WritesBothFilesAndLeavesNoTemporaries) {
  const SimSummary s = MakeSummary();
  WriteSummaryJson(s, dir_ / "summary.json");
  WriteReportHtml(s, dir_ / "report.html");
  EXPECT_EQ(nlohmann::json::parse(Read(dir_ / "summary.json")), SummaryToJson(s));
  EXPECT_EQ(Read(dir_ / "report.html"), RenderReportHtml(s));
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 2u);
  // Overwriting replaces the old contents.
  SimSummary t = s;
  t.seed = 7;
  WriteSummaryJson(t, dir_ / "summary.json");
  EXPECT_EQ(nlohmann::json::parse(Read(dir_ / "summary.json"))["seed"], 7);
}

TEST_F(WriteTest, MissingDirectoryThrowsWithThePathAndLeavesNothing) {
  const fs::path json = dir_ / "no" / "such" / "dir" / "summary.json";
  const fs::path html = dir_ / "no" / "such" / "dir" / "report.html";
  for (const fs::path& p : {json, html}) {
    try {
      if (p == json) {
        WriteSummaryJson(MakeSummary(), p);
      } else {
        WriteReportHtml(MakeSummary(), p);
      }
      ADD_FAILURE() << "expected a throw for " << p;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(p));
  }
  EXPECT_FALSE(fs::exists(dir_ / "no"));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(WriteTest, TargetThatIsADirectoryThrowsAndCleansUp) {
  fs::create_directories(dir_ / "summary.json");
  EXPECT_THROW(WriteSummaryJson(MakeSummary(), dir_ / "summary.json"), std::runtime_error);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u) << "the temporary file was removed";
}

}  // namespace
}  // namespace cf
